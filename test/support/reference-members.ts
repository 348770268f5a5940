// The member loader the consolidate stage used before it read in id ranges: a plain, per-unit query kept
// as an independent reference, so test/consolidate-stage.test.ts can check the stage's golden records
// against it. Not used by the product.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { MemberRow } from '../../pipelines/consolidate.ts';
import { latestFiles } from '../../pipelines/snapshots.ts';

/**
 * A unit's records with what the golden rules read. A record's snapshot date is that of the last snapshot
 * that delivered it: a row carried unchanged into a later snapshot is that record seen again (before
 * carrying, it was a new record with the later date), so recency still ranks by when an agency last said
 * it. A current record was delivered last by the latest snapshot of its kind; a record no longer current,
 * by the last file that carried it, if any did.
 */
export async function loadMembers(db: Kysely<DB>, unitIds: string[]): Promise<MemberRow[]> {
  if (unitIds.length === 0) return [];
  const rows: MemberRow[] = await db
    .selectFrom('registry.unit_member as m')
    .innerJoin('registry.record as r', 'r.record_id', 'm.record_id')
    .innerJoin('staging.file as f', 'f.id', 'r.file_id')
    .select([
      'm.record_id', 'm.unit_id', 'r.kind', 'r.agency', 'f.file_name', 'r.row', 'r.snapshot_date', 'r.is_current', 'r.name', 'r.uscc', 'r.uscc_valid',
      'r.org_code', 'r.org_code_valid', 'r.reg_no', 'r.reg_no_valid', 'r.address', 'r.division_code', 'r.legal_rep', 'r.phone', 'r.established', 'r.status',
    ])
    .where('m.unit_id', 'in', unitIds)
    .orderBy('m.record_id')
    .execute();
  const currentKinds = [...new Set(rows.filter((r) => r.is_current).map((r) => r.kind))];
  const latest = currentKinds.length ? await latestFiles(db, currentKinds) : new Map<string, number>();
  const latestDate = new Map<number, string | null>();
  if (latest.size) {
    for (const f of await db.selectFrom('staging.file').select(['id', 'snapshot_date']).where('id', 'in', [...latest.values()]).execute()) latestDate.set(f.id, f.snapshot_date);
  }
  const stale = rows.filter((r) => !r.is_current).map((r) => r.record_id);
  const lastCarried = new Map<string, string | null>();
  for (let i = 0; i < stale.length; i += 5000) {
    const { rows: carried } = await sql<{ record_id: string; date: string | null }>`
      select c.record_id, max(f.snapshot_date) as date from staging.carried c join staging.file f on f.id = c.file_id
      where c.record_id = any(${stale.slice(i, i + 5000)}::bigint[]) group by c.record_id`.execute(db);
    for (const c of carried) lastCarried.set(String(c.record_id), c.date);
  }
  const later = (a: string | null, b: string | null | undefined) => (b != null && (a == null || b > a) ? b : a);
  for (const r of rows) {
    r.snapshot_date = r.is_current ? later(r.snapshot_date, latestDate.get(latest.get(r.kind)!)) : later(r.snapshot_date, lastCarried.get(r.record_id));
  }
  return rows;
}
