import crypto from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { anyOf } from '../db/any-of.ts';
import { loadGazetteer } from './normalize-records.ts';
import type { Gazetteer } from './normalize/addresses.ts';
import { addressEvidence, type AddressEvidence } from './grid/address-evidence.ts';
import { loadGridIndex } from './grid/grid-index.ts';
import { LEVEL2_METHODS, placeUnit, type Placement, type PlaceRecord, type PlacementContext, type StewardDecision } from './grid/place-unit.ts';
import { learnRoads, type RoadGazetteer, type RoadPoint } from './grid/road-gazetteer.ts';
import { loadActiveRules } from './grid/rules.ts';
import { withForeignKeysCheckedBySet } from '../db/foreign-keys-by-set.ts';
import { copyRows, openStagingConnection } from './ingest/staging-connection.ts';
import { copyOut } from '../db/copy-out.ts';
import type { StageContext, StageCounts } from './stage.ts';

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
    .$if(unitIds !== undefined, (q) => q.where('m.unit_id', '=', anyOf(unitIds!, 'text')))
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
export function placeAll(
  units: UnitRecords[],
  base: Omit<PlacementContext, 'roads' | 'rules'>,
  rules: PlacementContext['rules'],
  decisions: Map<string, StewardDecision>,
  /** Road points of units not in `units` (an incremental run): the gazetteer learns from them too. */
  otherPoints: readonly RoadPoint[] = [],
  /** The gazetteer already learned from these points (`units` then must teach it nothing new). */
  learned?: RoadGazetteer,
): { placements: Map<string, Placement>; points: RoadPoint[]; roadPoints: number; roads: RoadGazetteer } {
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
  const roads = learned && points.length === 0 ? learned : learnRoads(otherPoints.length ? [...otherPoints, ...points] : points);
  const second: PlacementContext = { ...base, roads, rules };
  for (const u of units) {
    const p = placements.get(u.unitId)!;
    if (!LEVEL2_METHODS.includes(p.method) && p.method !== 'outside_grid') placements.set(u.unitId, placeUnit(u.records, second));
    placements.get(u.unitId)!.evidence.basis = basisOf(u.records);
  }
  return { placements, points, roadPoints: points.length + otherPoints.length, roads };
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
  return crypto.hash('sha1', key, 'hex').slice(0, 12);
}

/** Methods the first pass settles for good: such a placement never depended on the road gazetteer or rules. */
const FIRST_PASS_FINAL: readonly string[] = ['steward', 'division_code', 'address_community', 'outside_grid'];
// Bump when placement logic changes, so the next run places every unit again instead of only the changed ones.
const PLACEMENT_VERSION = 1;

/**
 * Everything placement reads besides the units' own records: divisions (the gazetteer), grids and their
 * divisions, stewards' rules and decisions. Equal keys mean an unchanged unit would be placed as before.
 */
async function placementInputsKey(db: Kysely<DB>): Promise<string> {
  const row = await sql<{ key: string }>`
    select md5(concat_ws('|', ${PLACEMENT_VERSION}::text,
      (select md5(coalesce(string_agg(concat_ws(',', code, name, level, parent_code), ';' order by code), '')) from grid.division),
      (select md5(coalesce(string_agg(concat_ws(',', code, level, parent_code, active), ';' order by code), '')) from grid.grid),
      (select md5(coalesce(string_agg(grid_code || ',' || division_code, ';' order by grid_code, division_code), '')) from grid.grid_division),
      (select md5(coalesce(string_agg(concat_ws(',', id, pattern, number_from, number_to, scope_code, grid_l1, grid_l2), ';' order by id), ''))
         from grid.rule where removed_at is null),
      (select md5(coalesce(string_agg(concat_ws(',', unit_id, grid_l1, grid_l2, rule_id), ';' order by unit_id), '')) from grid.unit_decision)
    )) as key`.execute(db);
  return row.rows[0]!.key;
}

const pointKey = (p: RoadPoint) => `${p.unitId}|${p.road}|${p.number}|${p.community}`;

