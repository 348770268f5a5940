import { describe, expect, it } from 'vitest';
import { buildGazetteer, type Division } from '../pipelines/normalize/addresses.ts';
import { addressEvidence } from '../pipelines/grid/address-evidence.ts';
import { communitySettler } from '../pipelines/place.ts';
import { buildGridIndex } from '../pipelines/grid/grid-index.ts';
import { placeUnit, type PlaceRecord, type PlacementContext } from '../pipelines/grid/place-unit.ts';
import { findRoadNumber, learnRoads, lookupRoad } from '../pipelines/grid/road-gazetteer.ts';
import { matchRule, type PlacementRule } from '../pipelines/grid/rule-match.ts';
import { loadDefaultDivisions } from '../seeds/default-grid.ts';

const gazetteer = buildGazetteer(loadDefaultDivisions() as Division[]);

// A grid shaped like the bureau's sample file: a level-2 grid over two communities, and an industrial park
// (level 1) that took over two villages of 汊河街道, whose level-2 grids hang under the park.
const index = buildGridIndex(
  [
    { code: 'YZ-HJ-03', name: '汊河街道网格', level: 1, parent_code: null },
    { code: 'YZ-HJ-03-001', name: '许庄、西八里铺社区网格', level: 2, parent_code: 'YZ-HJ-03' },
    { code: 'YZ-HJ-Y2', name: '汊河工业园区网格', level: 1, parent_code: null },
    { code: 'YZ-HJ-Y2-001', name: '徐集村网格', level: 2, parent_code: 'YZ-HJ-Y2' },
    { code: 'YZ-HJ-13', name: '方巷镇网格', level: 1, parent_code: null },
    { code: 'YZ-HJ-13-001', name: '联合村网格', level: 2, parent_code: 'YZ-HJ-13' },
    { code: 'YZ-GL-09', name: '湾头镇网格', level: 1, parent_code: null },
    { code: 'YZ-GL-09-001', name: '联合村网格', level: 2, parent_code: 'YZ-GL-09' },
    { code: 'YZ-KF-03', name: '施桥镇网格', level: 1, parent_code: null },
    { code: 'YZ-KF-03-006', name: '古津社区网格', level: 2, parent_code: 'YZ-KF-03' },
    { code: 'YZ-KF-03-017', name: '扬子村网格', level: 2, parent_code: 'YZ-KF-03' },
  ],
  [
    { grid_code: 'YZ-HJ-03', division_code: '321003003' },
    { grid_code: 'YZ-HJ-03-001', division_code: '321003003001' },
    { grid_code: 'YZ-HJ-03-001', division_code: '321003003002' },
    { grid_code: 'YZ-HJ-Y2', division_code: '321003003200' },
    { grid_code: 'YZ-HJ-Y2', division_code: '321003003202' },
    { grid_code: 'YZ-HJ-Y2-001', division_code: '321003003200' },
    { grid_code: 'YZ-HJ-13', division_code: '321003101' },
    { grid_code: 'YZ-HJ-13-001', division_code: '321003101215' },
    { grid_code: 'YZ-GL-09', division_code: '321002106' },
    { grid_code: 'YZ-GL-09-001', division_code: '321002106202' },
    { grid_code: 'YZ-KF-03', division_code: '321071150' },
    { grid_code: 'YZ-KF-03-006', division_code: '321071150006' },
    { grid_code: 'YZ-KF-03-017', division_code: '321071150210' },
  ],
);
const noRoads: PlacementContext = { index, roads: null, rules: [] };

let next = 1;
function rec(opts: { code?: string; address?: string; agency?: string; current?: boolean }): PlaceRecord {
  return {
    record_id: String(next++),
    agency: opts.agency ?? 'market',
    is_current: opts.current ?? true,
    division_code: opts.code ?? null,
    address: opts.address ? addressEvidence(opts.address, gazetteer) : null,
  };
}

