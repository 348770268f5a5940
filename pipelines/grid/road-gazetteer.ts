/**
 * A road-and-number gazetteer learned from the units whose 12-digit division code is authoritative: where
 * on a road each community's addresses lie. A road often crosses several communities, so the house number
 * tells them apart. How far to trust an answer is not assumed but measured on the same units: each of them
 * is looked up with its own points left out, and the share of right answers for that kind of answer is the
 * confidence. Below the threshold the answer is a candidate for a steward, not a placement.
 */

export interface RoadAddress {
  road: string;
  number: number;
  /** Where the road and number sit in the normalised text (to tell a road from a division name inside it). */
  start: number;
  end: number;
}

// Road name, road word, house number. 街道 is a subdistrict, not a street.
const ROAD_NUMBER = /([\u3400-\u9FFF0-9]{1,16}?)(大街|大道|路|巷|街(?!道))(\d+)(?:-\d+)?号/gu;
// A division or place word ends the text before the road: 施桥镇扬子江南路 → 扬子江南路,
// 瘦西湖街道念泗路 → 念泗路, 双桥村双桥路 → 双桥路. Only after two characters of a name (镇江路 stays whole),
// and only when two characters of road name remain (新村路 stays whole).
const BEFORE_ROAD = /[省市区县镇乡村组道号幢楼室园城]/g;

/** The first road with a house number in a normalised address, or null. */
export function findRoadNumber(text: string): RoadAddress | null {
  ROAD_NUMBER.lastIndex = 0;
  const m = ROAD_NUMBER.exec(text);
  if (!m) return null;
  let name = m[1]!;
  let cut = 0;
  for (const c of name.matchAll(BEFORE_ROAD)) {
    const at = c.index + 1;
    if (c.index >= 2 && name.length - at >= 2) cut = at;
  }
  name = name.slice(cut);
  const start = m.index + cut;
  return { road: name + m[2]!, number: Number(m[3]), start, end: start + name.length + m[2]!.length };
}

export interface RoadPoint {
  road: string;
  number: number;
  community: string;
  unitId: string;
}

export interface Stretch {
  community: string;
  from: number;
  to: number;
  /** Distinct units with an authoritative code that give this community on this part of the road. */
  units: number;
}

/** Right and wrong answers of one kind, from leaving each authoritative unit out in turn. */
export interface Calibration {
  right: number;
  asked: number;
}

export interface RoadGazetteer {
  /** road → street (9 digits) → its points, in house-number order. */
  points: Map<string, Map<string, RoadPoint[]>>;
  /** road → street → stretches, in house-number order. */
  byRoad: Map<string, Map<string, Stretch[]>>;
  /** Answer kind (see answerKind) → how often it was right. */
  calibration: Map<string, Calibration>;
  size: number;
}

/**
 * A stretch is a run of consecutive known numbers on a road (within one street) that all belong to one
 * community; a number of another community in between ends it. So an odd unit with a wrong code makes a
 * stretch of its own instead of stretching its community over its neighbours'.
 */
