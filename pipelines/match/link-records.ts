/**
 * The matching of one run, in memory and without I/O: rows in (records, the fuzzy links earlier runs
 * found, stewards' decisions), clusters and explanations out. The stage around it (match-stage.ts)
 * loads and writes; this module decides.
 *
 * Only records new to this run whose content is new ("fresh") are compared; everything earlier runs
 * established comes back as links, so a nightly run's comparisons grow with the change.
 */
import { normalizeName } from '../normalize/names.ts';
import { forEachCandidatePair, type BlockingStats } from './blocking.ts';
import { clusterRecords, orderLinks, type ClusterLink, type Constraint, type Rejection } from './cluster.ts';
import { compareAddresses, compareRecords, dice, keysConflict, veto, type Comparison, type Veto } from './compare.ts';
import { groupByContent } from './fingerprint.ts';
import { keyLinks, type KeyRule } from './key-links.ts';
import type { MatchRecord } from './match-record.ts';
import { scoreComparison, THRESHOLDS, verdict, type Weights } from './score.ts';
import { UnionFind } from './union-find.ts';

export interface StoredFuzzyLink {
  a: number;
  b: number;
  score: number;
}

export interface Decision {
  id: string;
  a: number;
  b: number;
  verdict: 'same' | 'different';
}

export type ReviewReason =
  /** a fuzzy score between the review and the link thresholds */
  | 'uncertain'
  /** one valid key, two very different names */
  | 'key_name_conflict'
  /** one name and one address, two different valid codes */
  | 'code_conflict'
  /** a shared valid key between a branch and its parent */
  | 'key_branch_conflict';

export interface PairEvidence {
  comparison: Comparison;
  weights: Weights;
  score: number;
  veto: Veto | null;
}

export interface ReviewCandidate {
  a: number;
  b: number;
  reason: ReviewReason;
  score: number | null;
  evidence: Record<string, unknown>;
}

export interface NewLink {
  a: number;
  b: number;
  rule: KeyRule | 'fuzzy' | 'same_content' | 'steward';
  score: number | null;
  evidence: Record<string, unknown>;
}

export interface LinkOutcome {
  /** members of each cluster, by record index */
  clusters: number[][];
  /** links first found in this run, to store with their evidence */
  newLinks: NewLink[];
  review: ReviewCandidate[];
  /** [record, the later record that now stands for its content] */
  superseded: [number, number][];
  counts: {
    records: number;
    fresh: number;
    repeats: number;
    comparisons: number;
    key_checks: number;
    fuzzy_links: number;
    review_band: number;
    /** pairs in a block that a veto ruled out without comparing them, by veto */
    vetoed: Record<string, number>;
    rejected: Record<string, number>;
    blocking: BlockingStats;
  };
}

/** Names this far apart under one key are a contradiction for a steward (renames, wrong codes). */
const KEY_NAME_CONFLICT_BELOW = 0.5;

