import { describe, expect, it } from 'vitest';
import { clusterRecords, orderLinks, type ClusterLink } from '../pipelines/match/cluster.ts';
import { groupByContent } from '../pipelines/match/fingerprint.ts';
import { linkRecords } from '../pipelines/match/link-records.ts';
import { uscc } from './match-inbox.ts';
import { rec } from './match-records.ts';

const together = (uf: { find(x: number): number }, a: number, b: number) => uf.find(a) === uf.find(b);

describe('clustering under constraints', () => {
  const records = [
    rec({ name: '甲', uscc: uscc(1), fileId: 1 }),
    rec({ name: '甲', fileId: 2 }),
    rec({ name: '甲', uscc: uscc(2), fileId: 3 }),
    rec({ name: '乙', fileId: 4 }),
  ];

  it('never lets a chain of fuzzy links join two units with different valid codes', () => {
    const links: ClusterLink[] = [
      { a: 0, b: 1, tier: 'fuzzy', score: 30 },
      { a: 1, b: 2, tier: 'fuzzy', score: 28 },
    ];
    const { uf, rejected } = clusterRecords(records, orderLinks(links), []);
    expect(together(uf, 0, 1)).toBe(true);
    expect(together(uf, 1, 2)).toBe(false);
    expect(rejected).toEqual([{ link: links[1], reason: 'different_codes' }]);
  });

  it('takes the strongest fuzzy link first', () => {
    const { uf } = clusterRecords(records, orderLinks([{ a: 0, b: 1, tier: 'fuzzy', score: 24 }, { a: 1, b: 2, tier: 'fuzzy', score: 40 }]), []);
    expect(together(uf, 1, 2)).toBe(true);
    expect(together(uf, 0, 1)).toBe(false);
  });

  it('holds a steward\'s "not the same" against every tier, and a branch constraint against all but a steward', () => {
    const key: ClusterLink = { a: 0, b: 3, tier: 'key' };
    expect(together(clusterRecords(records, [key], [{ a: 0, b: 3, kind: 'steward' }]).uf, 0, 3)).toBe(false);
    expect(together(clusterRecords(records, [key], [{ a: 0, b: 3, kind: 'branch' }]).uf, 0, 3)).toBe(false);
    expect(together(clusterRecords(records, [{ a: 0, b: 3, tier: 'steward' }], [{ a: 0, b: 3, kind: 'branch' }]).uf, 0, 3)).toBe(true);
    // Through a third record too: the constraint binds the clusters, not only the pair.
    const chain = clusterRecords(records, [{ a: 0, b: 1, tier: 'key' }, { a: 1, b: 3, tier: 'key' }], [{ a: 0, b: 3, kind: 'steward' }]);
    expect(together(chain.uf, 0, 3)).toBe(false);
    expect(chain.rejected[0]!.reason).toBe('steward_different');
  });

  it('does not join two rows of one file by fuzzy links', () => {
    const rows = [rec({ name: '丙', fileId: 7 }), rec({ name: '丙', fileId: 8 }), rec({ name: '丙', fileId: 7 })];
    const { uf } = clusterRecords(rows, orderLinks([{ a: 0, b: 1, tier: 'fuzzy', score: 30 }, { a: 1, b: 2, tier: 'fuzzy', score: 30 }]), []);
    expect(together(uf, 0, 2)).toBe(false);
  });
});

describe('records seen again', () => {
  it('ties a new record with an earlier record\'s content to it, and compares only new content', () => {
    const old = rec({ name: '扬州鑫源电子有限公司', fileId: 1, unitId: 'U1', address: 'a' });
    const again = rec({ name: '扬州鑫源电子有限公司', fileId: 2, address: 'a' });
    const moved = rec({ name: '扬州鑫源电子有限公司', fileId: 2, address: 'b' });
    const { repeats, fresh, participants } = groupByContent([old, again, moved]);
    expect(repeats).toEqual([{ record: 1, same: 0, isNew: true }]);
    expect(fresh).toEqual([false, false, true]);
    expect(participants).toEqual([1, 2]);
  });
});

describe('one run of matching in memory', () => {
  const site = { address: '邗江区文昌西路100号', district: '321003', road: '文昌西路', roadNo: '100' };
  const base = () => [
    rec({ id: '1', name: '扬州鑫源电子有限公司', uscc: uscc(1), fileId: 1, ...site }),
    rec({ id: '2', name: '扬州新源电子有限公司', fileId: 2, ...site }),
    rec({ id: '3', name: '扬州鑫源电子有限公司', uscc: uscc(1), fileId: 3, kind: 'tax', ...site }),
    rec({ id: '4', name: '扬州市红星饭店', uscc: uscc(1), fileId: 4, ...site }),
  ];
  const unitsOf = (clusters: number[][]) => clusters.map((c) => c.join(',')).sort();

  it('links by key and by fuzzy evidence, and queues a key shared by two very different names', () => {
    const out = linkRecords(base(), [], []);
    expect(unitsOf(out.clusters)).toEqual(['0,1,2,3']);
    expect(out.newLinks.filter((l) => l.rule === 'fuzzy').map((l) => [l.a, l.b])).toEqual([[0, 1], [1, 2]]);
    expect(out.review.map((r) => [r.reason, r.a, r.b])).toEqual([['key_name_conflict', 0, 3]]);
    expect(out.counts.comparisons).toBeGreaterThan(0);
  });

  it('honours decisions: "different" splits a key group, "same" joins what no rule would', () => {
    const split = linkRecords(base(), [], [{ id: '9', a: 0, b: 3, verdict: 'different' }]);
    expect(unitsOf(split.clusters)).toEqual(['0,1,2', '3']);
    const records = [...base(), rec({ id: '5', name: '扬州宏达机械制造有限公司', fileId: 5 })];
    const joined = linkRecords(records, [], [{ id: '10', a: 4, b: 1, verdict: 'same' }]);
    expect(unitsOf(joined.clusters)).toEqual(['0,1,2,3,4']);
  });

  it('in a later run compares only fresh records and reuses the fuzzy links found before', () => {
    const first = linkRecords(base(), [], []);
    const fuzzy = first.newLinks.filter((l) => l.rule === 'fuzzy').map((l) => ({ a: l.a, b: l.b, score: l.score! }));
    const later = base().map((r) => ({ ...r, unitId: 'U1' }));
    const again = linkRecords(later, fuzzy, []);
    expect(again.counts.comparisons).toBe(0);
    expect(unitsOf(again.clusters)).toEqual(['0,1,2,3']);
  });
});
