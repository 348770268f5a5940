import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { linkLists, placementChangeMark, type ListRow, type Placed } from './inspection/list-links.ts';
import { noticesFor, type DesiredNotice } from './inspection/notices.ts';
import { copyLine, type CopyValue } from './ingest/copy-text.ts';
import { withForeignKeysCheckedBySet, type ForeignKeyScope } from '../db/foreign-keys-by-set.ts';
import { openStagingConnection, tempTable, type StagingConnection } from './ingest/staging-connection.ts';
import { copyOut, copyOutRows } from '../db/copy-out.ts';
import type { StageContext, StageCounts } from './stage.ts';

export const REASONS = ['new', 'unsupervised', 'arrears', 'complaints', 'credit'] as const;
export type Reason = (typeof REASONS)[number];

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface UnitFacts {
  id: string;
  status: string;
  established: string | null;
  supervised: boolean;
  maxWageMonths: number;
  maxFeeMonths: number;
  complaintDates: string[];
  collectivePetition: boolean;
  credit: { year: number | null; grade: string | null; dishonest: boolean | null }[];
}

/** The bureau's priority rules (art. 23 of the measures), relative to the as-of date. */
export function reasonsFor(u: UnitFacts, asOf: string): { reason: Reason; detail: Record<string, unknown> }[] {
  if (u.status === 'closed') return [];
  const out: { reason: Reason; detail: Record<string, unknown> }[] = [];
  if (u.established && !u.supervised) {
    const age = daysBetween(u.established, asOf);
    if (age >= 0 && age <= 89) out.push({ reason: 'new', detail: { established: u.established, days: age } });
  }
  if (u.status === 'active' && !u.supervised) out.push({ reason: 'unsupervised', detail: {} });
  if (u.maxWageMonths >= 2 || u.maxFeeMonths >= 2) out.push({ reason: 'arrears', detail: { wage_months: u.maxWageMonths, fee_months: u.maxFeeMonths } });
  const inWindow = u.complaintDates.filter((d) => {
    const age = daysBetween(d, asOf);
    return age >= 0 && age < 365;
  });
  if (inWindow.length >= 2 || u.collectivePetition) out.push({ reason: 'complaints', detail: { complaints: inWindow.length, collective_petition: u.collectivePetition } });
  const years = u.credit.map((c) => c.year ?? 0);
  const latest = years.length ? Math.max(...years) : null;
  const gradeC = u.credit.some((c) => (c.year ?? 0) === latest && c.grade === 'C');
  const dishonest = u.credit.some((c) => c.dishonest === true);
  if (gradeC || dishonest) out.push({ reason: 'credit', detail: { year: latest, grade_c: gradeC, dishonest } });
  return out;
}

/**
 * Reports to inspectors (art. 23) and notices to supervising grids, from the units and the bureau's current
 * lists. A report is opened once per unit and reason, stays open while the reason holds and is closed (never
 * deleted) when it no longer does; running again with the same inputs writes nothing. List rows are tied to
 * units first (inspection/list-links.ts: only the rows whose unit may have changed since the last run).
 */
export async function superviseUnits(ctx: StageContext): Promise<StageCounts> {
  const mark = await placementChangeMark(ctx.db);
  const placements = await readPlacements(ctx);
  const links = await linkLists(ctx, placements, mark);
  const facts = await loadFacts(ctx, links.rows);

  const desired = new Map<string, { unit_id: string; reason: Reason; detail: Record<string, unknown> }>();
  for (const u of facts.values()) for (const r of reasonsFor(u, ctx.asOf)) desired.set(`${u.id}|${r.reason}`, { unit_id: u.id, ...r });
  const reports = await syncReports(ctx, desired, facts, placements);
  const notices = await syncNotices(ctx, await desiredNotices(ctx.db, facts, links.rows, placements));

  const openByReason: Record<string, number> = {};
  for (const d of desired.values()) openByReason[d.reason] = (openByReason[d.reason] ?? 0) + 1;
  return {
    list_rows_linked: links.linked,
    list_rows_unlinked: links.unlinked,
    list_rows_relinked: links.relinked,
    list_links_full: links.full ? 1 : 0,
    linked_by: links.linkedBy,
    ...reports,
    open_by_reason: openByReason,
    ...notices,
  };
}

