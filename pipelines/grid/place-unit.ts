/**
 * Where one unit is on the grid, strongest evidence first:
 *   1. a steward's decision for this unit;
 *   2. a 12-digit division code from a feed (a 9-digit one only narrows level 1 down to a street/town);
 *   3. the community/village an address names (full or core name, never an ambiguous one);
 *   4. the road and house number, against the gazetteer learned from units placed by code;
 *   5. a steward's rule for an address pattern;
 *   6. otherwise level 1 only (street/town known) or unplaced, with the reason.
 * Never from the division digits of a unified code: they record where the code was issued.
 * Pure: the caller loads the records, the grid, the gazetteer and the rules.
 */
import type { AddressEvidence } from './address-evidence.ts';
import { gridsOfCommunity, gridsOfStreet, type GridIndex } from './grid-index.ts';
import { lookupRoad, ROAD_CONFIDENCE, type RoadGazetteer, type Stretch } from './road-gazetteer.ts';
import { matchRule, type PlacementRule } from './rule-match.ts';

export interface PlaceRecord {
  record_id: string;
  agency: string;
  is_current: boolean;
  /** The division code a feed gave (statistics 区划代码: 12 or 9 digits; org-code 行政区划: 6). */
  division_code: string | null;
  address: AddressEvidence | null;
}

export interface StewardDecision {
  gridL1: string;
  gridL2: string | null;
  ruleId: number | null;
  decidedBy: string | null;
}

export interface PlacementContext {
  index: GridIndex;
  /** Null on the first pass, which only finds the units placed by code (the gazetteer learns from them). */
  roads: RoadGazetteer | null;
  rules: readonly PlacementRule[];
  /**
   * The community an address names once the street/town is known from elsewhere (a 9-digit code): 联合村
   * exists in two towns, but with 方巷镇 given by the statistics code it is 方巷镇's. Null when it names none there.
   */
  settleCommunity?: (text: string, street: string) => string | null;
}

export type PlacementMethod =
  | 'steward'
  | 'division_code'
  | 'address_community'
  | 'road_gazetteer'
  | 'steward_rule'
  | 'division_code_street'
  | 'address_street'
  | 'outside_grid'
  | 'unplaced';

/** Methods that place level 2; the others place level 1 at most. */
export const LEVEL2_METHODS: readonly PlacementMethod[] = ['steward', 'division_code', 'address_community', 'road_gazetteer', 'steward_rule'];

export type UnplacedReason =
  | 'community_ambiguous'
  | 'addresses_disagree'
  | 'division_codes_disagree'
  | 'road_uncertain'
  | 'street_shared'
  | 'rule_conflict'
  | 'community_not_in_grid'
  | 'code_not_in_grid'
  | 'street_only'
  | 'no_location'
  | 'no_address';

export const REASON_TEXT: Record<UnplacedReason | 'outside_grid', string> = {
  community_ambiguous: '地址中的社区（村）名在多个街道（乡镇）都有，地址未写明是哪一个',
  addresses_disagree: '各部门登记的地址指向不同的社区（村）',
  division_codes_disagree: '各部门给出的区划代码指向不同的网格',
  road_uncertain: '路名门牌不足以确定社区（村）',
  street_shared: '该街道（乡镇）有村（社区）划归园区网格，仅凭街道无法确定一级网格',
  rule_conflict: '多条网格规则同样匹配，但指向不同网格',
  community_not_in_grid: '所在社区（村）不在任何二级网格内',
  code_not_in_grid: '区划代码不在网格覆盖的区划内',
  street_only: '只能定位到街道（乡镇），地址未写明社区（村），路名门牌也无法确定',
  no_location: '无区划代码，地址中也没有可识别的街道（乡镇）、社区（村）或路名门牌',
  no_address: '无区划代码，也无地址',
  outside_grid: '单位位于市内，但所在区县未划分网格（由市级支队监管）',
};

// When several things stood in the way, the one a steward can act on first.
const REASON_ORDER: UnplacedReason[] = [
  'division_codes_disagree', 'addresses_disagree', 'community_ambiguous', 'rule_conflict', 'road_uncertain', 'street_shared',
  'community_not_in_grid', 'code_not_in_grid', 'street_only', 'no_location', 'no_address',
];

