import { describe, expect, it } from 'vitest';
import { UnionFind } from '../pipelines/match/union-find.ts';
import { assignUnitIds } from '../pipelines/match/unit-ids.ts';
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