async function syncReports(
  ctx: StageContext,
  desired: Map<string, { unit_id: string; reason: Reason; detail: Record<string, unknown> }>,
  facts: Map<string, UnitFacts>,
  placements: Map<string, Placed>,
): Promise<{ reports_opened: number; reports_closed: number; reports_regridded: number }> {
  const open = await copyOutRows(
    ctx.database,
    ctx.db.selectFrom('inspection.report').select(['id', 'unit_id', 'reason', 'grid_l1', 'grid_l2']).where('closed_run', 'is', null).compile(),
    ([id, unitId, reason, l1, l2]) => ({ id: id!, unit_id: unitId!, reason: reason!, grid_l1: l1 ?? null, grid_l2: l2 ?? null }),
  );
  const stillOpen = new Set<string>();
  const toClose: Record<string, string[]> = {};
  // An open report follows its unit when the unit is placed elsewhere: the row is updated, not duplicated.
  const regrid: { id: string; grid_l1: string | null; grid_l2: string | null }[] = [];
  for (const r of open) {
    const key = `${r.unit_id}|${r.reason}`;
    if (desired.has(key)) {
      stillOpen.add(key);
      const p = placements.get(r.unit_id);
      if ((p?.grid_l1 ?? null) !== r.grid_l1 || (p?.grid_l2 ?? null) !== r.grid_l2) regrid.push({ id: r.id, grid_l1: p?.grid_l1 ?? null, grid_l2: p?.grid_l2 ?? null });
    } else {
      const unit = facts.get(r.unit_id);
      const why = !unit ? 'unit_retired' : unit.status === 'closed' ? 'unit_closed' : 'reason_no_longer_holds';
      (toClose[why] ??= []).push(r.id);
    }
  }
  const now = new Date().toISOString();
  const toOpen = [...desired].filter(([k]) => !stillOpen.has(k)).map(([, d]): CopyValue[] => {
    const p = placements.get(d.unit_id);
    return [d.unit_id, d.reason, p?.grid_l1 ?? null, p?.grid_l2 ?? null, JSON.stringify(d.detail), ctx.asOf, ctx.runId, now];
  });
  const closing = Object.entries(toClose).flatMap(([why, ids]) => ids.map((id): CopyValue[] => [id, why]));
  if (closing.length + toOpen.length + regrid.length > 0) {
    await withCopyConnection(ctx, async (conn) => {
      if (closing.length > 0) {
        await tempTable(conn, 'supervise_close', [['id', 'bigint'], ['why', 'text']], closing, (c) => c);
        await conn.run(
          sql`update inspection.report r set closed_run = ${ctx.runId}::int, closed_at = ${now}::timestamptz, close_reason = x.why
              from supervise_close x where r.id = x.id`.compile(ctx.db),
        );
      }
      if (toOpen.length > 0) await conn.copy('inspection.report', ['unit_id', 'reason', 'grid_l1', 'grid_l2', 'detail', 'as_of', 'opened_run', 'opened_at'], toOpen.map(copyLine));
      if (regrid.length > 0) {
        await tempTable(conn, 'supervise_regrid', [['id', 'bigint'], ['grid_l1', 'text'], ['grid_l2', 'text']], regrid, (r) => [r.id, r.grid_l1, r.grid_l2]);
        await conn.run(CompiledQuery.raw('update inspection.report r set grid_l1 = x.grid_l1, grid_l2 = x.grid_l2 from supervise_regrid x where r.id = x.id'));
      }
    }, [openedOrClosed('inspection.report', ctx.runId)]);
  }
  return { reports_opened: toOpen.length, reports_closed: Object.values(toClose).reduce((n, ids) => n + ids.length, 0), reports_regridded: regrid.length };
}

