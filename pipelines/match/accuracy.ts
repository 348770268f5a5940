/**
 * Accuracy of a clustering against known truth, for the bench and the tests: pairwise precision and
 * recall, where a pair of records is "linked" when both carry the same unit id. Pairs are counted per
 * cell of the truth × prediction table, so the cost is linear in the records, never quadratic.
 */
export interface LabelledRecord {
  truth: string;
  predicted: string;
  /** Whether the record carries a valid registry key (unified code, organisation code or registration number). */
  keyed: boolean;
}

export interface PairCounts {
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
}

export interface PairScores extends PairCounts {
  precision: number;
  recall: number;
  f1: number;
}

/** Pairs split by class: 'keyed' when both records carry a valid key, 'keyless' when at least one does not. */
export interface PairwiseReport {
  all: PairScores;
  keyed: PairScores;
  keyless: PairScores;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/** Pairs within a group of `n` records of which `k` are keyed, as [keyed-keyed, with a keyless record]. */
function split(n: number, k: number): [number, number] {
  return [pairs(k), pairs(n) - pairs(k)];
}

function tally(records: LabelledRecord[], groupOf: (r: LabelledRecord) => string): [number, number] {
  const groups = new Map<string, { n: number; k: number }>();
  for (const r of records) {
    const key = groupOf(r);
    const g = groups.get(key);
    if (g) {
      g.n += 1;
      if (r.keyed) g.k += 1;
    } else groups.set(key, { n: 1, k: r.keyed ? 1 : 0 });
  }
  let keyed = 0;
  let keyless = 0;
  for (const g of groups.values()) {
    const [a, b] = split(g.n, g.k);
    keyed += a;
    keyless += b;
  }
  return [keyed, keyless];
}

export function scores(c: PairCounts): PairScores {
  const precision = c.predictedPairs === 0 ? 1 : c.correctPairs / c.predictedPairs;
  const recall = c.truePairs === 0 ? 1 : c.correctPairs / c.truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...c, precision, recall, f1 };
}

export function pairwiseReport(records: LabelledRecord[]): PairwiseReport {
  const [tKeyed, tKeyless] = tally(records, (r) => r.truth);
  const [pKeyed, pKeyless] = tally(records, (r) => r.predicted);
  // A truth-and-prediction cell holds exactly the pairs both agree on; \u0000 cannot occur in either id.
  const [cKeyed, cKeyless] = tally(records, (r) => `${r.truth}\u0000${r.predicted}`);
  return {
    all: scores({ truePairs: tKeyed + tKeyless, predictedPairs: pKeyed + pKeyless, correctPairs: cKeyed + cKeyless }),
    keyed: scores({ truePairs: tKeyed, predictedPairs: pKeyed, correctPairs: cKeyed }),
    keyless: scores({ truePairs: tKeyless, predictedPairs: pKeyless, correctPairs: cKeyless }),
  };
}
