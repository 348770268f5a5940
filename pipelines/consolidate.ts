import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from '../db/connect.ts';
import { withForeignKeysCheckedBySet } from '../db/foreign-keys-by-set.ts';
import type { DB } from '../db/types.ts';
import type { CopyValue } from './ingest/copy-text.ts';
import { openStagingConnection, tempTable } from './ingest/staging-connection.ts';
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

const FIELDS = Object.keys(FIELD_AUTHORITY) as GoldenField[];
// A kind's place in each field's authority list, looked up once per candidate rather than searched.
const RANKS = new Map(FIELDS.map((f) => [f, new Map(FIELD_AUTHORITY[f].map((kind, i) => [kind, i]))]));

function rankOf(field: GoldenField, r: MemberRow): number {
  return RANKS.get(field)!.get(r.kind) ?? FIELD_AUTHORITY[field].length;
}

/** Orders two candidate records for a field: authority, then recency, then completeness, then record order. */
function better(field: GoldenField, a: MemberRow, b: MemberRow): boolean {
  const ra = rankOf(field, a);
  const rb = rankOf(field, b);
  if (ra !== rb) return ra < rb;
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
  for (const field of FIELDS) {
    let best: MemberRow | null = null;
    let bestValue: string | null = null;
    for (const r of members) {
      const v = valueOf(r, field);
      if (v === null || v === '') continue;
      if (best === null || better(field, r, best)) {
        best = r;
        bestValue = v;
      }
    }
    if (best) golden[field] = { value: bestValue!, record_id: best.record_id, agency: best.agency, file: best.file_name, row: best.row };
  }
  // A unit that no agency reports any more is kept, marked as such: the registers delete nothing.
  if (!members.some((m) => m.is_current) && golden.status) golden.status = { ...golden.status, value: 'unreported' };
  return golden;
}

const BATCH = 10_000;

const UNIT_COLUMNS: [string, string][] = [
  ['id', 'text'], ['name', 'text'], ['uscc', 'text'], ['org_code', 'text'], ['address', 'text'], ['status', 'text'], ['established', 'date'], ['golden', 'jsonb'],
];

export async function consolidateUnits(ctx: StageContext, options: { batch?: number } = {}): Promise<StageCounts> {
  const batchSize = options.batch ?? BATCH;
  // Only units whose golden record can have changed: their members changed (matching marks them), or a
  // member's currency did (normalise marks them, pipelines/snapshots.ts). A re-delivered unchanged row
  // is carried, not a new record, so a new snapshot touches only the units it changes. "Changed" counts
  // from the last run that completed this stage, not from this run: a run killed after matching left its
  // units for the next run to consolidate.
  const since = await lastRunThatConsolidated(ctx.db);
  const latest = await latestSnapshotDates(ctx.db);
  // PostgreSQL: the next batch is read on a pooled connection while the last one is written on its own.
  // PGlite is one session, so there each batch is written before the next is read.
  const overlap = ctx.database.pool !== undefined;
  let consolidated = 0;
  let written = 0;
  let pending: Promise<number> | null = null;
  const ends = await batchEnds(ctx.db, since, batchSize);
  let k = 0;
  let next: Promise<Batch | null> | null = readBatch(ctx.db, since, null, ends[k++], latest);
  try {
    while (next) {
      const batch: Batch | null = await next;
      if (batch === null) break;
      // The next batch is read while this one is derived and written (PostgreSQL only: see above).
      next = overlap ? readBatch(ctx.db, since, batch.hi, ends[k++], latest) : null;
      const { members } = batch;
      const rows: CopyValue[][] = [];
      for (let i = 0; i < members.length; ) {
        let j = i + 1;
        while (j < members.length && members[j]!.unit_id === members[i]!.unit_id) j++;
        const g = goldenRecord(members.slice(i, j));
        rows.push([members[i]!.unit_id, g.name?.value ?? null, g.uscc?.value ?? null, g.org_code?.value ?? null, g.address?.value ?? null, g.status?.value ?? 'active', g.established?.value ?? null, JSON.stringify(g)]);
        i = j;
      }
      consolidated += rows.length;
      if (pending) written += await pending;
      pending = writeBatch(ctx.database, batch, rows);
      if (!overlap) {
        written += await pending;
        pending = null;
        next = readBatch(ctx.db, since, batch.hi, ends[k++], latest);
      }
    }
    if (pending) written += await pending;
    pending = null;
  } finally {
    // A failure must not leave a read or a write in flight, nor its rejection unheard.
    await Promise.allSettled([pending, next]);
  }
  return { units_consolidated: consolidated, units_written: written };
}

interface Batch {
  after: string | null;
  hi: string;
  members: MemberRow[];
}

async function readBatch(db: Kysely<DB>, since: number, after: string | null, hi: string | undefined, latest: Map<string, string | null>): Promise<Batch | null> {
  return hi === undefined ? null : { after, hi, members: await loadBatch(db, since, after, hi, latest) };
}

/**
 * The last unit id of each batch of units to consolidate, in one pass over the unit ids. Ids are
 * compared in the database's own text order, the order each batch is then read by, so every unit falls
 * in exactly one batch. The run lock keeps units from being added meanwhile.
 */
