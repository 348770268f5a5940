// Tables of one feature area: steward decisions, review queue, match evidence (issue: entity matching).
// Created by db/migrations/002-matching.ts (which also adds registry.record.region_key, typed in db/types.ts)
// and 012-match-state.ts.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigId = ColumnType<string, string | number, string | number>;

export type Verdict = 'same' | 'different' | 'skip';
export type ReviewStatus = 'open' | 'decided' | 'settled';

/** A steward's word on two records (record_a < record_b); undone decisions keep their row. */
export interface MatchDecisionTable {
  id: ColumnType<string, never, never>;
  record_a: BigId;
  record_b: BigId;
  verdict: Verdict;
  steward: string;
  note: string | null;
  decided_at: Timestamp;
  review_id: BigId | null;
  undone_at: Timestamp | null;
  undone_by: string | null;
  undo_note: string | null;
}

/** A pair the rules could not settle, with why and the evidence (record_a < record_b). */
export interface ReviewItemTable {
  id: ColumnType<string, never, never>;
  record_a: BigId;
  record_b: BigId;
  reason: string;
  score: number | null;
  evidence: unknown;
  status: Generated<ReviewStatus>;
  first_run: number;
  last_run: number;
}

/** What the last match was made from (one row; migration 012-match-state). */
export interface MatchStateTable {
  id: ColumnType<number, number | undefined, never>;
  inputs_key: string;
  run_id: number;
}

export interface MatchingTables {
  'registry.match_decision': MatchDecisionTable;
  'registry.match_state': MatchStateTable;
  'registry.review_item': ReviewItemTable;
}
