import { describe, expect, it } from 'vitest';
import { clusterRecords, orderLinks, type ClusterLink, type Constraint, type LinkTier, type Rejection } from '../pipelines/match/cluster.ts';
import { fingerprint, groupByContent, type ContentGroups, type Repeat } from '../pipelines/match/fingerprint.ts';
import type { MatchRecord } from '../pipelines/match/match-record.ts';
import { UnionFind } from '../pipelines/match/union-find.ts';
import { uscc } from './match-inbox.ts';
import { rec } from './match-records.ts';
import { Rand } from '../seeds/demo/prng.ts';

/**
 * Clustering as first written: every component's codes, files and constraint partners kept up to date
 * through every union of every tier. Slower, plainly right; clusterRecords must agree with it.
 */
function plainCluster(records: readonly MatchRecord[], links: readonly ClusterLink[], constraints: readonly Constraint[]) {
  interface State { partners: { other: number; kind: string }[]; uscc: string[]; org: string[]; reg: string[]; files: number[] }
  const uf = new UnionFind(records.length);
  const state = new Map<number, State>();
  const stateOf = (root: number): State => {
    let s = state.get(root);
    if (!s) {
      const r = records[root]!;
      s = { partners: [], uscc: r.usccValid && r.uscc ? [r.uscc] : [], org: r.orgCodeValid && r.orgCode ? [r.orgCode] : [], reg: r.regNoValid && r.regNo ? [r.regNo] : [], files: [r.fileId] };
      state.set(root, s);
    }
    return s;
  };
  for (const c of constraints) {
    stateOf(uf.find(c.a)).partners.push({ other: c.b, kind: c.kind });
    stateOf(uf.find(c.b)).partners.push({ other: c.a, kind: c.kind });
  }
  const disjoint = (x: string[], y: string[]) => x.length > 0 && y.length > 0 && !x.some((v) => y.includes(v));
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
      if (disjoint(sa.uscc, sb.uscc) || disjoint(sa.org, sb.org) || disjoint(sa.reg, sb.reg)) return 'different_codes';
      if (sa.files.some((f) => sb.files.includes(f))) return 'same_file';
    }
    return null;
  };
  const rejected: { link: ClusterLink; reason: Rejection }[] = [];
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
    for (const p of from.partners) into.partners.push(p);
    for (const k of ['uscc', 'org', 'reg'] as const) for (const v of from[k]) if (!into[k].includes(v)) into[k].push(v);
    for (const f of from.files) if (!into.files.includes(f)) into.files.push(f);
    state.delete(root === ra ? rb : ra);
    accepted.push(link);
  }
  return { uf, rejected, accepted };
}

describe('clustering keeps codes and files only for what fuzzy links touch', () => {
  it('gives the plain version\'s clusters, rejections and accepted links on generated records, links and constraints', () => {
    const tiers: LinkTier[] = ['steward', 'repeat', 'key', 'fuzzy', 'fuzzy', 'fuzzy'];
    let rejections = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const random = new Rand(seed);
      const r = () => random.next();
      const n = 20 + Math.floor(r() * 60);
      const records = Array.from({ length: n }, (_, i) => rec({ name: `单位${i % 7}`, uscc: r() < 0.4 ? uscc(1 + Math.floor(r() * 6)) : null, fileId: 1 + Math.floor(r() * 5) }));
      const links: ClusterLink[] = Array.from({ length: Math.floor(n * 1.5) }, () => {
        const tier = tiers[Math.floor(r() * tiers.length)]!;
        const link: ClusterLink = { a: Math.floor(r() * n), b: Math.floor(r() * n), tier };
        if (tier === 'fuzzy') link.score = Math.round(r() * 40);
        return link;
      });
      const constraints: Constraint[] = Array.from({ length: Math.floor(r() * 6) }, () => ({ a: Math.floor(r() * n), b: Math.floor(r() * n), kind: r() < 0.5 ? 'steward' : 'branch' }));
      const ordered = orderLinks(links);
      const plain = plainCluster(records, ordered, constraints);
      const fast = clusterRecords(records, ordered, constraints);
      expect([...fast.uf.groups().values()], `seed ${seed}`).toEqual([...plain.uf.groups().values()]);
      expect(fast.rejected, `seed ${seed}`).toEqual(plain.rejected);
      expect(fast.accepted, `seed ${seed}`).toEqual(plain.accepted);
      rejections += plain.rejected.length;
    }
    expect(rejections).toBeGreaterThan(80);
  });

  it('refuses links out of the order of trust rather than cluster them wrongly', () => {
    const records = [rec({ name: '甲', fileId: 1 }), rec({ name: '甲', fileId: 2 }), rec({ name: '甲', fileId: 3 })];
    expect(() => clusterRecords(records, [{ a: 0, b: 1, tier: 'fuzzy', score: 30 }, { a: 1, b: 2, tier: 'key' }], [])).toThrow(/order of trust/);
  });
});

/** Grouping by content as first written: a list of members for every fingerprint. groupByContent must agree with it. */
function plainGroups(records: readonly MatchRecord[]): ContentGroups {
  const groups = new Map<number, number[]>();
  records.forEach((r, i) => groups.set(fingerprint(r), [...(groups.get(fingerprint(r)) ?? []), i]));
  const repeats: Repeat[] = [];
  const fresh = new Array<boolean>(records.length).fill(false);
  const participants: number[] = [];
  const superseded: [number, number][] = [];
  const latest = (members: number[]) => members.reduce((best, i) => (Number(records[i]!.id) > Number(records[best]!.id) ? i : best));
  for (const members of groups.values()) {
    const last = latest(members);
    participants.push(last);
    for (const i of members) if (i !== last) superseded.push([i, last]);
    const old = members.filter((i) => records[i]!.unitId !== undefined);
    const anchor = old.length > 0 ? latest(old) : last;
    if (old.length === 0) fresh[anchor] = true;
    for (const i of members) if (i !== anchor) repeats.push({ record: i, same: anchor, isNew: records[i]!.unitId === undefined });
  }
  participants.sort((a, b) => a - b);
  return { repeats, fresh, participants, superseded };
}

describe('grouping by content keeps member lists only for content held more than once', () => {
  it("gives the plain version's repeats, fresh records, participants and superseded records on generated records", () => {
    let repeats = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const random = new Rand(seed);
      const r = () => random.next();
      const n = 10 + Math.floor(r() * 60);
      // Few names and codes, so content repeats often: old and new records alike, ids out of index order.
      const records = Array.from({ length: n }, (_, i) =>
        rec({
          name: `单位${Math.floor(r() * 8)}`,
          uscc: r() < 0.5 ? uscc(1 + Math.floor(r() * 3)) : null,
          unitId: r() < 0.6 ? `U${Math.floor(r() * 5)}` : undefined,
          id: String(1000 + ((i * 37) % 101)),
        }),
      );
      const fast = groupByContent(records);
      expect(fast, `seed ${seed}`).toEqual(plainGroups(records));
      repeats += fast.repeats.length;
    }
    expect(repeats).toBeGreaterThan(500);
  });
});
