import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { cleanCode, isValidOrgCode, isValidUscc, orgCodeFromUscc } from './normalize/codes.ts';
import { latestFiles } from './snapshots.ts';
import type { StageContext, StageCounts } from './stage.ts';

export const REASONS = ['new', 'unsupervised', 'arrears', 'complaints', 'credit'] as const;
export type Reason = (typeof REASONS)[number];

/** Finds the unit a labour-list row is about: by unified or organisation code, else by a name only one unit carries. */
export interface UnitLookup {
  byUscc: Map<string, string>;
  byOrgCode: Map<string, string>;
  byName: Map<string, string | null>;
}

export async function loadUnitLookup(db: Kysely<DB>): Promise<UnitLookup> {
  const rows = await db
    .selectFrom('registry.record as r')
    .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
    .select(['r.uscc', 'r.uscc_valid', 'r.org_code', 'r.org_code_valid', 'r.name_key', 'm.unit_id'])
    .execute();
  const lookup: UnitLookup = { byUscc: new Map(), byOrgCode: new Map(), byName: new Map() };
  for (const r of rows) {
    if (r.uscc_valid && r.uscc) lookup.byUscc.set(r.uscc, r.unit_id);
    if (r.org_code_valid && r.org_code) lookup.byOrgCode.set(r.org_code, r.unit_id);
    if (r.name_key) {
      const seen = lookup.byName.get(r.name_key);
      // Two units with one name: the name alone cannot tell which, so it decides nothing.
      lookup.byName.set(r.name_key, seen === undefined || seen === r.unit_id ? r.unit_id : null);
    }
  }
  return lookup;
}

export function findUnit(lookup: UnitLookup, code: string | null, nameKey: string | null): string | null {
  const c = cleanCode(code);
  if (c.length === 18) {
    const hit = lookup.byUscc.get(c) ?? (isValidUscc(c) ? lookup.byOrgCode.get(orgCodeFromUscc(c)) : undefined);
    if (hit) return hit;
  } else if (c.length === 9 && isValidOrgCode(c)) {
    const hit = lookup.byOrgCode.get(c);
    if (hit) return hit;
  }
  return nameKey ? (lookup.byName.get(nameKey) ?? null) : null;
}

type ListTable = 'inspection.supervised' | 'inspection.complaint' | 'inspection.arrears' | 'inspection.credit';
const LIST_KINDS: Record<ListTable, string> = {
  'inspection.supervised': 'labour.supervised',
  'inspection.complaint': 'labour.complaints',
  'inspection.arrears': 'labour.arrears',
  'inspection.credit': 'labour.credit',
};

/** Ties the current labour lists to units; returns the current rows of each list with their unit. */
async function linkLists(db: Kysely<DB>, lookup: UnitLookup): Promise<{ linked: number; unlinked: number; currentFiles: Map<string, number> }> {
  const currentFiles = await latestFiles(db, Object.values(LIST_KINDS));
  let linked = 0;
  let unlinked = 0;
  for (const [table, kind] of Object.entries(LIST_KINDS) as [ListTable, string][]) {
    const fileId = currentFiles.get(kind);
    if (fileId === undefined) continue;
    const codeColumn = table === 'inspection.supervised' ? 'code' : 'uscc';
    const rows = await db
      .selectFrom(`${table} as t` as 'inspection.supervised as t')
      .innerJoin('staging.record as s', 's.id', 't.record_id')
      .select(['t.record_id', `t.${codeColumn}` as 't.code', 't.name_key', 't.unit_id'])
      .where('s.file_id', '=', fileId)
      .execute();
    const updates = new Map<string | null, string[]>();
    for (const r of rows) {
      const unit = findUnit(lookup, r.code, r.name_key);
      if (unit) linked++;
      else unlinked++;
      if (unit !== r.unit_id) updates.set(unit, [...(updates.get(unit) ?? []), r.record_id]);
    }
    for (const [unit, ids] of updates) {
      for (let i = 0; i < ids.length; i += 1000) {
        await db.updateTable(table as 'inspection.supervised').set({ unit_id: unit }).where('record_id', 'in', ids.slice(i, i + 1000)).execute();
      }
    }
  }
  return { linked, unlinked, currentFiles };
}

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