interface PlacementPlan {
  mode: 'full' | 'incremental';
  units: UnitRecords[];
  placements: Map<string, Placement>;
  /** Units whose road points are replaced by `points` (all of them on a full run). */
  pointUnits: string[] | 'all';
  points: RoadPoint[];
  roadPoints: number;
}

/**
 * Which units to place this run. When the placement inputs are those of the last placing run, only units
 * whose members or their currency changed since (updated_run), and units never placed, are placed again —
 * plus, when their road points change the gazetteer, every unit that went through the gazetteer's pass.
 * The result equals placing every unit (tested), at the cost of the change.
 */
async function planPlacement(ctx: StageContext, key: string, base: Omit<PlacementContext, 'roads' | 'rules'>, gazetteer: Gazetteer, rules: PlacementContext['rules'], decisions: Map<string, StewardDecision>): Promise<PlacementPlan> {
  const { db } = ctx;
  const state = await db.selectFrom('grid.place_state').select(['inputs_key', 'run_id']).executeTakeFirst();
  if (!state || state.inputs_key !== key) {
    const units = await loadUnitRecords(db, gazetteer);
    const { placements, points, roadPoints } = placeAll(units, base, rules, decisions);
    return { mode: 'full', units, placements, pointUnits: 'all', points, roadPoints };
  }
  const changed = (
    await sql<{ id: string }>`
      select u.id from registry.unit u left join grid.placement p on p.unit_id = u.id
      where u.retired_run is null and (u.updated_run > ${state.run_id} or p.unit_id is null)
      order by u.id`.execute(db)
  ).rows.map((r) => r.id);
  const retired = (await db.selectFrom('registry.unit').select('id').where('retired_run', '>', state.run_id).execute()).map((r) => r.id);
  const replaced = [...changed, ...retired];
  if (replaced.length === 0) {
    // Nothing changed since the last placing run: every placement and road point stands, so the points
    // (304,000 at 250,000 units) are counted, not read.
    const stored = await db.selectFrom('grid.road_point').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return { mode: 'incremental', units: [], placements: new Map(), pointUnits: [], points: [], roadPoints: Number(stored.n) };
  }
  const replacedSet = new Set(replaced);
  // Every stored point in one read, as COPY text (db/copy-out.ts; about a third of the time on PGlite): the
  // replaced units' points are compared with what they teach now, the others teach the gazetteer as they are.
  const oldPoints: RoadPoint[] = [];
  const others: RoadPoint[] = [];
  await copyOut(ctx.database, db.selectFrom('grid.road_point').select(['unit_id', 'road', 'number', 'community']).compile(), ([unitId, road, number, community]) => {
    const p: RoadPoint = { road: road!, number: Number(number), community: community!, unitId: unitId! };
    (replacedSet.has(p.unitId) ? oldPoints : others).push(p);
  });

  let units = await loadUnitRecords(db, gazetteer, changed);
  let result = placeAll(units, base, rules, decisions, others);
  const before = new Set(oldPoints.map(pointKey));
  const roadsChanged = result.points.length !== before.size || result.points.some((p) => !before.has(pointKey(p)));
  if (roadsChanged) {
    // The gazetteer learned something new: every unit it placed, or could not place, may read differently now.
    const viaGazetteer = (
      await db
        .selectFrom('grid.placement as p')
        .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
        .select('p.unit_id')
        .where('u.retired_run', 'is', null)
        .where('p.method', 'not in', [...FIRST_PASS_FINAL])
        .execute()
    )
      .map((r) => r.unit_id)
      .filter((id) => !replacedSet.has(id));
    const extra = await loadUnitRecords(db, gazetteer, viaGazetteer);
    // Units the first pass does not place by code teach the gazetteer nothing: the one just learned places
    // them as placing everything again would, without placing the changed units and learning it twice.
    const more = placeAll(extra, base, rules, decisions, [...others, ...result.points], result.roads);
    units = [...units, ...extra];
    if (more.points.length === 0) result = { ...result, placements: new Map([...result.placements, ...more.placements]) };
    else result = placeAll(units, base, rules, decisions, others);
    replaced.push(...viaGazetteer);
  }
  return { mode: 'incremental', units, placements: result.placements, pointUnits: replaced, points: result.points, roadPoints: result.roadPoints };
}