export function stretchesOf(sorted: readonly RoadPoint[], without: string | null = null): Stretch[] {
  const out: Stretch[] = [];
  let units = new Set<string>();
  for (const p of sorted) {
    if (p.unitId === without) continue;
    const last = out[out.length - 1];
    if (last && last.community === p.community) {
      last.to = p.number;
      units.add(p.unitId);
      last.units = units.size;
    } else {
      units = new Set([p.unitId]);
      out.push({ community: p.community, from: p.number, to: p.number, units: 1 });
    }
  }
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function learnRoads(points: readonly RoadPoint[]): RoadGazetteer {
  const grouped = new Map<string, Map<string, RoadPoint[]>>();
  // In one total order, whatever order the points come in: an incremental placement gathers them from
  // the stored points and this run's units, a full one from every unit, and both must learn the same.
  const ordered = [...points].sort((a, b) => cmp(a.road, b.road) || cmp(a.community, b.community) || a.number - b.number || cmp(a.unitId, b.unitId));
  for (const p of ordered) {
    const street = p.community.slice(0, 9);
    let byStreet = grouped.get(p.road);
    if (!byStreet) grouped.set(p.road, (byStreet = new Map()));
    const list = byStreet.get(street);
    if (list) list.push(p);
    else byStreet.set(street, [p]);
  }
  const byRoad = new Map<string, Map<string, Stretch[]>>();
  for (const [road, byStreet] of grouped) {
    const out = new Map<string, Stretch[]>();
    for (const [street, list] of byStreet) {
      list.sort((a, b) => a.number - b.number || (a.community < b.community ? -1 : a.community > b.community ? 1 : 0));
      out.set(street, stretchesOf(list));
    }
    byRoad.set(road, out);
  }
  const gaz: RoadGazetteer = { points: grouped, byRoad, calibration: new Map(), size: points.length };
  calibrate(gaz);
  return gaz;
}

/**
 * Leave each unit out, ask for its own numbers as a unit without a code would be asked, count right answers.
 * Leaving one unit out only changes the stretches it is in and their neighbours, which are worked out from
 * the list's stretches (stretchesWithout), and the answer reads only the stretches near the number (found
 * by binary search): each unit costs about its own stretches, not the road's. Equal, kind for kind and in
 * the same order, to rebuilding every stretch of the road for every unit (pinned by a test against that
 * plain version).
 */
function calibrate(gaz: RoadGazetteer): void {
  const tally = (kind: string, right: boolean) => {
    const c = gaz.calibration.get(kind) ?? { right: 0, asked: 0 };
    c.asked++;
    if (right) c.right++;
    gaz.calibration.set(kind, c);
  };
  for (const [road, byStreet] of gaz.points) {
    const streets = gaz.byRoad.get(road)!;
    for (const [street, list] of byStreet) {
      const full = framedStretches(list);
      const district = street.slice(0, 6);
      const others: Segment[] = [];
      let othersKnown = 0;
      for (const [other, stretches] of streets) {
        if (other === street || !other.startsWith(district)) continue;
        others.push({ stretches, lo: 0, hi: stretches.length });
        othersKnown += knownOf(stretches, 0, stretches.length);
      }
      // Each unit's first and last point in the list, and the stretches it is in: what its absence can change.
      const span = new Map<string, { first: number; last: number; stretches: Set<number> }>();
      list.forEach((p, i) => {
        const s = span.get(p.unitId);
        if (s) {
          s.last = i;
          s.stretches.add(full.stretchAt[i]!);
        } else span.set(p.unitId, { first: i, last: i, stretches: new Set([full.stretchAt[i]!]) });
      });
      for (const [unitId, { first, last, stretches }] of span) {
        const p = list[first]!;
        const a = Math.max(0, full.stretchAt[first]! - 1);
        const b = Math.min(full.stretches.length - 1, full.stretchAt[last]! + 1);
        const rebuilt = stretchesWithout(list, full, a, b, unitId, stretches);
        const own: Segment[] = [
          { stretches: full.stretches, lo: 0, hi: a },
          { stretches: rebuilt, lo: 0, hi: rebuilt.length },
          { stretches: full.stretches, lo: b + 1, hi: full.stretches.length },
        ];
        const ownKnown = full.known - knownOf(full.stretches, a, b + 1) + knownOf(rebuilt, 0, rebuilt.length);
        const atStreet = judgeSegments(own, ownKnown, p.number, true);
        if (atStreet) tally(atStreet.kind, atStreet.community === p.community);
        const atDistrict = judgeSegments([...own, ...others], ownKnown + othersKnown, p.number, false);
        if (atDistrict) tally(atDistrict.kind, atDistrict.community === p.community);
      }
    }
  }
}

/** A list's stretches with, for each point, the stretch it is in, and each stretch's first and last point. */
function framedStretches(list: readonly RoadPoint[]): { stretches: Stretch[]; stretchAt: number[]; startOf: number[]; endOf: number[]; known: number } {
  const stretches = stretchesOf(list);
  const stretchAt: number[] = [];
  const startOf: number[] = [];
  const endOf: number[] = [];
  // stretchesOf starts a new stretch exactly where the community changes from one point to the next.
  let k = -1;
  list.forEach((p, i) => {
    if (i === 0 || list[i - 1]!.community !== p.community) {
      k++;
      startOf.push(i);
    }
    stretchAt.push(k);
    endOf[k] = i;
  });
  return { stretches, stretchAt, startOf, endOf, known: knownOf(stretches, 0, stretches.length) };
}

/**
 * stretchesOf(list, unitId) for the points of stretches a..b, from the stretches themselves: a stretch the
 * unit is not in stays as it is; one it is in loses the unit's points at its ends (and one unit); one made
 * only of its points goes, and the stretches either side of it join when they are of one community (their
 * units then counted again, the only case that reads every point). Stretches a and b must hold none of
 * the unit's points unless they are the list's first or last.
 */
function stretchesWithout(list: readonly RoadPoint[], full: { stretches: Stretch[]; startOf: number[]; endOf: number[] }, a: number, b: number, unitId: string, own: ReadonlySet<number>): Stretch[] {
  const out: Stretch[] = [];
  // The first original stretch each output stretch starts from, to count a joined stretch's units.
  const startedAt: number[] = [];
  for (let k = a; k <= b; k++) {
    const s = full.stretches[k]!;
    let piece: Stretch;
    if (!own.has(k)) piece = { ...s };
    else {
      let lo = full.startOf[k]!;
      let hi = full.endOf[k]!;
      while (lo <= hi && list[lo]!.unitId === unitId) lo++;
      while (hi >= lo && list[hi]!.unitId === unitId) hi--;
      if (lo > hi) continue;
      piece = { community: s.community, from: list[lo]!.number, to: list[hi]!.number, units: s.units - 1 };
    }
    const last = out[out.length - 1];
    if (last && last.community === piece.community) {
      last.to = piece.to;
      const units = new Set<string>();
      for (let i = full.startOf[startedAt[startedAt.length - 1]!]!; i <= full.endOf[k]!; i++) if (list[i]!.unitId !== unitId) units.add(list[i]!.unitId);
      last.units = units.size;
    } else {
      out.push(piece);
      startedAt.push(k);
    }
  }
  return out;
}

function knownOf(stretches: readonly Stretch[], lo: number, hi: number): number {
  let n = 0;
  for (let i = lo; i < hi; i++) n += stretches[i]!.units;
  return n;
}

/** Part of a list of stretches in house-number order (from and to never decrease along it). */
interface Segment {
  stretches: readonly Stretch[];
  lo: number;
  hi: number;
}

/**
 * judge's answer over segments, reading only the stretches within NEAR of the number: the kind and
 * community judge would give for all their stretches together (with `known` their units), or null.
 */
function judgeSegments(segments: readonly Segment[], known: number, n: number, streetKnown: boolean): { community: string; kind: string } | null {
  const near: Stretch[] = [];
  let count = 0;
  for (const { stretches, lo, hi } of segments) {
    count += Math.max(0, hi - lo);
    // The first stretch that does not end before n - NEAR; from there on until one starts after n + NEAR.
    let l = lo;
    let h = hi;
    while (l < h) {
      const m = (l + h) >> 1;
      if (stretches[m]!.to < n - NEAR) l = m + 1;
      else h = m;
    }
    for (let i = l; i < hi && stretches[i]!.from <= n + NEAR; i++) near.push(stretches[i]!);
  }
  if (count === 0) return null;
  const j = judge(near, n, streetKnown, known);
  return j.community ? { community: j.community, kind: j.kind } : null;
}

/** Neighbours in one building or yard differ by a few numbers. */
const SLACK = 3;
/** Another community's stretch this close means the boundary between them is not known well. */
const NEAR = 10;

/**
 * The community the stretches give for a number, and the kind of answer it is: how many units the stretch
 * was learned from, whether the number is inside it or at its edge, whether another community is near,
 * whether the street was known. Answers of one kind share one measured confidence.
 */
export function judge(stretches: readonly Stretch[], n: number, streetKnown: boolean, knownUnits?: number): { community: string | null; kind: string; best: Stretch | null; why: string } {
  const distance = (s: Stretch) => (n < s.from ? s.from - n : n > s.to ? n - s.to : 0);
  const reach = stretches.filter((s) => distance(s) <= SLACK);
  const communities = new Set(reach.map((s) => s.community));
  if (stretches.length === 0) return { community: null, kind: 'none', best: null, why: 'road_unknown' };
  if (communities.size === 0) return { community: null, kind: 'none', best: null, why: 'number_outside_known_stretches' };
  if (communities.size > 1) return { community: null, kind: 'none', best: null, why: 'stretches_overlap' };
  const best = [...reach].sort((a, b) => distance(a) - distance(b) || b.units - a.units)[0]!;
  const rival = stretches.some((s) => s.community !== best.community && distance(s) <= NEAR);
  // Where few units with a code sit on the road, a unit's own community is often not among them yet.
  const known = knownUnits ?? stretches.reduce((n, s) => n + s.units, 0);
  const density = known <= 3 ? 'sparse' : known <= 9 ? 'some' : 'dense';
  const kind = [streetKnown ? 'street' : 'district', distance(best) === 0 ? 'inside' : 'edge', `units${Math.min(best.units, 3)}`, rival ? 'rival' : 'alone', density].join('|');
  return { community: best.community, kind, best, why: rival ? 'near_another_community' : distance(best) === 0 ? 'inside_stretch' : 'edge_of_stretch' };
}

/** Below this a road-and-number answer is not a placement: about one wrong grid in a hundred is already a guess. */
export const ROAD_CONFIDENCE = 0.99;

export interface RoadLookup {
  road: string;
  number: number;
  /** The street or district the rest of the evidence puts the unit in; null when nothing does. */
  street: string | null;
  district: string | null;
}

export interface RoadMatch {
  community: string | null;
  /** Measured: the share of right answers of this kind among the units with a code we can count on (lower bound). */
  confidence: number;
  /** How the confidence was measured: answers of this kind, and how many were right. */
  measured: Calibration | null;
  /** The stretches considered, nearest first (what a steward sees when the answer is not good enough). */
  candidates: Stretch[];
  why: string;
}

/**
 * The share of right answers we can count on (Wilson score, 95 % one-sided): 40 right of 40 is not yet
 * 99 %, 600 right of 600 is. Small samples earn little.
 */
function lowerBound({ right, asked }: Calibration): number {
  if (asked === 0) return 0;
  const z = 1.645;
  const p = right / asked;
  const z2 = z * z;
  return (p + z2 / (2 * asked) - z * Math.sqrt((p * (1 - p)) / asked + z2 / (4 * asked * asked))) / (1 + z2 / asked);
}

/** The community a road and number point to, with a confidence measured on units whose code is known. */
export function lookupRoad(gaz: RoadGazetteer, q: RoadLookup): RoadMatch {
  const stretches: Stretch[] = [];
  // Without at least a district, the same road name elsewhere in the city is not the same road.
  if (q.street || q.district) {
    for (const [street, list] of gaz.byRoad.get(q.road) ?? []) {
      if (q.street ? street === q.street : street.startsWith(q.district!)) stretches.push(...list);
    }
  }
  const distance = (s: Stretch) => (q.number < s.from ? s.from - q.number : q.number > s.to ? q.number - s.to : 0);
  const candidates = [...stretches].sort((a, b) => distance(a) - distance(b) || b.units - a.units).slice(0, 5);
  const j = judge(stretches, q.number, q.street !== null);
  if (!j.community) return { community: null, confidence: 0, measured: null, candidates, why: j.why };
  const measured = gaz.calibration.get(j.kind) ?? { right: 0, asked: 0 };
  const confidence = Math.floor(lowerBound(measured) * 1000) / 1000;
  return { community: j.community, confidence, measured, candidates, why: j.why };
}