describe('placement by division code', () => {
  it('a 12-digit code decides level 2, and level 1 through the level-2 grid, even when one grid covers several communities', () => {
    const p = placeUnit([rec({ code: '321003003002', agency: 'statistics' })], noRoads);
    expect(p).toMatchObject({ gridL1: 'YZ-HJ-03', gridL2: 'YZ-HJ-03-001', method: 'division_code', divisionCode: '321003003002' });
    expect(p.evidence.sources[0]).toMatchObject({ field: 'division_code', value: '321003003002', agency: 'statistics' });
  });

  it('a village a park took over is in the park\'s level-1 grid, not its town\'s', () => {
    expect(placeUnit([rec({ code: '321003003200' })], noRoads)).toMatchObject({ gridL1: 'YZ-HJ-Y2', gridL2: 'YZ-HJ-Y2-001' });
    // Taken over at level 1 only (no level-2 grid for it): still the park.
    expect(placeUnit([rec({ code: '321003003202' })], noRoads)).toMatchObject({ gridL1: 'YZ-HJ-Y2', gridL2: null, evidence: { reason: 'community_not_in_grid' } });
  });

  it('a 9-digit code places level 1 only, and not at all where a park shares the town', () => {
    expect(placeUnit([rec({ code: '321003101' })], noRoads)).toMatchObject({ gridL1: 'YZ-HJ-13', gridL2: null, method: 'division_code_street', evidence: { reason: 'street_only' } });
    const shared = placeUnit([rec({ code: '321003003' })], noRoads);
    expect(shared).toMatchObject({ gridL1: null, gridL2: null, method: 'unplaced', evidence: { reason: 'street_shared' } });
    expect(shared.evidence.candidates!.map((c) => c.grid_l1).sort()).toEqual(['YZ-HJ-03', 'YZ-HJ-Y2']);
  });

  it('a 9-digit code and an address naming the village together place both levels', () => {
    const p = placeUnit([rec({ code: '321003003', agency: 'statistics' }), rec({ address: '邗江区汊河街道徐集村三组18号' })], noRoads);
    expect(p).toMatchObject({ gridL1: 'YZ-HJ-Y2', gridL2: 'YZ-HJ-Y2-001', method: 'address_community' });
  });

  it('a district outside every grid is outside the grid, not unplaced', () => {
    expect(placeUnit([rec({ code: '321012100211' })], noRoads)).toMatchObject({ method: 'outside_grid', gridL1: null, evidence: { reason: 'outside_grid' } });
    expect(placeUnit([rec({ address: '江都区仙女镇龙川北路8号' })], noRoads)).toMatchObject({ method: 'outside_grid' });
  });

  it('codes that point at two different grids decide nothing by themselves', () => {
    const p = placeUnit([rec({ code: '321003003001' }), rec({ code: '321003101215' })], noRoads);
    expect(p).toMatchObject({ method: 'unplaced', evidence: { reason: 'division_codes_disagree' } });
    const settled = placeUnit([rec({ code: '321003003001' }), rec({ code: '321003101215' }), rec({ address: '方巷镇联合村3组' })], noRoads);
    expect(settled).toMatchObject({ gridL2: 'YZ-HJ-13-001', method: 'address_community' });
  });

  it('a unit with neither code nor address is unplaced and says so; nothing else is consulted', () => {
    expect(placeUnit([rec({})], noRoads)).toMatchObject({ method: 'unplaced', gridL1: null, evidence: { reason: 'no_address' } });
  });
});