export async function superviseUnits(ctx: StageContext): Promise<StageCounts> {
  const lookup = await loadUnitLookup(ctx.db);
  const { linked, unlinked, currentFiles } = await linkLists(ctx.db, lookup);
  const facts = await loadFacts(ctx, currentFiles);

  const desired = new Map<string, { unit_id: string; reason: Reason; detail: Record<string, unknown> }>();
  for (const u of facts.values()) for (const r of reasonsFor(u, ctx.asOf)) desired.set(`${u.id}|${r.reason}`, { unit_id: u.id, ...r });

  const placements = new Map((await ctx.db.selectFrom('grid.placement').select(['unit_id', 'grid_l1', 'grid_l2']).execute()).map((p) => [p.unit_id, p]));
  const open = await ctx.db.selectFrom('inspection.report').select(['id', 'unit_id', 'reason']).where('closed_run', 'is', null).execute();
  const stillOpen = new Set<string>();
  const toClose: Record<string, string[]> = {};
  for (const r of open) {
    const key = `${r.unit_id}|${r.reason}`;
    if (desired.has(key)) stillOpen.add(key);
    else {
      const why = facts.get(r.unit_id)?.status === 'closed' ? 'unit_closed' : 'reason_no_longer_holds';
      (toClose[why] ??= []).push(r.id);
    }
  }
  const toOpen = [...desired].filter(([k]) => !stillOpen.has(k)).map(([, d]) => {
    const p = placements.get(d.unit_id);
    return { unit_id: d.unit_id, reason: d.reason, grid_l1: p?.grid_l1 ?? null, grid_l2: p?.grid_l2 ?? null, detail: JSON.stringify(d.detail), as_of: ctx.asOf, opened_run: ctx.runId, opened_at: new Date(), closed_run: null, closed_at: null, close_reason: null };
  });
  await ctx.db.transaction().execute(async (trx) => {
    for (const [why, ids] of Object.entries(toClose)) {
      for (let i = 0; i < ids.length; i += 1000) {
        await trx.updateTable('inspection.report').set({ closed_run: ctx.runId, closed_at: new Date(), close_reason: why }).where('id', 'in', ids.slice(i, i + 1000)).execute();
      }
    }
    for (let i = 0; i < toOpen.length; i += 1000) await trx.insertInto('inspection.report').values(toOpen.slice(i, i + 1000)).execute();
  });

  const openByReason: Record<string, number> = {};
  for (const d of desired.values()) openByReason[d.reason] = (openByReason[d.reason] ?? 0) + 1;
  return {
    list_rows_linked: linked,
    list_rows_unlinked: unlinked,
    reports_opened: toOpen.length,
    reports_closed: Object.values(toClose).reduce((n, ids) => n + ids.length, 0),
    open_by_reason: openByReason,
  };
}

async function loadFacts(ctx: StageContext, currentFiles: Map<string, number>): Promise<Map<string, UnitFacts>> {
  const units = await ctx.db.selectFrom('registry.unit').select(['id', 'status', 'established']).where('retired_run', 'is', null).execute();
  const facts = new Map<string, UnitFacts>(
    units.map((u) => [u.id, { id: u.id, status: u.status, established: u.established, supervised: false, maxWageMonths: 0, maxFeeMonths: 0, complaintDates: [], collectivePetition: false, credit: [] }]),
  );
  const current = (kind: string) => currentFiles.get(kind) ?? -1;
  const ofFile = <T extends { unit_id: string | null }>(rows: T[]) => rows.filter((r) => r.unit_id && facts.has(r.unit_id));

  const supervised = await ctx.db.selectFrom('inspection.supervised as t').innerJoin('staging.record as s', 's.id', 't.record_id').select(['t.unit_id']).where('s.file_id', '=', current('labour.supervised')).execute();
  for (const r of ofFile(supervised)) facts.get(r.unit_id!)!.supervised = true;

  const arrears = await ctx.db.selectFrom('inspection.arrears as t').innerJoin('staging.record as s', 's.id', 't.record_id').select(['t.unit_id', 't.wage_months', 't.fee_months']).where('s.file_id', '=', current('labour.arrears')).execute();
  for (const r of ofFile(arrears)) {
    const f = facts.get(r.unit_id!)!;
    f.maxWageMonths = Math.max(f.maxWageMonths, r.wage_months ?? 0);
    f.maxFeeMonths = Math.max(f.maxFeeMonths, r.fee_months ?? 0);
  }

  const complaints = await ctx.db.selectFrom('inspection.complaint as t').innerJoin('staging.record as s', 's.id', 't.record_id').select(['t.unit_id', 't.received', 't.complaint_type']).where('s.file_id', '=', current('labour.complaints')).execute();
  for (const r of ofFile(complaints)) {
    if (!r.received) continue;
    const f = facts.get(r.unit_id!)!;
    f.complaintDates.push(r.received);
    const age = daysBetween(r.received, ctx.asOf);
    if ((r.complaint_type ?? '').includes('集体上访') && age >= 0 && age < 365) f.collectivePetition = true;
  }

  const credit = await ctx.db.selectFrom('inspection.credit as t').innerJoin('staging.record as s', 's.id', 't.record_id').select(['t.unit_id', 't.year', 't.grade', 't.dishonest']).where('s.file_id', '=', current('labour.credit')).execute();
  for (const r of ofFile(credit)) facts.get(r.unit_id!)!.credit.push({ year: r.year, grade: r.grade, dishonest: r.dishonest });
  return facts;
}