export interface EvidenceSource {
  field: 'decision' | 'division_code' | 'address' | 'road' | 'rule';
  value: string;
  record_id?: string;
  agency?: string;
  /** Full or core name matched (address). */
  match?: string;
  rule_id?: number;
  decided_by?: string | null;
  /** Road gazetteer: the community's learned stretch and how many units it was learned from. */
  stretch?: [number, number];
  support?: number;
  confidence?: number;
  /** Road gazetteer: right answers of this kind / answers, measured on units whose code is known. */
  measured?: [number, number];
}

export interface Candidate {
  division_code: string | null;
  grid_l1: string | null;
  grid_l2: string | null;
  why: string;
}

export interface PlacementEvidence {
  sources: EvidenceSource[];
  /** Fingerprint of the records the placement was made from: unchanged means a move came from the grid or the gazetteer. */
  basis?: string;
  /** Why the unit has no level-2 grid (unplaced, level 1 only, outside the grid). */
  reason?: UnplacedReason | 'outside_grid';
  message?: string;
  candidates?: Candidate[];
}

export interface Placement {
  gridL1: string | null;
  gridL2: string | null;
  divisionCode: string | null;
  method: PlacementMethod;
  evidence: PlacementEvidence;
}

const source = (r: PlaceRecord, field: EvidenceSource['field'], value: string, extra: Partial<EvidenceSource> = {}): EvidenceSource => ({
  field,
  value,
  record_id: r.record_id,
  agency: r.agency,
  ...extra,
});

class Notes {
  private readonly seen = new Map<UnplacedReason, Candidate[]>();
  add(reason: UnplacedReason, candidates: Candidate[] = []): void {
    const list = this.seen.get(reason) ?? [];
    for (const c of candidates) if (!list.some((x) => x.division_code === c.division_code && x.grid_l1 === c.grid_l1)) list.push(c);
    this.seen.set(reason, list);
  }
  top(fallback: UnplacedReason): { reason: UnplacedReason; message: string; candidates: Candidate[] } {
    const reason = REASON_ORDER.find((r) => this.seen.has(r)) ?? fallback;
    return { reason, message: REASON_TEXT[reason], candidates: (this.seen.get(reason) ?? []).slice(0, 8) };
  }
}

function communityCandidate(code: string, index: GridIndex, why: string): Candidate {
  const { l1, l2 } = gridsOfCommunity(code, index);
  return { division_code: code, grid_l1: l1, grid_l2: l2, why };
}

function stretchCandidates(stretches: Stretch[], index: GridIndex, confidence: number | null): Candidate[] {
  return stretches.map((s) => communityCandidate(s.community, index, `路名门牌：${s.from}–${s.to}号（${s.units} 个有区划代码的单位）${confidence !== null ? `，同类判断的把握 ${Math.round(confidence * 100)}%` : ''}`));
}

