/**
 * Stewards' decisions as matching honours them: per pair of records, the latest decision not undone.
 * "skip" only takes a pair off the queue; it neither links nor separates.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

export interface ActiveDecision {
  id: string;
  record_a: string;
  record_b: string;
  verdict: 'same' | 'different' | 'skip';
}

export async function activeDecisions(db: Kysely<DB>): Promise<ActiveDecision[]> {
  const { rows } = await sql<ActiveDecision>`
    select distinct on (record_a, record_b) id, record_a, record_b, verdict
    from registry.match_decision
    where undone_at is null
    order by record_a, record_b, decided_at desc, id desc`.execute(db);
  return rows;
}

/** Two record ids in the order the tables keep them (record_a < record_b, as numbers). */
export function orderedPair(x: string, y: string): [string, string] {
  return BigInt(x) < BigInt(y) ? [x, y] : [y, x];
}
