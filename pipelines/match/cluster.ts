/**
 * Clusters records into units from links taken in order of trust — stewards' "same" decisions, repeats
 * of a record's content, shared registry keys, then fuzzy links from the highest score down — by
 * union–find that refuses any union breaking a constraint:
 *   - a steward's "not the same" (binds every tier),
 *   - a branch and its parent (binds every tier but a steward's "same"),
 *   - for fuzzy links only: two units holding different valid codes of one kind, or each holding a row
 *     of the same file (an agency's register lists a unit once).
 * So a cluster never holds a "not the same" pair, and a chain of fuzzy links cannot join two
 * registered units.
 */
import { UnionFind } from './union-find.ts';
import type { MatchRecord } from './match-record.ts';

export type LinkTier = 'steward' | 'repeat' | 'key' | 'fuzzy';
const TIER_ORDER: Record<LinkTier, number> = { steward: 0, repeat: 1, key: 2, fuzzy: 3 };

export interface ClusterLink {
  a: number;
  b: number;
  tier: LinkTier;
  /** fuzzy links: higher first */
  score?: number;
}

export type ConstraintKind = 'steward' | 'branch';

export interface Constraint {
  a: number;
  b: number;
  kind: ConstraintKind;
}

export type Rejection = 'steward_different' | 'branch_parent' | 'different_codes' | 'same_file';

export interface ClusterOutcome {
  uf: UnionFind;
  /** links refused, with why; links inside an already joined cluster are neither accepted nor refused */
  rejected: { link: ClusterLink; reason: Rejection }[];
  accepted: ClusterLink[];
}

interface ComponentState {
  partners: { other: number; kind: ConstraintKind }[];
  uscc: string[];
  org: string[];
  reg: string[];
  files: number[];
}

const disjointNonEmpty = (x: string[], y: string[]) => x.length > 0 && y.length > 0 && !x.some((v) => y.includes(v));

/** Links in the order of trust: by tier, fuzzy links by score (highest first), otherwise as given. */
export function orderLinks(links: ClusterLink[]): ClusterLink[] {
  const byTier: ClusterLink[][] = [[], [], [], []];
  for (const l of links) byTier[TIER_ORDER[l.tier]]!.push(l);
  // Array sort is stable: equal scores keep the order they were found in.
  byTier[TIER_ORDER.fuzzy]!.sort((x, y) => (y.score ?? 0) - (x.score ?? 0));
  return byTier.flat();
}

/** `links` must already be in the order of trust (see orderLinks). */
export function clusterRecords(records: readonly MatchRecord[], links: readonly ClusterLink[], constraints: readonly Constraint[]): ClusterOutcome {
  const uf = new UnionFind(records.length);
  const state = new Map<number, ComponentState>();
  const stateOf = (root: number): ComponentState => {
    let s = state.get(root);
    if (!s) {
      const r = records[root]!;
      s = {
        partners: [],
        uscc: r.usccValid && r.uscc ? [r.uscc] : [],
        org: r.orgCodeValid && r.orgCode ? [r.orgCode] : [],
        reg: r.regNoValid && r.regNo ? [r.regNo] : [],
        files: [r.fileId],
      };
      state.set(root, s);
    }
    return s;
  };
  for (const c of constraints) {
    stateOf(uf.find(c.a)).partners.push({ other: c.b, kind: c.kind });
    stateOf(uf.find(c.b)).partners.push({ other: c.a, kind: c.kind });
  }

  const conflict = (ra: number, rb: number, tier: LinkTier): Rejection | null => {
    const sa = stateOf(ra);
    const sb = stateOf(rb);
    const [small, otherRoot] = sa.partners.length <= sb.partners.length ? [sa, rb] : [sb, ra];
    for (const p of small.partners) {
      if (uf.find(p.other) !== otherRoot) continue;
      if (p.kind === 'steward') return 'steward_different';
      if (tier !== 'steward') return 'branch_parent';
    }
    if (tier === 'fuzzy') {
      if (disjointNonEmpty(sa.uscc, sb.uscc) || disjointNonEmpty(sa.org, sb.org) || disjointNonEmpty(sa.reg, sb.reg)) return 'different_codes';
      if (sa.files.some((f) => sb.files.includes(f))) return 'same_file';
    }
    return null;
  };

  const merge = (into: ComponentState, from: ComponentState) => {
    for (const p of from.partners) into.partners.push(p);
    for (const k of ['uscc', 'org', 'reg'] as const) for (const v of from[k]) if (!into[k].includes(v)) into[k].push(v);
    for (const f of from.files) if (!into.files.includes(f)) into.files.push(f);
  };

  const rejected: ClusterOutcome['rejected'] = [];
  const accepted: ClusterLink[] = [];
  for (const link of links) {
    const ra = uf.find(link.a);
    const rb = uf.find(link.b);
    if (ra === rb) continue;
    const why = conflict(ra, rb, link.tier);
    if (why) {
      rejected.push({ link, reason: why });
      continue;
    }
    const sa = stateOf(ra);
    const sb = stateOf(rb);
    uf.union(ra, rb);
    const root = uf.find(ra);
    const [into, from] = root === ra ? [sa, sb] : [sb, sa];
    merge(into, from);
    state.delete(root === ra ? rb : ra);
    accepted.push(link);
  }
  return { uf, rejected, accepted };
}
