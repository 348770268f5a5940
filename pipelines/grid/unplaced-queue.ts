/**
 * The stewards' side of placement, for `gridlink grid unplaced|place` and the web pages alike: the units
 * without a level-2 grid with the reason and the candidate grids, and a steward placing one of them
 * (optionally saving the address pattern as a rule, so the next unit like it is placed by itself).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Candidate, PlacementEvidence, UnplacedReason } from './place-unit.ts';
import { findRoadNumber } from './road-gazetteer.ts';
import { addRule, gridPair, type NewRule } from './rules.ts';

export interface QueueCandidate extends Candidate {
  grid_l1_name: string | null;
  grid_l2_name: string | null;
}

export interface QueueItem {
  unitId: string;
  name: string | null;
  address: string | null;
  status: string;
  /** Level-1 grid when the street/town is known. */
  gridL1: string | null;
  gridL1Name: string | null;
  method: string;
  reason: UnplacedReason | null;
  message: string | null;
  candidates: QueueCandidate[];
  /** A rule a steward may save with the placement: the road of the address, its number, and the street. */
  suggestedRule: { pattern: string; numberFrom: number; numberTo: number; scopeCode: string | null } | null;
  openReasons: string[];
}

export interface QueueQuery {
  /** Only units whose level-1 grid is this one (a level-1 inspector's own queue). */
  grid?: string | null;
  reason?: string | null;
  limit?: number;
  offset?: number;
}

export interface Queue {
  total: number;
  byReason: Record<string, number>;
  items: QueueItem[];
}

function queueBase(db: Kysely<DB>, q: QueueQuery) {
  return db
    .selectFrom('grid.placement as p')
    .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
    .where('u.retired_run', 'is', null)
    .where('p.grid_l2', 'is', null)
    .where('p.method', '<>', 'outside_grid')
    .$if(Boolean(q.grid), (x) => x.where('p.grid_l1', '=', q.grid!))
    .$if(Boolean(q.reason), (x) => x.where(sql<string>`p.evidence->>'reason'`, '=', q.reason!));
}

export async function listUnplaced(db: Kysely<DB>, q: QueueQuery = {}): Promise<Queue> {
  const counts = await queueBase(db, { grid: q.grid })
    .select([sql<string | null>`p.evidence->>'reason'`.as('reason'), sql<string>`count(*)`.as('n')])
    .groupBy(sql`p.evidence->>'reason'`)
    .execute();
  const byReason = Object.fromEntries(counts.map((c) => [c.reason ?? 'unknown', Number(c.n)]));
  const total = q.reason ? (byReason[q.reason] ?? 0) : Object.values(byReason).reduce((a, b) => a + b, 0);
  const rows = await queueBase(db, q)
    .leftJoin('grid.grid as g1', 'g1.code', 'p.grid_l1')
    .select(['u.id', 'u.name', 'u.address', 'u.status', 'p.grid_l1', 'g1.name as grid_l1_name', 'p.method', 'p.division_code', 'p.evidence'])
    .select(sql<string | null>`(select string_agg(r.reason, ';' order by r.reason) from inspection.report r where r.unit_id = u.id and r.closed_run is null)`.as('open_reasons'))
    .orderBy(sql`p.grid_l1 nulls last`)
    .orderBy('u.id')
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0)
    .execute();
  const gridCodes = new Set<string>();
  for (const r of rows) for (const c of (r.evidence as PlacementEvidence | null)?.candidates ?? []) for (const g of [c.grid_l1, c.grid_l2]) if (g) gridCodes.add(g);
  const names = gridCodes.size ? new Map((await db.selectFrom('grid.grid').select(['code', 'name']).where('code', 'in', [...gridCodes]).execute()).map((g) => [g.code, g.name])) : new Map<string, string>();
  const items = rows.map((r): QueueItem => {
    const ev = (r.evidence ?? { sources: [] }) as PlacementEvidence;
    const road = r.address ? findRoadNumber(r.address) : null;
    const street = r.division_code && r.division_code.length >= 9 ? r.division_code.slice(0, 9) : null;
    return {
      unitId: r.id,
      name: r.name,
      address: r.address,
      status: r.status,
      gridL1: r.grid_l1,
      gridL1Name: r.grid_l1_name,
      method: r.method,
      reason: (ev.reason as UnplacedReason | undefined) ?? null,
      message: ev.message ?? null,
      candidates: (ev.candidates ?? []).map((c) => ({ ...c, grid_l1_name: c.grid_l1 ? (names.get(c.grid_l1) ?? null) : null, grid_l2_name: c.grid_l2 ? (names.get(c.grid_l2) ?? null) : null })),
      suggestedRule: road ? { pattern: road.road, numberFrom: road.number, numberTo: road.number, scopeCode: street } : null,
      openReasons: r.open_reasons ? r.open_reasons.split(';') : [],
    };
  });
  return { total, byReason, items };
}