describe('placement by address', () => {
  it('a community name in two towns is settled by the town in the address, else left ambiguous', () => {
    const vague = placeUnit([rec({ address: '联合村3组88号' })], noRoads);
    expect(vague).toMatchObject({ method: 'unplaced', gridL2: null, evidence: { reason: 'community_ambiguous' } });
    expect(placeUnit([rec({ address: '扬州市方巷镇联合村3组' })], noRoads)).toMatchObject({ gridL1: 'YZ-HJ-13', gridL2: 'YZ-HJ-13-001', method: 'address_community' });
    expect(placeUnit([rec({ address: '湾头镇联合村5组' })], noRoads)).toMatchObject({ gridL1: 'YZ-GL-09', gridL2: 'YZ-GL-09-001' });
  });

  it('the town a 9-digit code gives settles a community name the address alone leaves ambiguous', () => {
    const settle: PlacementContext = { ...noRoads, settleCommunity: communitySettler(gazetteer) };
    const p = placeUnit([rec({ code: '321003101', agency: 'statistics' }), rec({ address: '联合村3组88号' })], settle);
    expect(p).toMatchObject({ gridL1: 'YZ-HJ-13', gridL2: 'YZ-HJ-13-001', method: 'address_community', divisionCode: '321003101215' });
    // A town where no 联合村 exists settles nothing.
    expect(placeUnit([rec({ code: '321003003', agency: 'statistics' }), rec({ address: '联合村3组88号' })], settle)).toMatchObject({ gridL2: null, evidence: { reason: 'community_ambiguous' } });
  });

  it('a core name that is really the start of a road or a building is not a community', () => {
    const road = addressEvidence('经济技术开发区施桥镇扬子江南路235号A座', gazetteer);
    expect(road.communityCode).toBeNull();
    expect(road.coreRejected).toBe('扬子');
    expect(road.road).toMatchObject({ road: '扬子江南路', number: 235 });
    expect(placeUnit([rec({ address: '经济技术开发区施桥镇扬子江南路235号A座' })], noRoads)).toMatchObject({ gridL1: 'YZ-KF-03', gridL2: null, method: 'address_street' });
    expect(addressEvidence('瘦西湖街道念泗路269号综合楼', gazetteer).communityCode).toBeNull();
    // The full name is still a community.
    expect(addressEvidence('施桥镇古津社区扬子江南路235号', gazetteer).communityCode).toBe('321071150006');
  });

  it('addresses of one unit naming two communities decide nothing', () => {
    const p = placeUnit([rec({ address: '施桥镇古津社区扬子江南路235号' }), rec({ address: '施桥镇扬子村6组' })], noRoads);
    expect(p).toMatchObject({ gridL2: null, evidence: { reason: 'addresses_disagree' } });
    expect(p.evidence.candidates!.map((c) => c.grid_l2).sort()).toEqual(['YZ-KF-03-006', 'YZ-KF-03-017']);
  });

  it('the current records speak for a unit; older snapshots only when nothing current is left', () => {
    const moved = [rec({ address: '施桥镇古津社区扬子江南路235号', current: false }), rec({ address: '方巷镇联合村3组' })];
    expect(placeUnit(moved, noRoads)).toMatchObject({ gridL2: 'YZ-HJ-13-001' });
    expect(placeUnit([rec({ address: '施桥镇古津社区扬子江南路235号', current: false })], noRoads)).toMatchObject({ gridL2: 'YZ-KF-03-006' });
  });
});

