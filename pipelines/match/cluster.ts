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

interface Partner {
  other: number;
  kind: ConstraintKind;
}

/** A component's valid codes and files: what a fuzzy link may not join across. */
interface CodeState {
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

/**
 * `links` must already be in the order of trust (see orderLinks). Codes and files matter only to fuzzy
 * links, which come last: they are gathered once, when the first fuzzy link comes, and only for the
 * components fuzzy links touch, rather than kept up to date through every key and repeat union.
 */
export function clusterRecords(records: readonly MatchRecord[], links: readonly ClusterLink[], constraints: readonly Constraint[]): ClusterOutcome {
  const uf = new UnionFind(records.length);
  // Constraints by component root: few components have any.
  const partners = new Map<number, Partner[]>();
  const addPartner = (root: number, p: Partner) => {
    const list = partners.get(root);
    if (list) list.push(p);
    else partners.set(root, [p]);
  };
  for (const c of constraints) {
    addPartner(uf.find(c.a), { other: c.b, kind: c.kind });
    addPartner(uf.find(c.b), { other: c.a, kind: c.kind });
  }
  let codes: Map<number, CodeState> | null = null;

  const conflict = (ra: number, rb: number, tier: LinkTier): Rejection | null => {
    const pa = partners.get(ra) ?? [];
    const pb = partners.get(rb) ?? [];
    const [small, otherRoot] = pa.length <= pb.length ? [pa, rb] : [pb, ra];
    for (const p of small) {
      if (uf.find(p.other) !== otherRoot) continue;
      if (p.kind === 'steward') return 'steward_different';
      if (tier !== 'steward') return 'branch_parent';
    }
    if (tier === 'fuzzy') {
      const sa = codes!.get(ra)!;
      const sb = codes!.get(rb)!;
      if (disjointNonEmpty(sa.uscc, sb.uscc) || disjointNonEmpty(sa.org, sb.org) || disjointNonEmpty(sa.reg, sb.reg)) return 'different_codes';
      if (sa.files.some((f) => sb.files.includes(f))) return 'same_file';
    }
    return null;
  };

  const rejected: ClusterOutcome['rejected'] = [];
  const accepted: ClusterLink[] = [];
  for (let n = 0; n < links.length; n++) {
    const link = links[n]!;
    if (link.tier === 'fuzzy' && codes === null) codes = gatherCodes(records, uf, links, n);
    else if (link.tier !== 'fuzzy' && codes !== null) throw new Error('clusterRecords: links must be in the order of trust (orderLinks): a fuzzy link came before a stronger one');
    const ra = uf.find(link.a);
    const rb = uf.find(link.b);
    if (ra === rb) continue;
    const why = conflict(ra, rb, link.tier);
    if (why) {
      rejected.push({ link, reason: why });
      continue;
    }
    uf.union(ra, rb);
    const root = uf.find(ra);
    const gone = root === ra ? rb : ra;
    const moving = partners.get(gone);
    if (moving) {
      for (const p of moving) addPartner(root, p);
      partners.delete(gone);
    }
    if (codes) {
      const into = codes.get(root)!;
      const from = codes.get(gone)!;
      for (const k of ['uscc', 'org', 'reg'] as const) for (const v of from[k]) if (!into[k].includes(v)) into[k].push(v);
      for (const f of from.files) if (!into.files.includes(f)) into.files.push(f);
      codes.delete(gone);
    }
    accepted.push(link);
  }
  return { uf, rejected, accepted };
}

/** Codes and files of every component that a link from `from` on touches, from their members' records. */
function gatherCodes(records: readonly MatchRecord[], uf: UnionFind, links: readonly ClusterLink[], from: number): Map<number, CodeState> {
  const codes = new Map<number, CodeState>();
  for (let n = from; n < links.length; n++) {
    for (const end of [links[n]!.a, links[n]!.b]) {
      const root = uf.find(end);
      if (!codes.has(root)) codes.set(root, { uscc: [], org: [], reg: [], files: [] });
    }
  }
  for (let i = 0; i < records.length; i++) {
    const s = codes.get(uf.find(i));
    if (!s) continue;
    const r = records[i]!;
    if (r.usccValid && r.uscc && !s.uscc.includes(r.uscc)) s.uscc.push(r.uscc);
    if (r.orgCodeValid && r.orgCode && !s.org.includes(r.orgCode)) s.org.push(r.orgCode);
    if (r.regNoValid && r.regNo && !s.reg.includes(r.regNo)) s.reg.push(r.regNo);
    if (!s.files.includes(r.fileId)) s.files.push(r.fileId);
  }
  return codes;
}
