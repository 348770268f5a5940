/**
 * Ties the rows of the bureau's current lists (supervised, complaints, arrears, credit) to units. Units
 * merge and split, so a link can go stale; but a row's unit changes only when a unit carrying one of its
 * codes, names or name keys gained or lost records, or such a unit moved grid (the supervised list's grid
 * breaks ties between units sharing a name key), or when its file is new. So after the first linking,
 * a run relinks only those rows, looking up only the keys they carry: the result equals relinking every
 * row (tested), at the cost of the change.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Database } from '../../db/connect.ts';
import { copyOut } from '../../db/copy-out.ts';
import { refreshStatistics } from '../../db/statistics.ts';
import { cleanCode, orgCodeFromUscc } from '../normalize/codes.ts';
import { latestFiles } from '../snapshots.ts';
import { openStagingConnection, tempTable } from '../ingest/staging-connection.ts';
import type { StageContext } from '../stage.ts';
import { buildUnitLookup, findUnit, loadUnitLookup, type LinkedBy, type LookupRecord, type UnitLookup } from './unit-lookup.ts';

export type ListTable = 'inspection.supervised' | 'inspection.complaint' | 'inspection.arrears' | 'inspection.credit';
export const LIST_KINDS: Record<ListTable, string> = {
  'inspection.supervised': 'labour.supervised',
  'inspection.complaint': 'labour.complaints',
  'inspection.arrears': 'labour.arrears',
  'inspection.credit': 'labour.credit',
};

export interface Placed {
  grid_l1: string | null;
  grid_l2: string | null;
  method: string;
}

/** What the supervise stage reads of a list row besides its link: the list's own columns. */
export type ListFacts =
  | { table: 'inspection.supervised' }
  | { table: 'inspection.arrears'; wageMonths: number | null; feeMonths: number | null }
  | { table: 'inspection.complaint'; received: string | null; complaintType: string | null }
  | { table: 'inspection.credit'; year: number | null; grade: string | null; dishonest: boolean | null };

export interface ListRow {
  table: ListTable;
  recordId: string;
  code: string | null;
  name: string | null;
  nameKey: string | null;
  /** The row's unit: after linkLists, the one it is linked to now. */
  unitId: string | null;
  /** The grid code the supervised list names (null on the other lists). */
  grid: string | null;
  /** The row's file was loaded after the last linking (or outside a run). */
  fileNew: boolean;
  facts: ListFacts;
}

export interface ListLinks {
  currentFiles: Map<string, number>;
  /** Every row of the current lists, linked as this run left them: the stage reads the lists once. */
  rows: ListRow[];
  /** Rows of the current lists with a unit, and without one, after this run. */
  linked: number;
  unlinked: number;
  /** Rows looked up this run (all of them on a full linking), and how those found their unit. */
  relinked: number;
  linkedBy: Record<string, number>;
  full: boolean;
}

/** The last placement change so far: read before the placements, so a change made meanwhile is seen next time. */
export async function placementChangeMark(db: Kysely<DB>): Promise<string> {
  const row = await db.selectFrom('grid.placement_change').select(sql<string>`coalesce(max(id), 0)::text`.as('id')).executeTakeFirst();
  return row?.id ?? '0';
}

/**
 * Links the current list rows (all of them with `full`, or on the first linking) and records what they
 * were linked against. `placements` are the units' placements read after `mark`.
 */
