/**
 * Whether matching has anything to decide. The stage's outcome is a function of what it reads: the
 * records standing for their content, their units after the last match, the units, the links earlier
 * runs found and the stewards' decisions in force. A run that changed none of these (no new records, no
 * decision taken or undone: a night no agency delivered, a second sync the same night, or one where only
 * the bureau's own lists or the grid changed) would load every record to decide what is stored, about 15 s at 250,000 units. The key is
 * taken after each match, in its transaction, so it describes what that match left; while it holds, the
 * units stay as they are.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { StagingConnection } from '../ingest/staging-connection.ts';

/** Bump when linking, clustering or unit-id logic changes, so the next run matches every record again. */
export const MATCH_VERSION = 1;

export interface MatchInputs {
  /** Digest of everything matching reads (see matchInputsQuery). */
  key: string;
  /** Records standing for their content (what a match would load). */
  records: number;
  /** Live units. */
  units: number;
}

/**
 * Counts and order-free checksums rather than the rows themselves: one scan of each table (about 0.2 s
 * at 250,000 units on PostgreSQL). Records never change once normalised but for superseded_by (and
 * is_current, which matching does not read), and memberships, units and links are written only by
 * matching, so these tell every change a run can make apart. Decisions are listed whole: the table is
 * small, and an undo changes no count.
 */
function matchInputsQuery(db: Kysely<DB>) {
  return sql<{ key: string; records: string; units: string }>`
    with r as (select count(*) as n, max(record_id) as top, count(superseded_by) as superseded, sum(superseded_by) as by_sum from registry.record),
      m as (select count(*) as n, sum(hashtext(unit_id)::bigint # record_id) as sum from registry.unit_member),
      u as (select count(*) as n, count(retired_run) as retired, max(id) as top from registry.unit),
      l as (select count(*) as n, sum(record_a) as a, sum(record_b) as b from registry.link),
      d as (select md5(coalesce(string_agg(concat_ws(',', id, record_a, record_b, verdict, undone_at is null), ';' order by id), '')) as digest from registry.match_decision)
    select md5(concat_ws('|', ${sql.lit(String(MATCH_VERSION))}, r.n, r.top, r.superseded, r.by_sum, m.n, m.sum, u.n, u.retired, u.top, l.n, l.a, l.b, d.digest)) as key,
      r.n - r.superseded as records, u.n - u.retired as units
    from r, m, u, l, d`.compile(db);
}

const toInputs = (row: { key: string; records: string; units: string }): MatchInputs => ({ key: row.key, records: Number(row.records), units: Number(row.units) });

export async function readMatchInputs(db: Kysely<DB>): Promise<MatchInputs> {
  const { rows } = await db.executeQuery(matchInputsQuery(db));
  return toInputs(rows[0]!);
}

/** The key of the last match, and the run that made it; undefined before the first. */
export async function lastMatch(db: Kysely<DB>): Promise<{ key: string; runId: number } | undefined> {
  const row = await db.selectFrom('registry.match_state').select(['inputs_key', 'run_id']).executeTakeFirst();
  return row && { key: row.inputs_key, runId: row.run_id };
}

/** Records what this match leaves, inside its transaction: the key commits with the outcome or not at all. */
export async function recordMatchInputs(db: Kysely<DB>, conn: StagingConnection, runId: number): Promise<void> {
  const [row] = await conn.run(matchInputsQuery(db));
  await conn.run(
    sql`insert into registry.match_state (id, inputs_key, run_id) values (1, ${row!.key}, ${runId}::int)
        on conflict (id) do update set inputs_key = excluded.inputs_key, run_id = excluded.run_id`.compile(db),
  );
}