async function batchEnds(db: Kysely<DB>, since: number, batchSize: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from (
      select id, row_number() over (order by id) as n, count(*) over () as total from registry.unit
      where retired_run is null and updated_run > ${since}) u
    where n % ${batchSize} = 0 or n = total
    order by id`.execute(db);
  return rows.map((r) => r.id);
}

/** The snapshot date of the latest loaded file of each kind: a current record was last delivered by it. */
async function latestSnapshotDates(db: Kysely<DB>): Promise<Map<string, string | null>> {
  const kinds = await db.selectFrom('staging.file').select('kind').distinct().where('status', '=', 'loaded').execute();
  const names = kinds.map((k) => k.kind).filter((k): k is string => k !== null);
  const latest = names.length ? await latestFiles(db, names) : new Map<string, number>();
  const dates = new Map<string, string | null>();
  if (latest.size === 0) return dates;
  const files = await db.selectFrom('staging.file').select(['id', 'snapshot_date']).where('id', 'in', [...latest.values()]).execute();
  const byId = new Map(files.map((f) => [f.id, f.snapshot_date]));
  for (const [kind, id] of latest) dates.set(kind, byId.get(id) ?? null);
  return dates;
}

type MemberTuple = [string, string, string, string, number, string | null, boolean, string | null, string | null, boolean | null, string | null, boolean | null, string | null, boolean | null, string | null, string | null, string | null, string | null, string | null, string, string | null];

/**
 * The members of the units in (after, hi] that are to be consolidated, ordered by unit and record, with
 * each record's snapshot date that of the last snapshot that delivered it: the latest file of its kind for a
 * current record, the last file that carried it for one no longer current (looked up for those records only). A unit's members come as one JSON array: one row and one
 * JSON.parse per unit instead of a column value per record field, which is most of the reading time.
 */
async function loadBatch(db: Kysely<DB>, since: number, after: string | null, hi: string, latest: Map<string, string | null>): Promise<MemberRow[]> {
  const { rows } = await sql<{ unit_id: string; members: MemberTuple[] }>`
    select m.unit_id, json_agg(json_build_array(m.record_id::text, r.kind, r.agency, f.file_name, r.row, r.snapshot_date, r.is_current, r.name, r.uscc, r.uscc_valid,
      r.org_code, r.org_code_valid, r.reg_no, r.reg_no_valid, r.address, r.division_code, r.legal_rep, r.phone, r.established, r.status,
      case when r.is_current then null else
        (select max(cf.snapshot_date) from staging.carried c join staging.file cf on cf.id = c.file_id where c.record_id = m.record_id) end) order by m.record_id) as members
    from registry.unit u
    join registry.unit_member m on m.unit_id = u.id and m.unit_id <= ${hi} ${after === null ? sql`` : sql`and m.unit_id > ${after}`}
    join registry.record r on r.record_id = m.record_id
    join staging.file f on f.id = r.file_id
    where u.retired_run is null and u.updated_run > ${since} and u.id <= ${hi} ${after === null ? sql`` : sql`and u.id > ${after}`}
    group by m.unit_id
    order by m.unit_id`.execute(db);
  const later = (a: string | null, b: string | null | undefined) => (b != null && (a == null || b > a) ? b : a);
  const out: MemberRow[] = [];
  for (const { unit_id, members } of rows) {
    const list = typeof members === 'string' ? (JSON.parse(members) as MemberTuple[]) : members;
    for (const t of list) {
      const is_current = t[6];
      out.push({
        record_id: t[0], unit_id, kind: t[1], agency: t[2], file_name: t[3], row: t[4], snapshot_date: is_current ? later(t[5], latest.get(t[1])) : later(t[5], t[20]), is_current,
        name: t[7], uscc: t[8], uscc_valid: t[9], org_code: t[10], org_code_valid: t[11], reg_no: t[12], reg_no_valid: t[13], address: t[14], division_code: t[15],
        legal_rep: t[16], phone: t[17], established: t[18], status: t[19],
      });
    }
  }
  return out;
}

/**
 * Applies one batch in one transaction: the rows are copied into a temporary table, one upsert writes the
 * golden records that differ from the stored ones and one UPDATE … FROM the unit columns taken from them
 * that differ, so a re-derived but unchanged unit is not rewritten. Returns the units written.
 */
async function writeBatch(database: Database, range: { after: string | null; hi: string }, rows: CopyValue[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const conn = await openStagingConnection(database);
  try {
    await tempTable(conn, 'consolidated', UNIT_COLUMNS, rows, (r) => r);
    // The rows this batch may have written are the batch's own: the check looks at those alone.
    const written = await withForeignKeysCheckedBySet(conn, [{ table: 'registry.unit_golden', where: 't.unit_id in (select id from consolidated)' }], async () => {
      const golden = await conn.run(
        CompiledQuery.raw(`
          insert into registry.unit_golden as g (unit_id, golden) select id, golden from consolidated
          on conflict (unit_id) do update set golden = excluded.golden where g.golden is distinct from excluded.golden
          returning g.unit_id as id`) as CompiledQuery<{ id: string }>,
      );
      const columns = await conn.run(
        CompiledQuery.raw(`
          update registry.unit u set
            name = x.name, uscc = x.uscc, org_code = x.org_code, address = x.address, status = x.status, established = x.established
          from consolidated x
          where u.id = x.id and u.id <= $1 and u.id > coalesce($2, '')
            and (u.name is distinct from x.name or u.uscc is distinct from x.uscc or u.org_code is distinct from x.org_code
              or u.address is distinct from x.address or u.status is distinct from x.status or u.established is distinct from x.established)
          returning u.id`, [range.hi, range.after]) as CompiledQuery<{ id: string }>,
      );
      return new Set([...golden, ...columns].map((r) => r.id)).size;
    });
    await conn.commit();
    return written;
  } catch (err) {
    await conn.rollback();
    throw err;
  }
}

async function lastRunThatConsolidated(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('runs.stage').select((eb) => eb.fn.max('run_id').as('run')).where('stage', '=', 'consolidate').where('status', '=', 'succeeded').executeTakeFirst();
  return row?.run ?? 0;
}