export async function linkLists(ctx: StageContext, placements: Map<string, Placed>, mark: string, options: { full?: boolean } = {}): Promise<ListLinks> {
  const { db } = ctx;
  const currentFiles = await latestFiles(db, Object.values(LIST_KINDS));
  const state = options.full ? undefined : await db.selectFrom('inspection.link_state').select(['run_id', 'placement_change_id']).executeTakeFirst();
  const rows = await readListRows(ctx.database, currentFiles, state?.run_id ?? null);

  let toLink = rows;
  let lookup: UnitLookup | null = null;
  if (state) {
    const changed = await changedSince(db, state.run_id, state.placement_change_id);
    toLink = rows.filter((r) => r.fileNew || (r.unitId !== null && changed.retired.has(r.unitId)) || keysOf(r).some((k) => changed.keys.has(k)));
    // Looking up most rows' keys one by one costs more than reading every unit once.
    if (toLink.length <= rows.length / 2) lookup = await loadUnitLookupFor(db, toLink);
  }
  lookup ??= await loadUnitLookup(db);

  const linkedBy: Record<string, number> = {};
  const updates: [ListTable, string, string | null][] = [];
  for (const r of toLink) {
    const inGrid = r.grid ? (u: string) => placements.get(u)?.grid_l2 === r.grid || placements.get(u)?.grid_l1 === r.grid : undefined;
    const hit = findUnit(lookup, { code: r.code, name: r.name, nameKey: r.nameKey }, inGrid);
    if (hit) linkedBy[hit.by as LinkedBy] = (linkedBy[hit.by] ?? 0) + 1;
    const unit = hit?.unit ?? null;
    if (unit !== r.unitId) {
      updates.push([r.table, r.recordId, unit]);
      r.unitId = unit;
    }
  }
  await writeLinks(ctx, updates, mark);
  const linked = rows.filter((r) => r.unitId !== null).length;
  return { currentFiles, rows, linked, unlinked: rows.length - linked, relinked: toLink.length, linkedBy, full: !state };
}

/** Every row of the current lists, as COPY text (db/copy-out.ts): the supervised list alone is a row per supervised unit. */
async function readListRows(database: Database, currentFiles: Map<string, number>, lastRun: number | null): Promise<ListRow[]> {
  const { db } = database;
  const out: ListRow[] = [];
  for (const [table, kind] of Object.entries(LIST_KINDS) as [ListTable, string][]) {
    const fileId = currentFiles.get(kind);
    if (fileId === undefined) continue;
    const supervised = table === 'inspection.supervised';
    const query = db
      .selectFrom(`${table} as t` as 'inspection.supervised as t')
      .innerJoin('staging.record as s', 's.id', 't.record_id')
      .innerJoin('staging.file as f', 'f.id', 's.file_id')
      .select(['t.record_id', 't.name', 't.name_key', 't.unit_id', 'f.run_id'])
      .select(sql<string | null>`${sql.ref(supervised ? 't.code' : 't.uscc')}`.as('code'))
      .select((supervised ? sql<string | null>`t.grid_code` : sql<string | null>`null`).as('grid'))
      .select(sql<Record<string, unknown>>`${sql.raw(FACT_COLUMNS[table])}`.as('facts'))
      // With the kind, staging.record's (kind, file_id) index finds the file's rows (not a scan of every staged row).
      .where('s.kind', '=', sql.lit(kind))
      .where('s.file_id', '=', sql.lit(fileId))
      .compile();
    await copyOut(database, query, ([recordId, name, nameKey, unitId, runId, code, grid, facts]) => {
      const run = runId == null ? null : Number(runId);
      out.push({
        table,
        recordId: recordId!,
        code: code ?? null,
        name: name ?? null,
        nameKey: nameKey ?? null,
        unitId: unitId ?? null,
        grid: grid ?? null,
        fileNew: lastRun === null || run === null || run > lastRun,
        facts: { table, ...(JSON.parse(facts!) as object) } as ListFacts,
      });
    });
  }
  return out;
}

/** Each list's own columns, as ListFacts names them (a json object, so one query shape serves every list). */
const FACT_COLUMNS: Record<ListTable, string> = {
  'inspection.supervised': `'{}'::json`,
  'inspection.arrears': `json_build_object('wageMonths', t.wage_months, 'feeMonths', t.fee_months)`,
  'inspection.complaint': `json_build_object('received', t.received, 'complaintType', t.complaint_type)`,
  'inspection.credit': `json_build_object('year', t.year, 'grade', t.grade, 'dishonest', t.dishonest)`,
};

/** The keys a row is looked up by (see findUnit), each prefixed by the namespace it is looked up in. */
function keysOf(r: Pick<ListRow, 'code' | 'name' | 'nameKey'>): string[] {
  const keys: string[] = [];
  const c = cleanCode(r.code);
  if (c) keys.push(`c:${c}`);
  if (c.length === 18) keys.push(`c:${orgCodeFromUscc(c)}`);
  if (r.name) keys.push(`n:${r.name}`);
  if (r.nameKey) keys.push(`k:${r.nameKey}`);
  return keys;
}