export async function placeUnits(ctx: StageContext): Promise<StageCounts> {
  const { db } = ctx;
  const [index, gazetteer, rules, decisions, key] = await Promise.all([loadGridIndex(db), loadGazetteer(db), loadActiveRules(db), loadDecisions(db), placementInputsKey(db)]);
  const plan = await planPlacement(ctx, key, { index, settleCommunity: communitySettler(gazetteer) }, gazetteer, rules, decisions);
  const { placements } = plan;

  const gridChanged = (await db.selectFrom('grid.grid_event').select('id').where('run_id', '=', ctx.runId).limit(1).execute()).length > 0;
  const { written, changesByCause } = await writePlacements(ctx, plan, key, gridChanged);
  if (changesByCause.grid_change) ctx.log.info({ units: changesByCause.grid_change }, 'units re-placed because their grid changed');
  return {
    ...(await placementTotals(db)),
    units_placed_this_run: placements.size,
    full_placement: plan.mode === 'full' ? 1 : 0,
    placements_written: written,
    road_points: plan.roadPoints,
    moved_by_cause: changesByCause,
  };
}

/** The stage's totals describe every live unit's placement, whichever units this run placed. */
async function placementTotals(db: Kysely<DB>): Promise<StageCounts> {
  const rows = await sql<{ method: string; reason: string | null; level2: boolean; level1: boolean; n: string }>`
    select p.method, p.evidence->>'reason' as reason, p.grid_l2 is not null as level2, p.grid_l1 is not null as level1, count(*) as n
    from grid.placement p join registry.unit u on u.id = p.unit_id
    where u.retired_run is null
    group by 1, 2, 3, 4`.execute(db);
  const byMethod: Record<string, number> = {};
  const unplacedByReason: Record<string, number> = {};
  let units = 0;
  let level2 = 0;
  let level1Only = 0;
  for (const r of rows.rows) {
    const n = Number(r.n);
    units += n;
    byMethod[r.method] = (byMethod[r.method] ?? 0) + n;
    if (r.level2) level2 += n;
    else if (r.level1) level1Only += n;
    if (!r.level2 && r.reason && r.method !== 'outside_grid') unplacedByReason[r.reason] = (unplacedByReason[r.reason] ?? 0) + n;
  }
  return { units, placed_level2: level2, placed_level1_only: level1Only, by_method: byMethod, unplaced_by_reason: unplacedByReason };
}

/**
 * Writes what changed, compared in SQL: the run's placements go by COPY into a temporary table, and jsonb
 * equality (key order ignored) decides which rows differ from the stored ones, so no stored evidence is read
 * into this process. The moves are recorded from the same comparison before the placements are replaced.
 */
