import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { anyOf } from '../db/any-of.ts';
import { ENTITY_KINDS } from '../schemas/feeds.ts';

/**
 * Each file is its agency's full register as of its snapshot date, so only the newest file of a feed
 * kind is current: by the date in its name, then by arrival for files without one.
 */
export async function latestFiles(db: Kysely<DB>, kinds: string[]): Promise<Map<string, number>> {
  const files = await db
    .selectFrom('staging.file')
    .select(['id', 'kind', 'snapshot_date'])
    .where('status', '=', 'loaded')
    .where('kind', 'in', kinds)
    .execute();
  const best = new Map<string, { id: number; date: string }>();
  for (const f of files) {
    const date = f.snapshot_date ?? '';
    const cur = best.get(f.kind!);
    if (!cur || date > cur.date || (date === cur.date && f.id > cur.id)) best.set(f.kind!, { id: f.id, date });
  }
  return new Map([...best].map(([k, v]) => [k, v.id]));
}

/**
 * Marks which employer records the agencies report now: a record is current when the latest snapshot of
 * its kind delivered it, as one of its own rows or as a row carried unchanged (staging.carried). Only
 * records whose flag changes are written. The units holding them are marked updated in this run, so
 * consolidate re-derives them (a unit nobody reports any more becomes 'unreported', a record reported
 * again wins its fields back) and leaves every other unit alone. Records new to this run have no unit
 * yet; matching marks theirs. Returns the records whose flag changed.
 */
export async function markCurrentSnapshots(db: Kysely<DB>, runId: number): Promise<string[]> {
  const latest = [...(await latestFiles(db, ENTITY_KINDS as unknown as string[])).values()];
  const files = latest.length ? sql.join(latest.map((id) => sql`${id}::int`)) : sql`null::int`;
  // Ingest has just appended carried rows: fresh statistics for this and the later stages' plans (cheap:
  // a narrow table; registry.record's own ANALYZE costs a second and these set operations do not need it).
  await sql`analyze staging.carried`.execute(db);
  // Set operations (hashed), not a probe per record: on a second sync almost every current record is an
  // old file's record carried by the latest one, and a full sync (nothing carried) writes nothing.
  const carriedNow = sql`select record_id from staging.carried where file_id in (${files})`;
  const { rows } = await sql<{ record_id: string }>`
    with turned_off as (
      update registry.record r set is_current = false
      from (select record_id from registry.record where is_current and file_id not in (${files}) except ${carriedNow}) x
      where r.record_id = x.record_id
      returning r.record_id
    ),
    turned_on as (
      update registry.record r set is_current = true
      from (
        select record_id from registry.record where not is_current and file_id in (${files})
        union
        (${carriedNow} intersect select record_id from registry.record where not is_current)
      ) x
      where r.record_id = x.record_id
      returning r.record_id
    )
    select record_id from turned_off union all select record_id from turned_on`.execute(db);
  const flipped = rows.map((r) => String(r.record_id));
  if (flipped.length > 0) {
    await db
      .updateTable('registry.unit')
      .set({ updated_run: runId })
      .where('updated_run', '<', runId)
      .where('id', 'in', (eb) => eb.selectFrom('registry.unit_member').select('unit_id').where('record_id', '=', anyOf(flipped, 'bigint')))
      .execute();
  }
  return flipped;
}