/**
 * The keys whose lookup may have changed since the last linking: every code, name and name key of the
 * records that joined or left a unit since (a record that moves is a member of its new unit since the
 * run that moved it), and of the members of units that moved grid since; and the units retired since.
 */
async function changedSince(db: Kysely<DB>, lastRun: number, mark: string): Promise<{ keys: Set<string>; retired: Set<string> }> {
  const rows = await sql<{ uscc: string | null; org_code: string | null; name: string | null; name_key: string | null }>`
    select r.uscc, r.org_code, r.name, r.name_key
    from registry.unit_member m join registry.record r on r.record_id = m.record_id
    where m.since_run > ${lastRun}
       or m.unit_id in (select unit_id from grid.placement_change where id > ${mark}::bigint)`.execute(db);
  const keys = new Set<string>();
  for (const r of rows.rows) {
    if (r.uscc) keys.add(`c:${r.uscc}`);
    if (r.org_code) keys.add(`c:${r.org_code}`);
    if (r.name) keys.add(`n:${r.name}`);
    if (r.name_key) keys.add(`k:${r.name_key}`);
  }
  const retired = await db.selectFrom('registry.unit').select('id').where('retired_run', '>', lastRun).execute();
  return { keys, retired: new Set(retired.map((u) => u.id)) };
}

/**
 * The lookup entries of the rows' keys, complete for those keys: every live unit's record carrying any
 * of them. Entries of other keys may be partial; the rows never read them.
 */
async function loadUnitLookupFor(db: Kysely<DB>, rows: readonly ListRow[]): Promise<UnitLookup> {
  const codes = new Set<string>();
  const names = new Set<string>();
  const nameKeys = new Set<string>();
  for (const r of rows) {
    for (const k of keysOf(r)) (k.startsWith('c:') ? codes : k.startsWith('n:') ? names : nameKeys).add(k.slice(2));
  }
  if (codes.size + names.size + nameKeys.size === 0) return buildUnitLookup([]);
  const found = await sql<LookupRecord>`
    select m.unit_id, r.uscc, r.uscc_valid, r.org_code, r.org_code_valid, r.name, r.name_key
    from registry.record r
    join registry.unit_member m on m.record_id = r.record_id
    join registry.unit u on u.id = m.unit_id
    where u.retired_run is null
      and (r.uscc = any(${[...codes]}::text[]) or r.org_code = any(${[...codes]}::text[])
           or r.name = any(${[...names]}::text[]) or r.name_key = any(${[...nameKeys]}::text[]))`.execute(db);
  return buildUnitLookup(found.rows);
}

/**
 * The changed links and the linking's state, in one transaction (on PGlite its only writing connection).
 * A list's rows are normalised before they are linked, so the statistics taken then say every unit_id is
 * null (and a query for the linked rows is planned for one row): a list whose links changed much has
 * them taken again.
 */
async function writeLinks(ctx: StageContext, updates: readonly [ListTable, string, string | null][], mark: string): Promise<void> {
  const conn = await openStagingConnection(ctx.database);
  try {
    for (const table of Object.keys(LIST_KINDS) as ListTable[]) {
      const mine = updates.filter((u) => u[0] === table);
      if (mine.length === 0) continue;
      await tempTable(conn, 'supervise_link', [['record_id', 'bigint'], ['unit_id', 'text']], mine, (u) => [u[1], u[2]]);
      await conn.run(CompiledQuery.raw(`update ${table} t set unit_id = x.unit_id from supervise_link x where t.record_id = x.record_id`));
      await conn.run(CompiledQuery.raw('drop table supervise_link'));
    }
    await conn.run(
      sql`insert into inspection.link_state (id, run_id, placement_change_id) values (1, ${ctx.runId}::int, ${mark}::bigint)
          on conflict (id) do update set run_id = excluded.run_id, placement_change_id = excluded.placement_change_id`.compile(ctx.db),
    );
    await conn.commit();
  } catch (err) {
    await conn.rollback();
    throw err;
  }
  for (const table of Object.keys(LIST_KINDS) as ListTable[]) await refreshStatistics(ctx.db, ctx.log, table, updates.filter((u) => u[0] === table).length);
}
