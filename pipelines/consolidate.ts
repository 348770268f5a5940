import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { latestFiles } from './snapshots.ts';
import type { StageContext, StageCounts } from './stage.ts';

/**
 * The golden record (一企一档): for each field, one value chosen by a documented rule —
 *   1. agency authority for that field (FIELD_AUTHORITY: the agency that registers the fact first;
 *      an agency not listed counts after every listed one, since a value beats no value),
 *   2. then recency: a record of a current snapshot before an older one, then the later snapshot date,
 *   3. then completeness: the longer value (a 12-digit division code over a 9-digit one, a full address
 *      over a partial one),
 *   4. then the earliest record, so the choice never depends on load order.
 * Codes whose check fails are never chosen. Each value keeps the record, file and row it came from, so
 * every field of a unit can be traced to its source.
 *
 * Authority: market regulation registers companies, individual businesses and co-operatives (their
 * name, code, legal representative, address, founding date and status); civil affairs registers social
 * organisations; personnel, public institutions; the organisation-code registry issued organisation
 * codes; statistics surveys units where they are (division code, phone); tax follows the others.
 */
export const FIELD_AUTHORITY: Record<GoldenField, string[]> = {
  name: ['market', 'civil-affairs.social-orgs', 'personnel', 'org-code', 'statistics', 'tax'],
  uscc: ['market', 'civil-affairs.social-orgs', 'personnel', 'statistics', 'tax'],
  org_code: ['org-code', 'market', 'civil-affairs.social-orgs', 'personnel', 'statistics', 'tax'],
  reg_no: ['market'],
  address: ['market', 'civil-affairs.social-orgs', 'personnel', 'statistics', 'tax', 'org-code'],
  division_code: ['statistics', 'org-code'],
  legal_rep: ['market', 'civil-affairs.social-orgs', 'tax', 'org-code'],
  phone: ['statistics', 'market', 'tax'],
  established: ['market', 'civil-affairs.social-orgs', 'statistics', 'tax', 'org-code'],
  status: ['market', 'civil-affairs.social-orgs', 'tax', 'statistics', 'personnel', 'org-code'],
};
export type GoldenField = 'name' | 'uscc' | 'org_code' | 'reg_no' | 'address' | 'division_code' | 'legal_rep' | 'phone' | 'established' | 'status';

export interface MemberRow {
  record_id: string;
  unit_id: string;
  kind: string;
  agency: string;
  file_name: string;
  row: number;
  snapshot_date: string | null;
  is_current: boolean;
  name: string | null;
  uscc: string | null;
  uscc_valid: boolean | null;
  org_code: string | null;
  org_code_valid: boolean | null;
  reg_no: string | null;
  reg_no_valid: boolean | null;
  address: string | null;
  division_code: string | null;
  legal_rep: string | null;
  phone: string | null;
  established: string | null;
  status: string;
}

export interface GoldenValue {
  value: string;
  record_id: string;
  agency: string;
  file: string;
  row: number;
}

export type Golden = Partial<Record<GoldenField, GoldenValue>>;

function valueOf(r: MemberRow, field: GoldenField): string | null {
  switch (field) {
    case 'uscc':
      return r.uscc_valid ? r.uscc : null;
    case 'org_code':
      return r.org_code_valid ? r.org_code : null;
    case 'reg_no':
      return r.reg_no_valid ? r.reg_no : null;
    default:
      return r[field];
  }
}

/** Orders two candidate records for a field: authority, then recency, then completeness, then record order. */
function better(field: GoldenField, a: MemberRow, b: MemberRow): boolean {
  const authority = FIELD_AUTHORITY[field];
  const rank = (r: MemberRow) => {
    const i = authority.indexOf(r.kind);
    return i < 0 ? authority.length : i;
  };
  if (rank(a) !== rank(b)) return rank(a) < rank(b);
  if (a.is_current !== b.is_current) return a.is_current;
  const da = a.snapshot_date ?? '';
  const db = b.snapshot_date ?? '';
  if (da !== db) return da > db;
  const la = valueOf(a, field)!.length;
  const lb = valueOf(b, field)!.length;
  if (la !== lb) return la > lb;
  return BigInt(a.record_id) < BigInt(b.record_id);
}

export function goldenRecord(members: MemberRow[]): Golden {
  const golden: Golden = {};
  for (const field of Object.keys(FIELD_AUTHORITY) as GoldenField[]) {
    let best: MemberRow | null = null;
    for (const r of members) {
      if (valueOf(r, field) === null || valueOf(r, field) === '') continue;
      if (best === null || better(field, r, best)) best = r;
    }
    if (best) golden[field] = { value: valueOf(best, field)!, record_id: best.record_id, agency: best.agency, file: best.file_name, row: best.row };
  }
  // A unit that no agency reports any more is kept, marked as such: the registers delete nothing.
  if (!members.some((m) => m.is_current) && golden.status) golden.status = { ...golden.status, value: 'unreported' };
  return golden;
}

const BATCH = 2000;

export async function consolidateUnits(ctx: StageContext): Promise<StageCounts> {
  // Only units whose golden record can have changed: their members changed (matching marks them), or a
  // member's currency did (normalise marks them, pipelines/snapshots.ts). A re-delivered unchanged row
  // is carried, not a new record, so a new snapshot touches only the units it changes. "Changed" counts
  // from the last run that completed this stage, not from this run: a run killed after matching left its
  // units for the next run to consolidate.
  const since = await lastRunThatConsolidated(ctx.db);
  const unitIds = (
    await ctx.db
      .selectFrom('registry.unit')
      .select('id')
      .where('retired_run', 'is', null)
      .where('updated_run', '>', since)
      .orderBy('id')
      .execute()
  ).map((u) => u.id);
  let updated = 0;
  for (let i = 0; i < unitIds.length; i += BATCH) {
    const ids = unitIds.slice(i, i + BATCH);
    const members = await loadMembers(ctx.db, ids);
    const byUnit = new Map<string, MemberRow[]>();
    for (const m of members) {
      const list = byUnit.get(m.unit_id);
      if (list) list.push(m);
      else byUnit.set(m.unit_id, [m]);
    }
    const rows = [...byUnit].map(([id, ms]) => {
      const g = goldenRecord(ms);
      return { id, name: g.name?.value ?? null, uscc: g.uscc?.value ?? null, org_code: g.org_code?.value ?? null, address: g.address?.value ?? null, status: g.status?.value ?? 'active', established: g.established?.value ?? null, golden: g };
    });
    await sql`
      update registry.unit u set
        name = x.name, uscc = x.uscc, org_code = x.org_code, address = x.address,
        status = x.status, established = x.established::date, golden = x.golden
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(id text, name text, uscc text, org_code text, address text, status text, established text, golden jsonb)
      where u.id = x.id`.execute(ctx.db);
    updated += rows.length;
  }
  return { units_consolidated: updated };
}

async function lastRunThatConsolidated(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('runs.stage').select((eb) => eb.fn.max('run_id').as('run')).where('stage', '=', 'consolidate').where('status', '=', 'succeeded').executeTakeFirst();
  return row?.run ?? 0;
}

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
