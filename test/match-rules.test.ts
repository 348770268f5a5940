import { describe, expect, it } from 'vitest';
import { compareAddresses, compareNames, compareRecords, veto } from '../pipelines/match/compare.ts';
import { scoreComparison, THRESHOLDS, verdict } from '../pipelines/match/score.ts';
import { uscc } from './match-inbox.ts';
import { rec } from './match-records.ts';

const site = { address: '邗江区文昌西路100号', district: '321003', road: '文昌西路', roadNo: '100' };

describe('comparing two records', () => {
  it('grades names: equal keys, only the form, one character, or by Dice similarity', () => {
    const a = rec({ name: '扬州鑫源电子有限公司' });
    expect(compareNames(a, rec({ name: '鑫源电子有限责任公司' })).level).toBe('exact');
    expect(compareNames(a, rec({ name: '扬州鑫源电子股份有限公司' })).level).toBe('form');
    expect(compareNames(a, rec({ name: '扬州新源电子有限公司' })).level).toBe('one_char');
    const other = compareNames(a, rec({ name: '扬州宏达机械制造有限公司' }));
    expect(other.level).toBe('low');
    expect(other.similarity).toBeLessThan(0.6);
  });

  it('takes the same house number in two spellings of one address as the same site', () => {
    const a = rec({ name: 'x', address: '江都区郭村镇四庄村九组40号', community: '321012112218' });
    // The address parser put the second spelling in another village; the text and the number agree.
    const b = rec({ name: 'x', address: '江都区郭村四庄村九组40号', community: '321012112203' });
    expect(compareAddresses(a, b).level).toBe('same_site');
    const road = compareAddresses(rec({ name: 'x', ...site }), rec({ name: 'x', address: '经济技术开发区文昌西路100号', road: '西路', roadNo: '100' }));
    expect(road.level).toBe('same_site');
    expect(compareAddresses(rec({ name: 'x', ...site }), rec({ name: 'x', ...site, address: '邗江区文昌西路102号', roadNo: '102' })).level).toBe('same_road');
    expect(compareAddresses(rec({ name: 'x', ...site }), rec({ name: 'x', address: '广陵区渡江路5号', district: '321002', road: '渡江路', roadNo: '5' })).level).toBe('different');
    expect(compareAddresses(rec({ name: 'x', ...site }), rec({ name: 'x' })).level).toBe('missing');
  });

  it('reads an invalid code shared by two records, or one character apart, as evidence', () => {
    const code = uscc(42);
    const slip = `${code.slice(0, 17)}${code[17] === '1' ? '2' : '1'}`;
    expect(compareRecords(rec({ name: 'a', uscc: slip, usccValid: false }), rec({ name: 'b', uscc: slip, usccValid: false })).code).toBe('same');
    expect(compareRecords(rec({ name: 'a', uscc: code }), rec({ name: 'b', uscc: slip, usccValid: false })).code).toBe('same');
    // The organisation code inside a unified code against a 15-digit tax number's.
    expect(compareRecords(rec({ name: 'a', uscc: slip, usccValid: false }), rec({ name: 'b', taxId: `321003${code.slice(8, 16)}0` })).code).toBe('near');
  });

  it('vetoes a branch with its parent, two branches of one parent, and two different valid codes', () => {
    const parent = rec({ name: '扬州市恒扬建材有限公司', ...site });
    const branch = rec({ name: '扬州市恒扬建材有限公司邗江分公司', ...site });
    expect(veto(parent, branch)).toBe('branch_and_main');
    expect(veto(branch, rec({ name: '扬州市恒扬建材有限公司广陵分公司', ...site }))).toBe('two_branches');
    expect(veto(branch, rec({ name: '扬州市恒扬建材有限责任公司邗江分公司' }))).toBeNull();
    expect(veto(rec({ name: 'a', uscc: uscc(1) }), rec({ name: 'a', uscc: uscc(2) }))).toBe('key_conflict');
    expect(veto(rec({ name: 'a', uscc: uscc(1) }), rec({ name: 'a', uscc: uscc(1) }))).toBeNull();
  });
});

describe('scoring', () => {
  const score = (a: Parameters<typeof rec>[0], b: Parameters<typeof rec>[0]) => scoreComparison(compareRecords(rec(a), rec(b))).score;

  it('links a sound-alike typo at the same site, but not the same slip elsewhere', () => {
    expect(score({ name: '扬州鑫源电子有限公司', ...site }, { name: '扬州新源电子有限公司', ...site })).toBeGreaterThanOrEqual(THRESHOLDS.link);
    const elsewhere = score({ name: '扬州鑫源电子有限公司', ...site }, { name: '扬州新源电子有限公司', address: '邗江区江阳中路3号', district: '321003', road: '江阳中路', roadNo: '3' });
    expect(elsewhere).toBeLessThan(THRESHOLDS.review);
  });

  it('keeps one trade name in two districts apart, and two companies that differ only by 江苏/扬州', () => {
    const shop = (district: string, address: string, rep: string) => ({ name: `扬州市${district === '321002' ? '广陵区' : '邗江区'}老王水果店`, address, district, legalRep: rep });
    expect(score(shop('321002', '广陵区渡江路5号', '王明'), shop('321003', '邗江区杨寿大街20号', '赵刚'))).toBeLessThan(THRESHOLDS.review);
    expect(score({ name: '江苏鑫源电子有限公司', address: '邗江区江阳中路3号', district: '321003' }, { name: '扬州鑫源电子有限公司', ...site })).toBeLessThan(THRESHOLDS.review);
  });

  it('sends an equal name without an address to a steward, not to a link', () => {
    const s = score({ name: '扬州市光明塑料制品有限公司', district: '321003' }, { name: '扬州市光明塑料制品有限公司', ...site });
    expect(verdict(s, null)).toBe('review');
    expect(verdict(100, 'branch_and_main')).toBe('none');
  });

  it('adds up per-feature weights, each the log-ratio of its m and u', () => {
    const { score: total, weights } = scoreComparison(compareRecords(rec({ name: '扬州鑫源电子有限公司', legalRep: '张伟', ...site }), rec({ name: '鑫源电子有限公司', legalRep: '张伟', ...site })));
    expect(weights.name).toBeGreaterThan(0);
    expect(weights.legalRep).toBeGreaterThan(0);
    expect(weights.phone).toBe(0);
    expect(total).toBeCloseTo(Object.values(weights).reduce((a, b) => a + b, 0), 1);
  });
});
