// Tables of one feature area: stewards' placement rules and decisions, grid change history, placement
// changes, and notices to supervising grids (issue: grid placement). Created by migrations/003-grid-rules.ts.
import type { ColumnType, Generated } from 'kysely';

type Json = unknown;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigSerial = ColumnType<string, never, never>;

export interface GridRuleTable {
  id: Generated<number>;
  /** Normalised address text the rule looks for (see normalizeAddressText). */
  pattern: string;
  number_from: number | null;
  number_to: number | null;
  /** A district (6 digits) or street/town (9 digits) the address must be placed in, or null. */
  scope_code: string | null;
  grid_l1: string;
  grid_l2: string | null;
  note: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  removed_by: string | null;
  removed_at: Timestamp | null;
}

export interface UnitDecisionTable {
  unit_id: string;
  grid_l1: string;
  grid_l2: string | null;
  rule_id: number | null;
  note: string | null;
  decided_by: string | null;
  decided_at: Generated<Date>;
}

export interface GridEventTable {
  id: BigSerial;
  run_id: number;
  event: string;
  grid_code: string;
  detail: Json | null;
}

export interface PlacementChangeTable {
  id: BigSerial;
  run_id: number | null;
  unit_id: string;
  from_l1: string | null;
  from_l2: string | null;
  to_l1: string | null;
  to_l2: string | null;
  from_method: string | null;
  to_method: string | null;
  cause: string;
  detail: Json | null;
  changed_at: Generated<Date>;
}

export interface NoticeTable {
  id: BigSerial;
  unit_id: string;
  kind: string;
  grid_code: string;
  to_grid: string | null;
  detail: Json | null;
  as_of: string;
  opened_run: number;
  opened_at: Generated<Date>;
  closed_run: number | null;
  closed_at: Timestamp | null;
  close_reason: string | null;
}

export interface GridRuleTables {
  'grid.rule': GridRuleTable;
  'grid.unit_decision': UnitDecisionTable;
  'grid.grid_event': GridEventTable;
  'grid.placement_change': PlacementChangeTable;
  'inspection.notice': NoticeTable;
}