describe('road and house number', () => {
  it('finds the road and number after the divisions', () => {
    expect(findRoadNumber('瘦西湖街道念泗路269号综合楼')).toMatchObject({ road: '念泗路', number: 269 });
    expect(findRoadNumber('双桥村双桥路8号')).toMatchObject({ road: '双桥路', number: 8 });
    expect(findRoadNumber('镇江路12号')).toMatchObject({ road: '镇江路', number: 12 });
    expect(findRoadNumber('广陵区新村路3-5号')).toMatchObject({ road: '新村路', number: 3 });
    expect(findRoadNumber('东关街道东关街118号')).toMatchObject({ road: '东关街', number: 118 });
    expect(findRoadNumber('施井村四组')).toBeNull();
  });

  // 扬子江南路 runs through 古津社区 (numbers 1–300) and then 扬子村 (301–600): 300 units with a code on each
  // part, one of them with a wrong code in the middle of 古津. 八里大道 is known from one unit only.
  const points = [
    ...Array.from({ length: 300 }, (_, i) => ({ road: '扬子江南路', number: 1 + i, community: '321071150006', unitId: `A${i}` })),
    ...Array.from({ length: 300 }, (_, i) => ({ road: '扬子江南路', number: 301 + i, community: '321071150210', unitId: `B${i}` })),
    { road: '扬子江南路', number: 151, community: '321071150210', unitId: 'W' },
    { road: '八里大道', number: 50, community: '321071150006', unitId: 'C' },
  ];
  const roads = learnRoads(points);
  const withRoads: PlacementContext = { index, roads, rules: [] };

  it('learns the same gazetteer whatever order the points come in (an incremental run gathers them differently)', () => {
    // Same-numbered points in two communities and repeated units: ties an arrival order could break either way.
    const tied = [...points, { road: '扬子江南路', number: 151, community: '321071150006', unitId: 'W2' }, { road: '八里大道', number: 50, community: '321071150210', unitId: 'D' }];
    const shuffled = [...tied].reverse();
    const a = learnRoads(tied);
    const b = learnRoads(shuffled);
    expect(JSON.stringify([...b.byRoad].map(([r, m]) => [r, [...m]]))).toEqual(JSON.stringify([...a.byRoad].map(([r, m]) => [r, [...m]])));
    expect(JSON.stringify([...b.calibration])).toEqual(JSON.stringify([...a.calibration]));
    for (let n = 1; n <= 600; n += 7) {
      const q = { road: '扬子江南路', number: n, street: '321071150', district: '321071' };
      expect(lookupRoad(b, q)).toEqual(lookupRoad(a, q));
    }
  });

  it('a number inside a stretch places the unit when answers of that kind were right on the units with a code', () => {
    const p = placeUnit([rec({ address: '施桥镇扬子江南路101号' })], withRoads);
    expect(p).toMatchObject({ gridL1: 'YZ-KF-03', gridL2: 'YZ-KF-03-006', method: 'road_gazetteer', divisionCode: '321071150006' });
    const src = p.evidence.sources.at(-1)!;
    expect(src).toMatchObject({ field: 'road', value: '扬子江南路101号', stretch: [1, 151] });
    expect(src.confidence).toBeGreaterThanOrEqual(0.99);
    expect(src.measured![1]).toBeGreaterThan(500);
    expect(placeUnit([rec({ address: '施桥镇扬子江南路451号' })], withRoads)).toMatchObject({ gridL2: 'YZ-KF-03-017' });
  });

  it('at the boundary, next to a stray unit, past the known numbers, on a road known from one unit, or on an unknown road: no placement', () => {
    for (const address of ['施桥镇扬子江南路301号', '施桥镇扬子江南路153号', '施桥镇扬子江南路900号', '施桥镇八里大道50号', '施桥镇华扬路12号']) {
      const p = placeUnit([rec({ address })], withRoads);
      expect(p.gridL2, address).toBeNull();
      expect(p.gridL1).toBe('YZ-KF-03');
    }
    const boundary = placeUnit([rec({ address: '施桥镇扬子江南路301号' })], withRoads);
    expect(boundary.evidence.reason).toBe('road_uncertain');
    // What the steward is shown: both communities the road runs through here.
    expect(new Set(boundary.evidence.candidates!.map((c) => c.grid_l2))).toEqual(new Set(['YZ-KF-03-006', 'YZ-KF-03-017']));
    const single = lookupRoad(roads, { road: '八里大道', number: 50, street: '321071150', district: '321071' });
    expect(single.community).toBe('321071150006');
    expect(single.confidence).toBeLessThan(0.99);
  });

  it('confidence is what leaving each unit with a code out measured, so a muddled road earns none', () => {
    // Two communities taking turns along the road: left out, each unit is answered with its neighbours'
    // community, so answers of that kind are measured as wrong.
    const muddled = learnRoads(Array.from({ length: 120 }, (_, i) => ({ road: '文昌中路', number: 10 + 10 * i, community: i % 2 ? '321002001002' : '321002001001', unitId: `M${i}` })));
    const tally = [...muddled.calibration.values()].reduce((t, c) => ({ right: t.right + c.right, asked: t.asked + c.asked }), { right: 0, asked: 0 });
    expect(tally.asked).toBeGreaterThan(100);
    expect(tally.right / tally.asked).toBeLessThan(0.1);
    const m = lookupRoad(muddled, { road: '文昌中路', number: 55, street: '321002001', district: '321002' });
    expect(m.confidence).toBeLessThan(0.1);
    expect(placeUnit([rec({ address: '东关街道文昌中路55号' })], { index, roads: muddled, rules: [] }).method).not.toBe('road_gazetteer');
  });

  it('the street the code or address gives keeps other towns\' stretches of the same road out', () => {
    const other = learnRoads([300, 310, 320].map((n, i) => ({ road: '扬子江南路', number: n, community: '321003003001', unitId: `X${i}` })));
    expect(lookupRoad(other, { road: '扬子江南路', number: 310, street: '321071150', district: '321071' }).community).toBeNull();
    expect(lookupRoad(other, { road: '扬子江南路', number: 310, street: '321003003', district: '321003' }).community).toBe('321003003001');
  });
});