/** Units on the current supervised list, with the grid it names and where they are placed now. */
async function desiredNotices(db: Kysely<DB>, facts: Map<string, UnitFacts>, listRows: readonly ListRow[], placements: Map<string, Placed>): Promise<DesiredNotice[]> {
  const rows = listRows.filter((r) => r.table === 'inspection.supervised' && r.unitId !== null);
  if (rows.length === 0) return [];
  // The grid a row names counts only while that grid is active.
  const active = new Map((await db.selectFrom('grid.grid').select(['code', 'level']).where('active', '=', true).execute()).map((g) => [g.code, g.level]));
  // The latest move of each unit on new evidence (not because the grid itself changed): where it came from.
  const moves = await db
    .selectFrom('grid.placement_change')
    .select(['unit_id', 'from_l1', 'from_l2'])
    .where('cause', 'in', ['evidence', 'steward'])
    .orderBy('id')
    .execute();
  const previous = new Map(moves.map((m) => [m.unit_id, m.from_l2 ?? m.from_l1]));
  const out = new Map<string, DesiredNotice>();
  for (const r of rows) {
    const unit = facts.get(r.unitId!);
    if (!unit) continue;
    const p = placements.get(unit.id);
    const level = r.grid === null ? undefined : active.get(r.grid);
    for (const n of noticesFor({
      unitId: unit.id,
      status: unit.status,
      listGrid: level === undefined ? null : r.grid,
      listGridLevel: level ?? null,
      previousGrid: previous.get(unit.id) ?? null,
      placement: p ? { gridL1: p.grid_l1, gridL2: p.grid_l2, method: p.method } : null,
    })) {
      out.set(`${n.unitId}|${n.kind}|${n.gridCode}`, n);
    }
  }
  return [...out.values()];
}

async function syncNotices(ctx: StageContext, desired: DesiredNotice[]): Promise<{ notices_opened: number; notices_closed: number }> {
  const want = new Map(desired.map((n) => [`${n.unitId}|${n.kind}|${n.gridCode}`, n]));
  const open = await ctx.db.selectFrom('inspection.notice').select(['id', 'unit_id', 'kind', 'grid_code', 'to_grid']).where('closed_run', 'is', null).execute();
  const keep = new Set<string>();
  const close: string[] = [];
  const retarget: { id: string; to_grid: string | null }[] = [];
  for (const n of open) {
    const key = `${n.unit_id}|${n.kind}|${n.grid_code}`;
    const w = want.get(key);
    if (!w) close.push(n.id);
    else {
      keep.add(key);
      if (w.toGrid !== n.to_grid) retarget.push({ id: n.id, to_grid: w.toGrid });
    }
  }
  const now = new Date().toISOString();
  const toOpen = [...want].filter(([k]) => !keep.has(k)).map(([, n]): CopyValue[] => [n.unitId, n.kind, n.gridCode, n.toGrid, JSON.stringify(n.detail), ctx.asOf, ctx.runId]);
  if (close.length + retarget.length + toOpen.length > 0) {
    await withCopyConnection(ctx, async (conn) => {
      if (close.length > 0) {
        await tempTable(conn, 'supervise_close', [['id', 'bigint']], close, (id) => [id]);
        await conn.run(
          sql`update inspection.notice n set closed_run = ${ctx.runId}::int, closed_at = ${now}::timestamptz, close_reason = 'no_longer_holds'
              from supervise_close x where n.id = x.id`.compile(ctx.db),
        );
      }
      if (retarget.length > 0) {
        await tempTable(conn, 'supervise_retarget', [['id', 'bigint'], ['to_grid', 'text']], retarget, (r) => [r.id, r.to_grid]);
        await conn.run(CompiledQuery.raw('update inspection.notice n set to_grid = x.to_grid from supervise_retarget x where n.id = x.id'));
      }
      if (toOpen.length > 0) await conn.copy('inspection.notice', ['unit_id', 'kind', 'grid_code', 'to_grid', 'detail', 'as_of', 'opened_run'], toOpen.map(copyLine));
    }, [openedOrClosed('inspection.notice', ctx.runId)]);
  }
  return { notices_opened: toOpen.length, notices_closed: close.length };
}

