import { describe, expect, it } from 'vitest';
import { BLOCK_KINDS, blockKeys, forEachBlockHash, forEachCandidatePair, type BlockKind } from '../pipelines/match/blocking.ts';
import { hash32 } from '../pipelines/match/hash.ts';
import { rec } from './match-records.ts';
import type { MatchRecord } from '../pipelines/match/match-record.ts';

function pairs(records: MatchRecord[], opts: { fresh?: boolean[]; caps?: Record<BlockKind, number>; skip?: (a: number, b: number) => boolean } = {}) {
  const seen: string[] = [];
  const stats = forEachCandidatePair(
    records,
    { participants: records.map((_, i) => i), fresh: opts.fresh ?? records.map(() => true), skip: opts.skip ?? ((a, b) => records[a]!.fileId === records[b]!.fileId), caps: opts.caps },
    (a, b) => seen.push([a, b].sort((x, y) => x - y).join('-')),
  );
  return { seen, stats };
}

describe('blocking', () => {
  it('hashes each block key without building its string exactly as hashing the string would', () => {
    const seeds = BLOCK_KINDS.map((k) => hash32(k));
    for (const r of [
      rec({ name: '扬州新源电子有限公司', district: '321003', phone: '051487654321', legalRep: '王伟', address: '扬州市邗江区文昌西路5号' }),
      rec({ name: '扬州市恒扬建材有限公司邗江分公司', district: null, legalRep: '李强' }),
    ]) {
      const districts = ['321002', '321003', '321012'];
      const fromStrings = blockKeys(r, districts).map(([k, v]) => `${k}:${hash32(v, seeds[BLOCK_KINDS.indexOf(k)])}`).sort();
      const fromHashes: string[] = [];
      forEachBlockHash(r, districts, (k, h) => fromHashes.push(`${BLOCK_KINDS[k]}:${h}`));
      expect(fromHashes.sort()).toEqual(fromStrings);
      expect(fromStrings.filter((k) => k.startsWith('m:')).length).toBeGreaterThan(3);
    }
  });

  it('masks one character of the name core per key, so a typo still shares a block', () => {
    const keys = (name: string) => new Set(blockKeys(rec({ name, district: '321003' }), []).filter(([k]) => k === 'm').map(([, v]) => v));
    const a = keys('扬州鑫源电子有限公司');
    const b = keys('扬州新源电子有限公司');
    expect([...a].filter((k) => b.has(k))).toHaveLength(1);
    expect(a.size).toBe(4);
  });

  it('proposes each pair once however many blocks it shares, and never two rows of one file', () => {
    const site = { address: '邗江区文昌西路100号', district: '321003', road: '文昌西路', roadNo: '100', phone: '051487000001' };
    const records = [
      rec({ name: '扬州鑫源电子有限公司', fileId: 1, ...site }),
      // Shares a masked name key, the address and the phone with the first: still one pair.
      rec({ name: '扬州新源电子有限公司', fileId: 2, ...site }),
      // Same name as the first, but a row of the same register: two of that agency's units.
      rec({ name: '扬州鑫源电子有限公司', fileId: 1, address: '广陵区渡江路5号', district: '321002' }),
      rec({ name: '扬州宏达机械制造有限公司', fileId: 2, address: '江都区龙川路1号', district: '321012' }),
    ];
    const { seen, stats } = pairs(records);
    expect(seen).toEqual(['0-1']);
    expect(stats.candidate_pairs).toBe(1);
    expect(pairs(records, { skip: () => false }).seen.sort()).toEqual(['0-1', '0-2']);
  });

  it('compares a record without a district against every district', () => {
    const records = [
      rec({ name: '扬州新源电子有限公司', fileId: 1 }),
      rec({ name: '扬州鑫源电子有限公司', fileId: 2, district: '321003' }),
      rec({ name: '扬州鑫源电子有限公司', fileId: 3, district: '321002' }),
    ];
    // 0 meets 1 and 2 in their districts' blocks; 1 and 2 only share their name.
    expect(pairs(records).seen.sort()).toEqual(['0-1', '0-2', '1-2']);
    const districted = records.map((r, i) => (i === 0 ? { ...r, district: '321012' } : r));
    expect(pairs(districted).seen.sort()).toEqual(['1-2']);
  });

  it('compares only pairs with a fresh record', () => {
    const records = [1, 2, 3].map((f) => rec({ name: '扬州鑫源电子有限公司', fileId: f, district: '321003' }));
    expect(pairs(records, { fresh: [false, false, true] }).seen.sort()).toEqual(['0-2', '1-2']);
    expect(pairs(records, { fresh: [false, false, false] }).seen).toEqual([]);
  });

  it('skips a block above its cap and counts it, instead of comparing it in full', () => {
    const records = Array.from({ length: 12 }, (_, f) => rec({ name: '扬州市人民医院', fileId: f, district: '321003' }));
    const caps = { n: 5, m: 5, p: 5, r: 5, a: 5, c: 5 };
    const { seen, stats } = pairs(records, { caps });
    expect(seen).toEqual([]);
    expect(stats.oversized_blocks).toBeGreaterThan(0);
    expect(stats.oversized_records).toBeGreaterThanOrEqual(12);
    expect(pairs(records).seen).toHaveLength((12 * 11) / 2);
  });
});