describe("stewards' rules and decisions", () => {
  const rule = (id: number, pattern: string, grid: string, extra: Partial<PlacementRule> = {}): PlacementRule => ({
    id,
    pattern,
    numberFrom: null,
    numberTo: null,
    scopeCode: null,
    gridL1: grid.slice(0, 8),
    gridL2: grid.length > 8 ? grid : null,
    ...extra,
  });

  it('a rule for an address pattern and number range places what codes, names and roads could not', () => {
    const ctx: PlacementContext = { index, roads: learnRoads([]), rules: [rule(1, '扬子江南路', 'YZ-KF-03-017', { numberFrom: 280, numberTo: 299 })] };
    const p = placeUnit([rec({ address: '施桥镇扬子江南路290号' })], ctx);
    expect(p).toMatchObject({ gridL1: 'YZ-KF-03', gridL2: 'YZ-KF-03-017', method: 'steward_rule', evidence: { sources: [{ field: 'rule', rule_id: 1 }] } });
    expect(placeUnit([rec({ address: '施桥镇扬子江南路300号' })], ctx).method).toBe('address_street');
  });

  it('the most specific rule wins; equally specific rules naming two grids decide nothing', () => {
    const target = [{ text: '施桥镇扬子江南路290号', streetCode: '321071150', districtCode: '321071' }];
    expect(matchRule([rule(1, '扬子江南路', 'YZ-KF-03-006'), rule(2, '扬子江南路', 'YZ-KF-03-017', { numberFrom: 280, numberTo: 299 })], target)).toEqual({ rule: expect.objectContaining({ id: 2 }) });
    expect(matchRule([rule(1, '扬子江南路', 'YZ-KF-03-006'), rule(2, '扬子江南路', 'YZ-KF-03-017')], target)).toMatchObject({ conflict: [{ id: 1 }, { id: 2 }] });
    expect(matchRule([rule(1, '扬子江南路', 'YZ-KF-03-006', { scopeCode: '321003' })], target)).toBeNull();
  });

  it("a steward's decision for a unit wins over its division code", () => {
    const p = placeUnit([rec({ code: '321003003001' })], noRoads, { gridL1: 'YZ-HJ-Y2', gridL2: 'YZ-HJ-Y2-001', ruleId: null, decidedBy: '王芳' });
    expect(p).toMatchObject({ gridL1: 'YZ-HJ-Y2', gridL2: 'YZ-HJ-Y2-001', method: 'steward', evidence: { sources: [{ field: 'decision', decided_by: '王芳' }] } });
  });
});