/**
 * Where every unit is placed. The stage reads every placement, every live unit and every open report each
 * night (reasons depend on the date): as COPY text (db/copy-out.ts), which on PGlite reads them in a third
 * of the time.
 */
async function readPlacements(ctx: StageContext): Promise<Map<string, Placed>> {
  const out = new Map<string, Placed>();
  const query = ctx.db.selectFrom('grid.placement').select(['unit_id', 'grid_l1', 'grid_l2', 'method']).compile();
  await copyOut(ctx.database, query, ([unitId, l1, l2, method]) => out.set(unitId!, { grid_l1: l1 ?? null, grid_l2: l2 ?? null, method: method! }));
  return out;
}

/** Each live unit's facts from the rows of the current lists (linkLists read and linked them). */
async function loadFacts(ctx: StageContext, listRows: readonly ListRow[]): Promise<Map<string, UnitFacts>> {
  const units = await copyOutRows(
    ctx.database,
    ctx.db.selectFrom('registry.unit').select(['id', 'status', 'established']).where('retired_run', 'is', null).compile(),
    ([id, status, established]) => ({ id: id!, status: status!, established: established ?? null }),
  );
  const facts = new Map<string, UnitFacts>(
    units.map((u) => [u.id, { id: u.id, status: u.status, established: u.established, supervised: false, maxWageMonths: 0, maxFeeMonths: 0, complaintDates: [], collectivePetition: false, credit: [] }]),
  );
  for (const r of listRows) {
    const f = r.unitId === null ? undefined : facts.get(r.unitId);
    if (!f) continue;
    const row = r.facts;
    switch (row.table) {
      case 'inspection.supervised':
        f.supervised = true;
        break;
      case 'inspection.arrears':
        f.maxWageMonths = Math.max(f.maxWageMonths, row.wageMonths ?? 0);
        f.maxFeeMonths = Math.max(f.maxFeeMonths, row.feeMonths ?? 0);
        break;
      case 'inspection.complaint': {
        if (!row.received) break;
        f.complaintDates.push(row.received);
        const age = daysBetween(row.received, ctx.asOf);
        if ((row.complaintType ?? '').includes('集体上访') && age >= 0 && age < 365) f.collectivePetition = true;
        break;
      }
      case 'inspection.credit':
        f.credit.push({ year: row.year, grade: row.grade, dishonest: row.dishonest });
        break;
    }
  }
  return facts;
}

/** One transaction through the ingest's COPY-capable connection; its temporary tables are dropped at commit. */
async function withCopyConnection(ctx: StageContext, work: (conn: StagingConnection) => Promise<void>, checked: readonly ForeignKeyScope[] = []): Promise<void> {
  const conn = await openStagingConnection(ctx.database);
  try {
    // Tables whose rows this run opens or closes have their foreign keys checked by set (db/foreign-keys-by-set.ts).
    if (checked.length > 0) await withForeignKeysCheckedBySet(conn, checked, () => work(conn));
    else await work(conn);
    await conn.commit();
  } catch (err) {
    await conn.rollback();
    throw err;
  }
}

/** The rows of a report or notice table this run writes a run id into (regridding and retargeting touch no key). */
const openedOrClosed = (table: string, runId: number): ForeignKeyScope => ({ table, where: 't.opened_run = $1 or t.closed_run = $1', parameters: [runId] });
