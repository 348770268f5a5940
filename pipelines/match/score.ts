/**
 * Fellegi–Sunter scoring: each feature level has m = P(level | same unit) and u = P(level | different
 * units); its weight is log2(m / u), and a pair's score is the sum of its features' weights. A level
 * that is missing on either side weighs 0.
 *
 * How m and u were set: estimated on the demo world (`npm run bench:match -- --estimate`) from the
 * pairs blocking proposes, labelled without the truth by the registry keys themselves — pairs sharing
 * a valid unified code are "same", pairs with two different valid unified codes are "different" — then
 * rounded, floored at 0.001 and checked by hand against what the agencies' data is known to do (a
 * shared phone between two units is rare, two units' legal representatives share a name more often).
 * Key-labelled pairs are the one source of labels a real deployment has too; the thresholds were then
 * set on the bench's pairwise F1 for records without a valid code.
 */
import type { AddressLevel, AgreeLevel, CodeLevel, Comparison, Feature, NameLevel, TradeLevel, Veto } from './compare.ts';
import { FEATURES } from './compare.ts';

export interface MU {
  m: number;
  u: number;
}

export interface Probabilities {
  name: Record<NameLevel, MU>;
  trade: Record<TradeLevel, MU>;
  address: Record<AddressLevel, MU>;
  legalRep: Record<AgreeLevel, MU>;
  phone: Record<AgreeLevel, MU>;
  district: Record<AgreeLevel, MU>;
  region: Record<AgreeLevel, MU>;
  code: Record<CodeLevel, MU>;
}

const MISSING: MU = { m: 1, u: 1 };

export const PROBABILITIES: Probabilities = {
  name: {
    exact: { m: 0.96, u: 0.00012 },
    form: { m: 0.0025, u: 0.00001 },
    one_char: { m: 0.033, u: 0.00005 },
    high: { m: 0.001, u: 0.00015 },
    medium: { m: 0.0035, u: 0.005 },
    low: { m: 0.0003, u: 0.995 },
  },
  // Only when the names differ by more than their form (equal names have equal trade names).
  trade: {
    exact: { m: 0.001, u: 0.00006 },
    similar: { m: 0.033, u: 0.006 },
    different: { m: 0.004, u: 0.956 },
    missing: MISSING,
  },
  address: {
    same_site: { m: 0.99, u: 0.00015 },
    same_road: { m: 0.002, u: 0.0078 },
    similar: { m: 0.005, u: 0.00002 },
    different: { m: 0.0006, u: 0.992 },
    missing: MISSING,
  },
  legalRep: { same: { m: 0.4, u: 0.00007 }, different: { m: 0.0006, u: 0.43 }, missing: MISSING },
  // Set by hand: only the statistics register carries phones in the data seen so far. Agencies often
  // hold different numbers for one unit (a landline here, the owner's mobile there).
  phone: { same: { m: 0.5, u: 0.00005 }, different: { m: 0.3, u: 0.9 }, missing: MISSING },
  district: { same: { m: 0.954, u: 0.28 }, different: { m: 0.0005, u: 0.674 }, missing: MISSING },
  region: { same: { m: 0.815, u: 0.266 }, different: { m: 0.0034, u: 0.45 }, missing: MISSING },
  // Set by hand (the codes label the estimate): an invalid code shared by two records is nearly as
  // good as a key; one character apart is a clerk's slip; codes that differ are two units.
  code: {
    same: { m: 0.01, u: 0.000001 },
    near: { m: 0.005, u: 0.000002 },
    different: { m: 0.005, u: 0.99 },
    missing: MISSING,
  },
};

/**
 * The score is the log2 Bayes factor of "same unit" (u comes from random pairs). Two records drawn
 * at random from a register of Yangzhou's size (about a million records, a quarter million units)
 * are one unit with odds of about 2^-18, so a score of 23 means odds of 2^5 (97 %) before blocking
 * has narrowed the pairs at all — a one-character typo at the same site in the same district scores
 * about 24 — and below 14 the odds are worse than 1 : 16. Between the two a steward decides.
 */
export const THRESHOLDS = { link: 23, review: 14 } as const;

export type Weights = Record<Feature, number>;

const r2 = (x: number) => Math.round(x * 100) / 100;

export function levelWeight(p: MU): number {
  return Math.log2(p.m / p.u);
}

/** Weight of every feature of a comparison and their sum, rounded to 0.01 so stored and fresh scores order alike. */
export function scoreComparison(c: Comparison, probabilities: Probabilities = PROBABILITIES): { score: number; weights: Weights } {
  const weights = {} as Weights;
  let score = 0;
  for (const f of FEATURES) {
    const table = probabilities[f] as Record<string, MU>;
    const w = r2(levelWeight(table[c[f]]!));
    weights[f] = w;
    score += w;
  }
  return { score: r2(score), weights };
}

export type Verdict = 'link' | 'review' | 'none';

export function verdict(score: number, veto: Veto | null): Verdict {
  if (veto) return 'none';
  if (score >= THRESHOLDS.link) return 'link';
  if (score >= THRESHOLDS.review) return 'review';
  return 'none';
}