export function placeUnit(records: readonly PlaceRecord[], ctx: PlacementContext, decision: StewardDecision | null = null): Placement {
  const { index } = ctx;
  if (decision) {
    return {
      gridL1: decision.gridL1,
      gridL2: decision.gridL2,
      divisionCode: null,
      method: 'steward',
      evidence: { sources: [{ field: 'decision', value: decision.gridL2 ?? decision.gridL1, decided_by: decision.decidedBy, ...(decision.ruleId ? { rule_id: decision.ruleId } : {}) }] },
    };
  }
  // A unit no agency reports any more is placed by what it last was.
  const considered = records.some((r) => r.is_current) ? records.filter((r) => r.is_current) : [...records];
  const ordered = [...considered].sort((a, b) => Number(a.record_id) - Number(b.record_id));
  const notes = new Notes();
  const inGridDistrict = (code: string) => index.coveredDistricts.has(code.slice(0, 6));
  const outside = (code: string, sources: EvidenceSource[]): Placement => ({
    gridL1: null,
    gridL2: null,
    divisionCode: code,
    method: 'outside_grid',
    evidence: { sources, reason: 'outside_grid', message: REASON_TEXT.outside_grid },
  });

  // 1. 12-digit division codes.
  const codes12 = new Map<string, PlaceRecord>();
  for (const r of ordered) if (r.division_code?.length === 12 && !codes12.has(r.division_code)) codes12.set(r.division_code, r);
  let street: string | null = null;
  let streetSource: EvidenceSource | null = null;
  if (codes12.size > 0) {
    const resolved = [...codes12].map(([code, r]) => ({ code, r, ...gridsOfCommunity(code, index) }));
    const l2s = new Set(resolved.map((x) => x.l2 ?? `none:${x.code}`));
    if (l2s.size === 1) {
      const { code, r, l1, l2 } = resolved[0]!;
      const sources = resolved.map((x) => source(x.r, 'division_code', x.code));
      if (l2) return { gridL1: l1, gridL2: l2, divisionCode: code, method: 'division_code', evidence: { sources } };
      if (!inGridDistrict(code)) return outside(code, sources);
      if (l1) {
        return {
          gridL1: l1,
          gridL2: null,
          divisionCode: code,
          method: 'division_code_street',
          evidence: { sources, reason: 'community_not_in_grid', message: REASON_TEXT.community_not_in_grid, candidates: [] },
        };
      }
      // A code the grid does not know (new or mistyped): the rest of the evidence may still place the unit.
      notes.add('code_not_in_grid', [{ division_code: code, grid_l1: null, grid_l2: null, why: `区划代码 ${code}（${r.agency}）` }]);
      street = code.slice(0, 9);
      streetSource = source(r, 'division_code', code);
    } else {
      notes.add('division_codes_disagree', resolved.map((x) => ({ division_code: x.code, grid_l1: x.l1, grid_l2: x.l2, why: `区划代码（${x.r.agency}）` })));
      const streets = new Set(resolved.map((x) => x.code.slice(0, 9)));
      if (streets.size === 1) {
        street = resolved[0]!.code.slice(0, 9);
        streetSource = source(resolved[0]!.r, 'division_code', resolved[0]!.code);
      }
    }
  }
  const disagreeingCodes = new Set(codes12.size > 1 ? codes12.keys() : []);

  // 2. A 9-digit code narrows the search to one street/town.
  if (!street) {
    const codes9 = new Map<string, PlaceRecord>();
    for (const r of ordered) if (r.division_code?.length === 9 && !codes9.has(r.division_code)) codes9.set(r.division_code, r);
    if (codes9.size === 1) {
      const [code, r] = [...codes9][0]!;
      street = code;
      streetSource = source(r, 'division_code', code);
      if (!inGridDistrict(code)) return outside(code, [streetSource]);
    }
  }

  // 3. The community an address names, in the street the codes give.
  const addresses = ordered.filter((r) => r.address && r.address.text !== '');
  const inStreet = (community: string) => !street || community.startsWith(street);
  const named = new Map<string, { r: PlaceRecord; match: string }>();
  for (const r of addresses) {
    const a = r.address!;
    let community = a.communityCode;
    if (a.communityAmbiguous && street && ctx.settleCommunity) community = ctx.settleCommunity(a.text, street);
    if (a.communityAmbiguous && !community) notes.add('community_ambiguous');
    if (!community || !inStreet(community)) continue;
    if (disagreeingCodes.size > 0 && !disagreeingCodes.has(community)) continue;
    const match = a.communityMatch ?? 'full';
    const seen = named.get(community);
    if (!seen || (seen.match === 'core' && match === 'full')) named.set(community, { r, match });
  }
  let communities = [...named];
  // A community spelled in full outweighs one found by a bare core name elsewhere.
  if (communities.length > 1 && communities.some(([, x]) => x.match === 'full')) communities = communities.filter(([, x]) => x.match === 'full');
  if (communities.length === 1) {
    const [code, { r, match }] = communities[0]!;
    const { l1, l2 } = gridsOfCommunity(code, index);
    const sources = [...(streetSource ? [streetSource] : []), source(r, 'address', r.address!.text, { match })];
    if (l2) return { gridL1: l1, gridL2: l2, divisionCode: code, method: 'address_community', evidence: { sources } };
    if (!inGridDistrict(code)) return outside(code, sources);
    if (l1) return { gridL1: l1, gridL2: null, divisionCode: code, method: 'address_street', evidence: { sources, reason: 'community_not_in_grid', message: REASON_TEXT.community_not_in_grid } };
  } else if (communities.length > 1) {
    notes.add('addresses_disagree', communities.map(([code, { r }]) => communityCandidate(code, index, `地址（${r.agency}）：${r.address!.text}`)));
  }

  // The street and district the addresses agree on, where the codes gave none.
  const addressStreets = new Set(addresses.map((r) => r.address!.streetCode).filter((s): s is string => s !== null && inStreet(s)));
  if (!street && addressStreets.size === 1) {
    street = [...addressStreets][0]!;
    const r = addresses.find((x) => x.address!.streetCode === street)!;
    streetSource = source(r, 'address', r.address!.text, { match: r.address!.streetMatch ?? undefined });
  }
  const districts = new Set(addresses.map((r) => r.address!.districtCode).filter((d): d is string => d !== null));
  const codes6 = new Set(ordered.map((r) => r.division_code).filter((c): c is string => c?.length === 6));
  const district = street?.slice(0, 6) ?? (districts.size === 1 ? [...districts][0]! : districts.size === 0 && codes6.size === 1 ? [...codes6][0]! : null);

  // 4. Road and house number against what the units placed by code tell.
  if (ctx.roads) {
    const sure = new Map<string, EvidenceSource>();
    for (const r of addresses) {
      const road = r.address!.road;
      if (!road) continue;
      const m = lookupRoad(ctx.roads, { road: road.road, number: road.number, street, district });
      const best = m.candidates[0];
      if (m.community && m.confidence >= ROAD_CONFIDENCE && inStreet(m.community) && best) {
        if (!sure.has(m.community)) sure.set(m.community, source(r, 'road', `${road.road}${road.number}号`, { stretch: [best.from, best.to], support: best.units, confidence: m.confidence, ...(m.measured ? { measured: [m.measured.right, m.measured.asked] as [number, number] } : {}) }));
      } else if (m.candidates.length > 0) {
        notes.add('road_uncertain', stretchCandidates(m.candidates.filter((s) => inStreet(s.community)), index, m.community ? m.confidence : null));
      }
    }
    if (sure.size === 1) {
      const [code, src] = [...sure][0]!;
      const { l1, l2 } = gridsOfCommunity(code, index);
      if (l2) return { gridL1: l1, gridL2: l2, divisionCode: code, method: 'road_gazetteer', evidence: { sources: [...(streetSource ? [streetSource] : []), src] } };
    } else if (sure.size > 1) {
      notes.add('addresses_disagree', [...sure.keys()].map((code) => communityCandidate(code, index, '路名门牌')));
    }
  }

  // 5. A steward's rule for an address pattern.
  if (ctx.rules.length > 0 && addresses.length > 0) {
    const hit = matchRule(
      ctx.rules,
      addresses.map((r) => ({ text: r.address!.text, streetCode: street, districtCode: district })),
    );
    if (hit && 'rule' in hit) {
      const r = hit.rule;
      const rec = addresses.find((x) => x.address!.text.includes(r.pattern)) ?? addresses[0]!;
      return {
        gridL1: r.gridL1,
        gridL2: r.gridL2,
        divisionCode: null,
        method: 'steward_rule',
        evidence: { sources: [source(rec, 'rule', r.pattern, { rule_id: r.id })] },
      };
    }
    if (hit) notes.add('rule_conflict', hit.conflict.map((r) => ({ division_code: null, grid_l1: r.gridL1, grid_l2: r.gridL2, why: `规则 #${r.id}：${r.pattern}` })));
  }

  // 6. Level 1 only, outside the grid, or unplaced.
  if (street) {
    const { l1, candidates } = gridsOfStreet(street, index);
    const byCode = streetSource?.field === 'division_code';
    if (l1) {
      const why = notes.top('street_only');
      return { gridL1: l1, gridL2: null, divisionCode: street, method: byCode ? 'division_code_street' : 'address_street', evidence: { sources: [streetSource!], ...why } };
    }
    if (candidates.length > 1) notes.add('street_shared', candidates.map((g) => ({ division_code: street, grid_l1: g, grid_l2: null, why: '街道（乡镇）所属一级网格之一' })));
    else if (!inGridDistrict(street)) return outside(street, streetSource ? [streetSource] : []);
  }
  if (district && !inGridDistrict(district)) {
    const r = addresses.find((x) => x.address!.districtCode === district) ?? ordered.find((x) => x.division_code === district);
    return outside(district, r ? [r.address?.districtCode === district ? source(r, 'address', r.address.text) : source(r, 'division_code', district)] : []);
  }
  const why = notes.top(addresses.length === 0 ? 'no_address' : 'no_location');
  return { gridL1: null, gridL2: null, divisionCode: street ?? district, method: 'unplaced', evidence: { sources: streetSource ? [streetSource] : [], ...why } };
}