export interface StewardPlacement {
  unitId: string;
  gridCode: string;
  by?: string | null;
  note?: string | null;
  /** Save the address pattern as a rule too (pattern, optional number range and scope). */
  rule?: Omit<NewRule, 'gridCode' | 'by' | 'note'> | null;
}

export interface StewardPlacementResult {
  unitId: string;
  gridL1: string;
  gridL2: string | null;
  ruleId: number | null;
  /** Where the unit was before. */
  from: { gridL1: string | null; gridL2: string | null; method: string | null };
}

/**
 * A steward places a unit: the decision is remembered (it wins over every automatic method in later runs),
 * the placement and the unit's open reports move at once, and the move is recorded with who made it.
 */
export async function placeBySteward(db: Kysely<DB>, input: StewardPlacement): Promise<StewardPlacementResult> {
  return db.transaction().execute(async (trx) => {
    const unit = await trx.selectFrom('registry.unit').select(['id', 'retired_run']).where('id', '=', input.unitId).executeTakeFirst();
    if (!unit) throw new Error(`No unit ${input.unitId}. Run "gridlink grid unplaced" to list the units waiting for a grid.`);
    if (unit.retired_run !== null) throw new Error(`Unit ${input.unitId} was merged into another unit; place that one instead.`);
    const { gridL1, gridL2 } = await gridPair(trx, input.gridCode);
    const rule = input.rule ? await addRule(trx, { ...input.rule, gridCode: input.gridCode, by: input.by ?? null, note: input.note ?? null }) : null;
    const before = await trx.selectFrom('grid.placement').select(['grid_l1', 'grid_l2', 'method']).where('unit_id', '=', input.unitId).executeTakeFirst();
    await trx
      .insertInto('grid.unit_decision')
      .values({ unit_id: input.unitId, grid_l1: gridL1, grid_l2: gridL2, rule_id: rule?.id ?? null, note: input.note ?? null, decided_by: input.by ?? null })
      .onConflict((oc) =>
        oc.column('unit_id').doUpdateSet({ grid_l1: gridL1, grid_l2: gridL2, rule_id: rule?.id ?? null, note: input.note ?? null, decided_by: input.by ?? null, decided_at: new Date() }),
      )
      .execute();
    const evidence = JSON.stringify({ sources: [{ field: 'decision', value: gridL2 ?? gridL1, decided_by: input.by ?? null, ...(rule ? { rule_id: rule.id } : {}) }] });
    await trx
      .insertInto('grid.placement')
      .values({ unit_id: input.unitId, grid_l1: gridL1, grid_l2: gridL2, division_code: null, method: 'steward', evidence, run_id: null })
      .onConflict((oc) => oc.column('unit_id').doUpdateSet({ grid_l1: gridL1, grid_l2: gridL2, division_code: null, method: 'steward', evidence, run_id: null }))
      .execute();
    if (before?.grid_l1 !== gridL1 || before?.grid_l2 !== gridL2) {
      await trx
        .insertInto('grid.placement_change')
        .values({
          run_id: null,
          unit_id: input.unitId,
          from_l1: before?.grid_l1 ?? null,
          from_l2: before?.grid_l2 ?? null,
          to_l1: gridL1,
          to_l2: gridL2,
          from_method: before?.method ?? null,
          to_method: 'steward',
          cause: 'steward',
          detail: JSON.stringify({ by: input.by ?? null, note: input.note ?? null, rule_id: rule?.id ?? null }),
        })
        .execute();
    }
    await trx.updateTable('inspection.report').set({ grid_l1: gridL1, grid_l2: gridL2 }).where('unit_id', '=', input.unitId).where('closed_run', 'is', null).execute();
    return { unitId: input.unitId, gridL1, gridL2, ruleId: rule?.id ?? null, from: { gridL1: before?.grid_l1 ?? null, gridL2: before?.grid_l2 ?? null, method: before?.method ?? null } };
  });
}

/** Withdraws a steward's decision; the next run places the unit automatically again. */
export async function withdrawStewardPlacement(db: Kysely<DB>, unitId: string): Promise<void> {
  const res = await db.deleteFrom('grid.unit_decision').where('unit_id', '=', unitId).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new Error(`Unit ${unitId} has no steward placement to withdraw.`);
}
