import { describe, expect, it } from 'vitest';
import { judge, learnRoads, stretchesOf, type Calibration, type RoadGazetteer, type RoadPoint } from '../pipelines/grid/road-gazetteer.ts';
import { Rand } from '../seeds/demo/prng.ts';

/**
 * The calibration as first written: for every unit, every stretch of its road rebuilt without it and
 * every stretch read. Slow (each unit costs its whole road), plainly right; learnRoads must agree with it.
 */
function plainCalibration(gaz: RoadGazetteer): Map<string, Calibration> {
  const out = new Map<string, Calibration>();
  const tally = (kind: string, right: boolean) => {
    const c = out.get(kind) ?? { right: 0, asked: 0 };
    c.asked++;
    if (right) c.right++;
    out.set(kind, c);
  };
  for (const [road, byStreet] of gaz.points) {
    for (const [street, list] of byStreet) {
      const asked = new Set<string>();
      for (const p of list) {
        if (asked.has(p.unitId)) continue;
        asked.add(p.unitId);
        const own = stretchesOf(list, p.unitId);
        const atStreet = judge(own, p.number, true);
        if (atStreet.community) tally(atStreet.kind, atStreet.community === p.community);
        const wider = [...own];
        for (const [other, stretches] of gaz.byRoad.get(road)!) if (other !== street && other.startsWith(street.slice(0, 6))) wider.push(...stretches);
        const atDistrict = judge(wider, p.number, false);
        if (atDistrict.community) tally(atDistrict.kind, atDistrict.community === p.community);
      }
    }
  }
  return out;
}

/**
 * Roads crossing several streets of one or two districts, communities in runs along the numbers with
 * stray codes, units with several numbers (near and far apart), shared numbers and lone units.
 */
function randomPoints(seed: number, switchRate = 0.08): RoadPoint[] {
  const random = new Rand(seed);
  const r = () => random.next();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const streets = ['321002001', '321002002', '321002003', '321003001'];
  const points: RoadPoint[] = [];
  let unit = 0;
  for (const road of ['文昌中路', '扬子江南路', '八里大道']) {
    const roadStreets = streets.filter(() => r() < 0.7);
    for (const street of roadStreets.length ? roadStreets : [streets[0]!]) {
      const communities = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => `${street}${String(i + 1).padStart(3, '0')}`);
      const n = Math.floor(r() * 120);
      let number = 1;
      let community = pick(communities);
      for (let i = 0; i < n; i++) {
        number += Math.floor(r() * 8);
        if (r() < switchRate) community = pick(communities);
        const stray = r() < 0.05 ? pick(communities) : community;
        const reuse = r() < 0.15 && unit > 0;
        const unitId = reuse ? `U${Math.floor(r() * unit)}` : `U${unit++}`;
        points.push({ road, number, community: stray, unitId });
        if (r() < 0.1) points.push({ road, number: r() < 0.5 ? number + 2 : Math.floor(r() * 600), community: stray, unitId });
      }
    }
  }
  return points;
}

describe('road gazetteer calibration (leave each unit out)', () => {
  it('equals rebuilding every stretch of the road for every unit, kind for kind and in the same order', () => {
    let kinds = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const gaz = learnRoads(randomPoints(seed));
      const plain = plainCalibration(gaz);
      expect(JSON.stringify([...gaz.calibration]), `seed ${seed}`).toEqual(JSON.stringify([...plain]));
      kinds += plain.size;
    }
    // The generated roads reach many kinds of answer, not one or two.
    expect(kinds).toBeGreaterThan(60 * 8);
  });

  it('equals it on long stretches of one community, where a unit left out sits inside a stretch or makes one alone', () => {
    for (let seed = 101; seed <= 130; seed++) {
      const gaz = learnRoads(randomPoints(seed, 0.01));
      expect(JSON.stringify([...gaz.calibration]), `seed ${seed}`).toEqual(JSON.stringify([...plainCalibration(gaz)]));
    }
  });

  it('a unit alone on its street and district is asked nothing; beside another district it is asked there', () => {
    const lone = learnRoads([{ road: '八里大道', number: 50, community: '321002001001', unitId: 'C' }]);
    expect(lone.calibration.size).toBe(0);
    const two = learnRoads([
      { road: '八里大道', number: 50, community: '321002001001', unitId: 'C' },
      { road: '八里大道', number: 51, community: '321002002001', unitId: 'D' },
    ]);
    expect(JSON.stringify([...two.calibration])).toEqual(JSON.stringify([...plainCalibration(two)]));
    expect([...two.calibration.values()].reduce((n, c) => n + c.asked, 0)).toBe(2);
  });
});
