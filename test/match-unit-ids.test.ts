import { describe, expect, it } from 'vitest';
import { UnionFind } from '../pipelines/match/union-find.ts';
import { assignUnitIds, type ClusterIdResult } from '../pipelines/match/unit-ids.ts';
import { keyLinks } from '../pipelines/match/key-links.ts';

function minter(start = 100) {
  let n = start;
  return () => `U${++n}`;
}

describe('union-find', () => {
  it('joins transitively and reports groups in member order', () => {
    const uf = new UnionFind(6);
    uf.union(0, 3);
    uf.union(3, 5);
    expect(uf.union(5, 0)).toBe(false);
    uf.union(1, 2);
    const groups = [...uf.groups().values()].sort((a, b) => a[0]! - b[0]!);
    expect(groups).toEqual([[0, 3, 5], [1, 2], [4]]);
  });
});

describe('key links', () => {
  it('links only on codes whose check holds, as a star per key', () => {
    const r = (uscc: string | null, usccValid: boolean, orgCode: string | null = null) => ({ uscc, usccValid, orgCode, orgCodeValid: orgCode !== null, regNo: null, regNoValid: false });
    const links = keyLinks([r('A', true), r('A', true), r('A', false), r('B', true, 'X'), r(null, false, 'X'), r('A', true)]);
    expect(links).toEqual([
      { a: 0, b: 1, rule: 'uscc', key: 'A' },
      { a: 3, b: 4, rule: 'org_code', key: 'X' },
      { a: 0, b: 5, rule: 'uscc', key: 'A' },
    ]);
  });
});

describe('stable unit ids', () => {
  it('keeps every id when the clusters are unchanged', () => {
    const prev = ['U1', 'U1', 'U2', 'U3'];
    const r = assignUnitIds([[0, 1], [2], [3]], (i) => prev[i], minter());
    expect(r.ids).toEqual(['U1', 'U2', 'U3']);
    expect(r.created).toEqual([]);
    expect(r.retired).toEqual([]);
  });

  it('gives new records a new id and leaves the others alone', () => {
    const prev = ['U1', 'U1', undefined, 'U2'];
    const r = assignUnitIds([[0, 1], [2], [3]], (i) => prev[i], minter());
    expect(r.ids).toEqual(['U1', 'U101', 'U2']);
    expect(r.created).toEqual([1]);
  });

  it('on a split the larger part keeps the id and the split is recorded', () => {
    const prev = ['U1', 'U1', 'U1'];
    const r = assignUnitIds([[2], [0, 1]], (i) => prev[i], minter());
    expect(r.ids).toEqual(['U101', 'U1']);
    expect(r.split.get('U1')).toEqual(['U101']);
    expect(r.retired).toEqual([]);
  });

  it('on a merge the larger unit survives and the other is retired', () => {
    const prev = ['U1', 'U2', 'U2'];
    const r = assignUnitIds([[0, 1, 2]], (i) => prev[i], minter());
    expect(r.ids).toEqual(['U2']);
    expect(r.merged.get('U2')).toEqual(['U1']);
    expect(r.retired).toEqual(['U1']);
  });
});

/**
 * The id policy as first written: a map of votes for every cluster, every claim sorted, contested or
 * not. assignUnitIds must agree with it in every part of its result.
 */
function plainAssign(clusters: number[][], previousUnitOf: (r: number) => string | undefined, mint: () => string): ClusterIdResult {
  const votes = clusters.map((members) => {
    const tally = new Map<string, number>();
    for (const m of members) {
      const id = previousUnitOf(m);
      if (id !== undefined) tally.set(id, (tally.get(id) ?? 0) + 1);
    }
    return tally;
  });
  const claims: { cluster: number; id: string; n: number }[] = [];
  votes.forEach((t, cluster) => t.forEach((n, id) => claims.push({ cluster, id, n })));
  claims.sort((a, b) => b.n - a.n || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.cluster - b.cluster);
  const ids: (string | undefined)[] = new Array(clusters.length);
  const taken = new Set<string>();
  for (const c of claims) {
    if (ids[c.cluster] !== undefined || taken.has(c.id)) continue;
    ids[c.cluster] = c.id;
    taken.add(c.id);
  }
  const created: number[] = [];
  const merged = new Map<string, string[]>();
  const split = new Map<string, string[]>();
  for (let i = 0; i < clusters.length; i++) {
    if (ids[i] === undefined) {
      ids[i] = mint();
      created.push(i);
      for (const old of votes[i]!.keys()) split.set(old, [...(split.get(old) ?? []), ids[i]!]);
    }
    for (const old of votes[i]!.keys()) {
      if (old === ids[i] || taken.has(old)) continue;
      const list = merged.get(ids[i]!) ?? [];
      if (!list.includes(old)) list.push(old);
      merged.set(ids[i]!, list);
    }
  }
  const previous = new Set(votes.flatMap((t) => [...t.keys()]));
  const retired = [...previous].filter((id) => !taken.has(id)).sort();
  return { ids: ids as string[], created, merged, split, retired };
}

describe('unit ids: votes without a map per cluster, and only contested claims sorted', () => {
  it('gives the result the plain policy gives, on generated splits, merges and new records', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let contested = 0;
    for (let round = 0; round < 300; round++) {
      const records = 10 + Math.floor(rand() * 60);
      const previous = Array.from({ length: records }, () => (rand() < 0.2 ? undefined : `U${Math.floor(rand() * 12)}`));
      const order = Array.from({ length: records }, (_, i) => i).sort(() => rand() - 0.5);
      const clusters: number[][] = [];
      for (const r of order) {
        if (clusters.length === 0 || rand() < 0.3) clusters.push([r]);
        else clusters[Math.floor(rand() * clusters.length)]!.push(r);
      }
      const result = assignUnitIds(clusters, (r) => previous[r], minter(1000));
      expect(result).toEqual(plainAssign(clusters, (r) => previous[r], minter(1000)));
      if (result.merged.size > 0 && result.split.size > 0) contested += 1;
    }
    // The cases exercise merges and splits together, not only unchanged clusters.
    expect(contested).toBeGreaterThan(50);
  });
});