export function linkRecords(records: readonly MatchRecord[], stored: readonly StoredFuzzyLink[], decisions: readonly Decision[]): LinkOutcome {
  const { repeats, fresh, participants, superseded } = groupByContent(records);
  const newLinks: NewLink[] = [];
  const review: ReviewCandidate[] = [];
  const links: ClusterLink[] = [];

  // 1. Stewards' decisions.
  const constraints: Constraint[] = [];
  for (const d of decisions) {
    if (d.verdict === 'same') {
      links.push({ a: d.a, b: d.b, tier: 'steward' });
      newLinks.push({ a: d.a, b: d.b, rule: 'steward', score: null, evidence: { decision: d.id } });
    } else constraints.push({ a: d.a, b: d.b, kind: 'steward' });
  }

  // 2. The same content seen again.
  for (const r of repeats) {
    links.push({ a: r.same, b: r.record, tier: 'repeat' });
    if (r.isNew) newLinks.push({ a: r.same, b: r.record, rule: 'same_content', score: null, evidence: { same_as: records[r.same]!.id } });
  }

  // 3. Registry keys; a fresh record's name is checked against the key's first holder.
  let keyChecks = 0;
  const keyUf = new UnionFind(records.length);
  for (const k of keyLinks(records as MatchRecord[])) {
    links.push({ a: k.a, b: k.b, tier: 'key' });
    keyUf.union(k.a, k.b);
    // A repeat is explained by its same-content link; only fresh records' key links are new knowledge.
    if (!fresh[k.a] && !fresh[k.b]) continue;
    newLinks.push({ a: k.a, b: k.b, rule: k.rule, score: null, evidence: { [k.rule]: k.key } });
    const ka = records[k.a]!.nameKey;
    const kb = records[k.b]!.nameKey;
    if (!ka || !kb || ka === kb) continue;
    keyChecks += 1;
    const similarity = Math.round(dice(ka, kb) * 1000) / 1000;
    if (similarity < KEY_NAME_CONFLICT_BELOW && records[k.a]!.core !== records[k.b]!.core) {
      review.push({ a: k.a, b: k.b, reason: 'key_name_conflict', score: null, evidence: { rule: k.rule, key: k.key, name_similarity: similarity } });
    }
  }
  for (const r of repeats) keyUf.union(r.same, r.record);

  // 4. A branch is never its parent: constraints from each branch's parent name.
  constraints.push(...branchParentConstraints(records, participants));

  // 5. Fuzzy evidence for fresh records, inside blocks.
  let comparisons = 0;
  let reviewBand = 0;
  let fuzzyLinks = 0;
  const vetoed: Record<string, number> = {};
  const blocking = forEachCandidatePair(
    records,
    {
      participants,
      fresh,
      skip: (a, b) => {
        const ra = records[a]!;
        const rb = records[b]!;
        if (keyUf.find(a) === keyUf.find(b) || ra.fileId === rb.fileId) return true;
        // A vetoed pair can never link: it is not compared, unless two codes share one name (a code conflict to check).
        const v = veto(ra, rb);
        if (v === null || (v === 'key_conflict' && ra.nameKey === rb.nameKey)) return false;
        vetoed[v] = (vetoed[v] ?? 0) + 1;
        return true;
      },
    },
    (a, b) => {
      comparisons += 1;
      const ra = records[a]!;
      const rb = records[b]!;
      const [x, y] = Number(ra.id) < Number(rb.id) ? [a, b] : [b, a];
      if (keysConflict(ra, rb)) {
        // Two registered units with one name: one unit registered twice if they share the site, for a steward.
        if (compareAddresses(ra, rb).level !== 'same_site') return;
        const comparison = compareRecords(ra, rb);
        const { score, weights } = scoreComparison(comparison);
        review.push({ a: x, b: y, reason: 'code_conflict', score, evidence: { ...comparison, weights, veto: 'key_conflict' } });
        return;
      }
      const comparison = compareRecords(ra, rb);
      const { score, weights } = scoreComparison(comparison);
      const outcome = verdict(score, null);
      if (outcome === 'link') {
        fuzzyLinks += 1;
        links.push({ a: x, b: y, tier: 'fuzzy', score });
        newLinks.push({ a: x, b: y, rule: 'fuzzy', score, evidence: { ...comparison, weights } });
      } else if (outcome === 'review') {
        reviewBand += 1;
        review.push({ a: x, b: y, reason: 'uncertain', score, evidence: { ...comparison, weights } });
      }
    },
  );
  for (const s of stored) if (s.score >= THRESHOLDS.link) links.push({ a: s.a, b: s.b, tier: 'fuzzy', score: s.score });

  // 6. Clusters, refusing unions that break a constraint.
  const outcome = clusterRecords(records, orderLinks(links), constraints);
  const rejected: Record<string, number> = {};
  for (const { link, reason } of outcome.rejected) {
    rejected[`${link.tier}:${reason}`] = (rejected[`${link.tier}:${reason}`] ?? 0) + 1;
    if (link.tier === 'key' && reason === 'branch_parent') {
      review.push({ a: link.a, b: link.b, reason: 'key_branch_conflict', score: null, evidence: { rejected: reason as Rejection } });
    }
  }
  const clusters = [...outcome.uf.groups().values()];
  // An uncertain pair that other evidence already put in one unit needs no steward; a pair is queued once per reason.
  const queued = new Map<string, ReviewCandidate>();
  for (const c of review) {
    if (c.reason === 'uncertain' && outcome.uf.find(c.a) === outcome.uf.find(c.b)) continue;
    const key = `${Math.min(c.a, c.b)}:${Math.max(c.a, c.b)}:${c.reason}`;
    if (!queued.has(key)) queued.set(key, c);
  }
  const settled = [...queued.values()];

  return {
    clusters,
    newLinks,
    review: settled,
    superseded,
    counts: {
      records: records.length,
      fresh: fresh.filter(Boolean).length,
      repeats: repeats.filter((r) => r.isNew).length,
      comparisons,
      key_checks: keyChecks,
      fuzzy_links: fuzzyLinks,
      review_band: reviewBand,
      vetoed,
      rejected,
      blocking,
    },
  };
}

/**
 * Pairs (branch record, parent record): records whose name key is the key of a branch's parent name.
 * Only one record per distinct content takes part; repeats follow them through their links.
 */
export function branchParentConstraints(records: readonly MatchRecord[], participants: readonly number[]): Constraint[] {
  const parentKeyOf = new Map<number, string>();
  const wanted = new Set<string>();
  for (const i of participants) {
    const r = records[i]!;
    if (!r.isBranch || !r.parentName) continue;
    const key = normalizeName(r.parentName).key;
    if (!key) continue;
    parentKeyOf.set(i, key);
    wanted.add(key);
  }
  const holders = new Map<string, number[]>();
  for (const i of participants) {
    const r = records[i]!;
    if (r.isBranch || !r.nameKey || !wanted.has(r.nameKey)) continue;
    const list = holders.get(r.nameKey);
    if (list) list.push(i);
    else holders.set(r.nameKey, [i]);
  }
  const out: Constraint[] = [];
  for (const [branch, key] of parentKeyOf) for (const parent of holders.get(key) ?? []) out.push({ a: branch, b: parent, kind: 'branch' });
  return out;
}
