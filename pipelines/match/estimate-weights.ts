/**
 * Estimates each feature level's m and u from the registry itself, without any truth, as Fellegi and
 * Sunter (and Splink) do:
 *   m = P(level | same unit), from every pair of records that share a valid unified code (two rows of
 *       one file excepted) — the registry's own labelled matches;
 *   u = P(level | different units), from random pairs of records — almost all of them two units.
 * The code feature is left out (it is what labels the pairs). This is how score.ts's table was set;
 * `npm run bench:match -- --estimate` prints it again for the bench's world.
 */
import { compareRecords, FEATURES, type Feature } from './compare.ts';
import type { MatchRecord } from './match-record.ts';
import { PROBABILITIES, type MU } from './score.ts';

export interface LevelEstimate extends MU {
  matchCount: number;
  randomCount: number;
}

export interface Estimate {
  matches: number;
  randomPairs: number;
  levels: Partial<Record<Feature, Record<string, LevelEstimate>>>;
}

/** A small deterministic generator, so an estimate can be repeated exactly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function estimateProbabilities(records: readonly MatchRecord[], options: { randomPairs?: number; seed?: number } = {}): Estimate {
  const counts = { match: new Map<string, number>(), random: new Map<string, number>() };
  const tally = (into: Map<string, number>, a: MatchRecord, b: MatchRecord) => {
    const c = compareRecords(a, b);
    for (const f of FEATURES) if (f !== 'code') into.set(`${f}:${c[f]}`, (into.get(`${f}:${c[f]}`) ?? 0) + 1);
  };

  const byUscc = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (!r.usccValid || !r.uscc) return;
    const g = byUscc.get(r.uscc);
    if (g) g.push(i);
    else byUscc.set(r.uscc, [i]);
  });
  let matches = 0;
  for (const group of byUscc.values()) {
    for (let x = 0; x < group.length; x++) {
      for (let y = x + 1; y < group.length; y++) {
        const a = records[group[x]!]!;
        const b = records[group[y]!]!;
        if (a.fileId === b.fileId || a.isBranch !== b.isBranch) continue;
        matches += 1;
        tally(counts.match, a, b);
      }
    }
  }

  const wanted = options.randomPairs ?? 200_000;
  const random = mulberry32(options.seed ?? 1);
  let randomPairs = 0;
  for (let tries = 0; randomPairs < wanted && tries < wanted * 3 && records.length > 1; tries++) {
    const a = records[Math.floor(random() * records.length)]!;
    const b = records[Math.floor(random() * records.length)]!;
    if (a === b || a.fileId === b.fileId || (a.usccValid && a.uscc === b.uscc)) continue;
    randomPairs += 1;
    tally(counts.random, a, b);
  }

  const levels: Estimate['levels'] = {};
  for (const f of FEATURES) {
    if (f === 'code') continue;
    const names = Object.keys(PROBABILITIES[f]);
    const table: Record<string, LevelEstimate> = {};
    for (const level of names) {
      const mc = counts.match.get(`${f}:${level}`) ?? 0;
      const rc = counts.random.get(`${f}:${level}`) ?? 0;
      // Add-half smoothing keeps an unseen level finite without pretending it is common.
      table[level] = { m: (mc + 0.5) / (matches + names.length / 2), u: (rc + 0.5) / (randomPairs + names.length / 2), matchCount: mc, randomCount: rc };
    }
    levels[f] = table;
  }
  return { matches, randomPairs, levels };
}
