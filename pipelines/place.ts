import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { loadGazetteer } from './normalize-records.ts';
import type { Gazetteer } from './normalize/addresses.ts';
import { addressEvidence, type AddressEvidence } from './grid/address-evidence.ts';
import { loadGridIndex } from './grid/grid-index.ts';
import { LEVEL2_METHODS, placeUnit, type Placement, type PlacementEvidence, type PlaceRecord, type PlacementContext, type StewardDecision } from './grid/place-unit.ts';
import { learnRoads, type RoadPoint } from './grid/road-gazetteer.ts';
import { loadActiveRules } from './grid/rules.ts';
import type { StageContext, StageCounts } from './stage.ts';

const BATCH = 1000;

export interface UnitRecords {
  unitId: string;
  records: PlaceRecord[];
}

/** Every live unit with the records placement reads, addresses parsed once per distinct text. */
export async function loadUnitRecords(db: Kysely<DB>, gazetteer: Gazetteer, unitIds?: string[]): Promise<UnitRecords[]> {
  if (unitIds && unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('registry.unit_member as m')
    .innerJoin('registry.unit as u', 'u.id', 'm.unit_id')
    .innerJoin('registry.record as r', 'r.record_id', 'm.record_id')
    .select(['m.unit_id', 'r.record_id', 'r.agency', 'r.is_current', 'r.division_code', 'r.address'])
    .where('u.retired_run', 'is', null)
    .$if(unitIds !== undefined, (q) => q.where('m.unit_id', 'in', unitIds!))
    .orderBy('m.unit_id')
    .orderBy('r.record_id')
    .execute();
  const parsed = new Map<string, AddressEvidence>();
  const evidence = (text: string | null) => {
    if (!text) return null;
    let e = parsed.get(text);
    if (!e) parsed.set(text, (e = addressEvidence(text, gazetteer)));
    return e;
  };
  const units: UnitRecords[] = [];
  for (const r of rows) {
    const last = units[units.length - 1];
    const rec: PlaceRecord = { record_id: r.record_id, agency: r.agency, is_current: r.is_current, division_code: r.division_code, address: evidence(r.address) };
    if (last && last.unitId === r.unit_id) last.records.push(rec);
    else units.push({ unitId: r.unit_id, records: [rec] });
  }
  return units;
}

export async function loadDecisions(db: Kysely<DB>): Promise<Map<string, StewardDecision>> {
  const rows = await db.selectFrom('grid.unit_decision').select(['unit_id', 'grid_l1', 'grid_l2', 'rule_id', 'decided_by']).execute();
  return new Map(rows.map((d) => [d.unit_id, { gridL1: d.grid_l1, gridL2: d.grid_l2, ruleId: d.rule_id, decidedBy: d.decided_by }]));
}

/**
 * Places every unit in two passes: first by steward decisions, division codes and community names; then,
 * with a road-and-number gazetteer learned from the units the first pass placed by their 12-digit code,
 * the rest (gazetteer, stewards' rules, level 1 only, unplaced).
 */
export function placeAll(units: UnitRecords[], base: Omit<PlacementContext, 'roads' | 'rules'>, rules: PlacementContext['rules'], decisions: Map<string, StewardDecision>): { placements: Map<string, Placement>; roadPoints: number } {
  const placements = new Map<string, Placement>();
  const points: RoadPoint[] = [];
  const firstPass: PlacementContext = { ...base, roads: null, rules: [] };
  for (const u of units) {
    const p = placeUnit(u.records, firstPass, decisions.get(u.unitId) ?? null);
    placements.set(u.unitId, p);
    if (p.method !== 'division_code' || !p.divisionCode) continue;
    // Only the records that agree with the code teach the gazetteer: an old address of a unit that moved does not.
    for (const r of u.records) {
      const road = r.is_current ? r.address?.road : null;
      if (road && (!r.address!.streetCode || p.divisionCode.startsWith(r.address!.streetCode))) points.push({ road: road.road, number: road.number, community: p.divisionCode, unitId: u.unitId });
    }
  }
  const second: PlacementContext = { ...base, roads: learnRoads(points), rules };
  for (const u of units) {
    const p = placements.get(u.unitId)!;
    if (!LEVEL2_METHODS.includes(p.method) && p.method !== 'outside_grid') placements.set(u.unitId, placeUnit(u.records, second));
    placements.get(u.unitId)!.evidence.basis = basisOf(u.records);
  }
  return { placements, roadPoints: points.length };
}

/** Reads an address again with the street/town put in front, so a community name found in several towns is read in this one. */
export function communitySettler(gazetteer: Gazetteer): (text: string, street: string) => string | null {
  return (text, street) => {
    const name = gazetteer.byCode.get(street)?.name;
    if (!name) return null;
    const again = addressEvidence(`${name}${text}`, gazetteer);
    return again.communityCode?.startsWith(street) && !again.communityAmbiguous ? again.communityCode : null;
  };
}

/** Which records, and which of them current, a placement was made from. */
function basisOf(records: readonly PlaceRecord[]): string {
  const key = records.map((r) => `${r.record_id}:${r.is_current ? 1 : 0}`).sort().join(',');
  return crypto.createHash('sha1').update(key).digest('hex').slice(0, 12);
}

/** JSON with object keys in one order: jsonb hands objects back with its own key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export async function placeUnits(ctx: StageContext): Promise<StageCounts> {
  const { db } = ctx;
  const [index, gazetteer, rules, decisions] = await Promise.all([loadGridIndex(db), loadGazetteer(db), loadActiveRules(db), loadDecisions(db)]);
  const units = await loadUnitRecords(db, gazetteer);
  const { placements, roadPoints } = placeAll(units, { index, settleCommunity: communitySettler(gazetteer) }, rules, decisions);

  const existing = new Map((await db.selectFrom('grid.placement').selectAll().execute()).map((p) => [p.unit_id, p]));
  const gridChanged = (await db.selectFrom('grid.grid_event').select('id').where('run_id', '=', ctx.runId).limit(1).execute()).length > 0;
  const byMethod: Record<string, number> = {};
  const unplacedByReason: Record<string, number> = {};
  const changesByCause: Record<string, number> = {};
  const writes: { unit_id: string; grid_l1: string | null; grid_l2: string | null; division_code: string | null; method: string; evidence: string; run_id: number }[] = [];
  const changes: { run_id: number; unit_id: string; from_l1: string | null; from_l2: string | null; to_l1: string | null; to_l2: string | null; from_method: string | null; to_method: string; cause: string; detail: string }[] = [];
  for (const [unitId, p] of placements) {
    byMethod[p.method] = (byMethod[p.method] ?? 0) + 1;
    if (!p.gridL2 && p.evidence.reason && p.method !== 'outside_grid') unplacedByReason[p.evidence.reason] = (unplacedByReason[p.evidence.reason] ?? 0) + 1;
    const evidence = JSON.stringify(p.evidence);
    const old = existing.get(unitId);
    if (old && old.grid_l1 === p.gridL1 && old.grid_l2 === p.gridL2 && old.method === p.method && old.division_code === p.divisionCode && canonicalJson(old.evidence) === canonicalJson(p.evidence)) continue;
    writes.push({ unit_id: unitId, grid_l1: p.gridL1, grid_l2: p.gridL2, division_code: p.divisionCode, method: p.method, evidence, run_id: ctx.runId });
    if (old && (old.grid_l1 !== p.gridL1 || old.grid_l2 !== p.gridL2)) {
      const sameRecords = (old.evidence as PlacementEvidence | null)?.basis === p.evidence.basis;
      const cause =
        p.method === 'steward' ? 'steward'
        : p.method === 'steward_rule' || old.method === 'steward_rule' ? 'rule'
        : !sameRecords ? 'evidence'
        : gridChanged ? 'grid_change'
        : 'gazetteer';
      changesByCause[cause] = (changesByCause[cause] ?? 0) + 1;
      changes.push({
        run_id: ctx.runId,
        unit_id: unitId,
        from_l1: old.grid_l1,
        from_l2: old.grid_l2,
        to_l1: p.gridL1,
        to_l2: p.gridL2,
        from_method: old.method,
        to_method: p.method,
        cause,
        detail: JSON.stringify({ from_division: old.division_code, to_division: p.divisionCode }),
      });
    }
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < writes.length; i += BATCH) {
      await trx
        .insertInto('grid.placement')
        .values(writes.slice(i, i + BATCH))
        .onConflict((oc) =>
          oc.column('unit_id').doUpdateSet((eb) => ({
            grid_l1: eb.ref('excluded.grid_l1'),
            grid_l2: eb.ref('excluded.grid_l2'),
            division_code: eb.ref('excluded.division_code'),
            method: eb.ref('excluded.method'),
            evidence: eb.ref('excluded.evidence'),
            run_id: eb.ref('excluded.run_id'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < changes.length; i += BATCH) await trx.insertInto('grid.placement_change').values(changes.slice(i, i + BATCH)).execute();
  });
  const level2 = [...placements.values()].filter((p) => p.gridL2 !== null).length;
  if (changesByCause.grid_change) ctx.log.info({ units: changesByCause.grid_change }, 'units re-placed because their grid changed');
  return {
    units: placements.size,
    placed_level2: level2,
    placed_level1_only: [...placements.values()].filter((p) => p.gridL1 !== null && p.gridL2 === null).length,
    placements_written: writes.length,
    road_points: roadPoints,
    by_method: byMethod,
    unplaced_by_reason: unplacedByReason,
    moved_by_cause: changesByCause,
  };
}