async function writePlacements(ctx: StageContext, plan: PlacementPlan, key: string, gridChanged: boolean): Promise<{ written: number; changesByCause: Record<string, number> }> {
  const { db, runId } = ctx;
  const entries = [...plan.placements];
  const conn = await openStagingConnection(ctx.database);
  try {
    await conn.run(CompiledQuery.raw(`create temp table place_new (ord int, unit_id text primary key, grid_l1 text, grid_l2 text, division_code text, method text, evidence jsonb, basis text) on commit drop`));
    await copyRows(conn, 'place_new', ['ord', 'unit_id', 'grid_l1', 'grid_l2', 'division_code', 'method', 'evidence', 'basis'], entries.length, (i) => {
      const [unitId, p] = entries[i]!;
      return [i, unitId, p.gridL1, p.gridL2, p.divisionCode, p.method, JSON.stringify(p.evidence), p.evidence.basis ?? null];
    });
    await conn.run(CompiledQuery.raw('analyze place_new'));
    // This run's placement rows and moves carry its id: their foreign keys are checked by set (db/foreign-keys-by-set.ts).
    const thisRun = (table: string) => ({ table, where: 't.run_id = $1', parameters: [runId] });
    const { moved, written } = await withForeignKeysCheckedBySet(conn, [thisRun('grid.placement'), thisRun('grid.placement_change')], async () => {
      // A move's cause: a steward, a rule, new records (another basis), the grid itself, else the gazetteer.
      const moved = await conn.run(
        sql<{ cause: string; n: string }>`
          with ins as (
            insert into grid.placement_change (run_id, unit_id, from_l1, from_l2, to_l1, to_l2, from_method, to_method, cause, detail)
            select ${runId}::int, n.unit_id, p.grid_l1, p.grid_l2, n.grid_l1, n.grid_l2, p.method, n.method,
              case
                when n.method = 'steward' then 'steward'
                when n.method = 'steward_rule' or p.method = 'steward_rule' then 'rule'
                when (p.evidence->>'basis') is distinct from n.basis then 'evidence'
                when ${gridChanged}::boolean then 'grid_change'
                else 'gazetteer'
              end,
              jsonb_build_object('from_division', p.division_code, 'to_division', n.division_code)
            from place_new n join grid.placement p on p.unit_id = n.unit_id
            where p.grid_l1 is distinct from n.grid_l1 or p.grid_l2 is distinct from n.grid_l2
            order by n.ord
            returning cause, unit_id
          )
          select ins.cause, count(*) as n from ins join place_new n on n.unit_id = ins.unit_id group by ins.cause order by min(n.ord)`.compile(db),
      );
      const written = await conn.run(
        sql<{ n: string }>`
          with up as (
            insert into grid.placement (unit_id, grid_l1, grid_l2, division_code, method, evidence, run_id)
            select n.unit_id, n.grid_l1, n.grid_l2, n.division_code, n.method, n.evidence, ${runId}::int
            from place_new n left join grid.placement p on p.unit_id = n.unit_id
            where p.unit_id is null
              or p.grid_l1 is distinct from n.grid_l1 or p.grid_l2 is distinct from n.grid_l2
              or p.method is distinct from n.method or p.division_code is distinct from n.division_code
              or p.evidence is distinct from n.evidence
            on conflict (unit_id) do update set grid_l1 = excluded.grid_l1, grid_l2 = excluded.grid_l2, division_code = excluded.division_code,
              method = excluded.method, evidence = excluded.evidence, run_id = excluded.run_id
            returning 1
          )
          select count(*) as n from up`.compile(db),
      );
      return { moved, written };
    });
    if (plan.pointUnits === 'all') await conn.run(CompiledQuery.raw('delete from grid.road_point'));
    else if (plan.pointUnits.length > 0) {
      const ids = plan.pointUnits;
      await conn.run(CompiledQuery.raw('create temp table place_point_unit (unit_id text) on commit drop'));
      await copyRows(conn, 'place_point_unit', ['unit_id'], ids.length, (i) => [ids[i]!]);
      await conn.run(CompiledQuery.raw('delete from grid.road_point r using place_point_unit u where r.unit_id = u.unit_id'));
    }
    const points = plan.points;
    await copyRows(conn, 'grid.road_point', ['unit_id', 'road', 'number', 'community'], points.length, (i) => [points[i]!.unitId, points[i]!.road, points[i]!.number, points[i]!.community]);
    await conn.run(
      sql`insert into grid.place_state (id, inputs_key, run_id) values (1, ${key}, ${runId}::int)
          on conflict (id) do update set inputs_key = excluded.inputs_key, run_id = excluded.run_id`.compile(db),
    );
    await conn.commit();
    const changesByCause: Record<string, number> = {};
    for (const r of moved) changesByCause[r.cause] = Number(r.n);
    return { written: Number(written[0]?.n ?? 0), changesByCause };
  } catch (err) {
    await conn.rollback();
    throw err;
  }
}
