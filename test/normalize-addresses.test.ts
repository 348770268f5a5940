import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGazetteer, normalizeAddressText, parseAddress, type Division, type Gazetteer } from '../pipelines/normalize/addresses.ts';
import { REFERENCE } from './support/paths.ts';

/** One CSV line with optional double quotes (the division file quotes its names). */
function csvCells(line: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ''));
  return out;
}

const LEVELS: Record<string, Division['level']> = { city: 'city', district: 'district', street: 'street', village: 'community' };

function loadDivisions(): Division[] {
  const [header, ...lines] = readFileSync(path.join(REFERENCE, 'yangzhou-divisions-2023.csv'), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const cols = csvCells(header!);
  const at = (name: string) => cols.indexOf(name);
  return lines.map((l) => {
    const c = csvCells(l);
    const level = LEVELS[c[at('level')]!];
    if (!level) throw new Error(`unknown level in ${l}`);
    return { code: c[at('code')]!, name: c[at('name')]!, level, parentCode: c[at('parent_code')] || null };
  });
}

function readTsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path.join(REFERENCE, file), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const cols = header!.split('\t');
  return lines.map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

let divisions: Division[];
let gaz: Gazetteer;
beforeAll(() => {
  divisions = loadDivisions();
  gaz = buildGazetteer(divisions);
});

const parse = (a: string) => parseAddress(a, gaz);

describe('normalizeAddressText', () => {
  it('folds width, squeezes spaces and strips the province and city prefix', () => {
    expect(normalizeAddressText('江苏省扬州市邗江区大学北路２６３号２幢')).toBe('邗江区大学北路263号2幢');
    expect(normalizeAddressText('扬州市广陵区 广陵经济开发区琼花路159号')).toBe('广陵区广陵经济开发区琼花路159号');
    expect(normalizeAddressText('江苏扬州市江都区仙女镇')).toBe('江都区仙女镇');
    expect(normalizeAddressText('扬州路5号')).toBe('扬州路5号');
    expect(normalizeAddressText(null)).toBe('');
  });
});

describe('parseAddress', () => {
  it('finds district, town and village named in full', () => {
    expect(parse('江苏省扬州市经济技术开发区扬子津街道裴庄社区江阳东路144号201室')).toEqual({
      normalized: '经济技术开发区扬子津街道裴庄社区江阳东路144号201室',
      districtCode: '321071',
      streetCode: '321071050',
      streetMatch: 'full',
      communityCode: '321071050001',
      communityMatch: 'full',
      communityAmbiguous: false,
      road: '江阳东路',
      number: '144',
      rest: '201室',
    });
    // 大桥镇 has both 波斯村委会 and 波斯社区居委会: 波斯村 is the village.
    expect(parse('扬州市江都区大桥镇波斯村')).toMatchObject({ districtCode: '321012', streetCode: '321012118', streetMatch: 'full', communityCode: '321012118204', communityMatch: 'full' });
    expect(parse('扬州市江都区大桥镇波斯社区')).toMatchObject({ communityCode: '321012118004' });
    expect(parse('扬州市经济技术开发区朴席镇双桥村双桥路40号2幢')).toMatchObject({
      streetCode: '321071152', communityCode: '321071152205', road: '双桥路', number: '40', rest: '2幢',
    });
  });

  it('reads roads and house numbers', () => {
    expect(parse('扬州市长春路118号')).toMatchObject({ districtCode: null, streetCode: null, road: '长春路', number: '118', rest: '' });
    expect(parse('扬州市江阳西路118号')).toMatchObject({ road: '江阳西路', number: '118' });
    expect(parse('扬州经济技术开发区朴席镇扬子江南路81号综合楼')).toMatchObject({ streetCode: '321071152', road: '扬子江南路', number: '81', rest: '综合楼' });
    expect(parse('扬州市广陵区泰安镇泰安大街240号101室')).toMatchObject({ streetCode: '321002402', road: '泰安大街', number: '240' });
    expect(parse('邗江北路与四望亭路交叉口西南角')).toMatchObject({ districtCode: null, road: '邗江北路', number: null });
    expect(parse('扬州市渡江南路2-20号')).toMatchObject({ road: '渡江南路', number: '2-20' });
    expect(parse('邗江区方巷镇江阳西路107号')).toMatchObject({ streetCode: '321003101', road: '江阳西路', number: '107' });
    expect(parse('扬州市江都区宜陵镇工业园区2号路')).toMatchObject({ road: '2号路' });
    expect(parse('宝应县泾河镇黄浦商业街109号')).toMatchObject({ road: '黄浦商业街', number: '109' });
    // 巷 and 路 before a town or village are part of its name, not a road.
    expect(parse('高邮市周巷镇新镇').road).toBeNull();
    expect(parse('仪征市大仪镇路南村').road).toBeNull();
    expect(parse('仪征市马集镇街道北首').road).toBeNull();
  });

  it('finds the town by its core and by names that changed district', () => {
    expect(parse('扬州市广陵区杭集镇')).toMatchObject({ districtCode: '321002', streetCode: '321002401', streetMatch: 'full' });
    expect(parse('扬州市生态科技新城杭集镇')).toMatchObject({ streetCode: '321002401', streetMatch: 'full' });
    // 杭集 belonged to 邗江县 when this address was written.
    expect(parse('邗江县杭集镇')).toMatchObject({ districtCode: '321002', streetCode: '321002401', streetMatch: 'full' });
    expect(parse('杭集工业园')).toMatchObject({ streetCode: '321002401', streetMatch: 'core' });
    expect(parse('汊河镇立坝村')).toMatchObject({ streetCode: '321003003', streetMatch: 'core' });
    expect(parse('高邮市车逻镇师伙村')).toMatchObject({ districtCode: '321084', streetCode: '321084401', streetMatch: 'full' });
    expect(parse('宝应县宝应经济开发区曹宝路102号')).toMatchObject({ streetCode: '321023400' });
    expect(parse('仪征经济开发区闽泰大道8号')).toMatchObject({ districtCode: '321081', streetCode: '321081410' });
  });

  it('does not take a road, lake or estate named after a place for the place', () => {
    expect(parse('扬州市文峰路39号')).toMatchObject({ streetCode: null, road: '文峰路' });
    expect(parse('扬州市文汇东路201号')).toMatchObject({ streetCode: null, road: '文汇东路' });
    expect(parse('扬州市汶河南路53号').streetCode).toBeNull();
    expect(parse('扬州市新城花园201-2栋1层').streetCode).toBeNull();
    expect(parse('高邮市经济开发区高邮湖路26号')).toMatchObject({ districtCode: '321084', road: '高邮湖路' });
    expect(parse('高邮市高邮湖路26号').streetCode).toBeNull();
    // 城北 is a street of 邗江区; in 江都区 it is just "north of town".
    expect(parse('扬州市江都区城北工业园润石路9号')).toMatchObject({ districtCode: '321012', streetCode: null });
  });

  it('reads 开发区 as the development zone unless another district is named', () => {
    expect(parse('扬州市开发区扬子津街道吕桥社区创业路54号B座')).toMatchObject({ districtCode: '321071', streetCode: '321071050', communityMatch: 'full' });
    expect(parse('开发区鸿大路6号')).toMatchObject({ districtCode: '321071', streetCode: null });
    expect(parse('扬州市经济开发区文汇西路1号').districtCode).toBe('321071');
    expect(parse('扬州市江都区开发区舜天路')).toMatchObject({ districtCode: '321012', streetCode: null, road: '舜天路' });
    expect(parse('江都区经济开发区龙川路155号')).toMatchObject({ districtCode: '321012', streetCode: null });
  });

  it('settles a village name found under several streets by the street or the district, and never guesses', () => {
    // 新民村 is a village of 曲江街道, 仙女镇, 氾水镇, 马集镇 and 高邮街道.
    expect(parse('新民村')).toMatchObject({ communityCode: null, communityAmbiguous: true });
    expect(parse('江都区新民村')).toMatchObject({ communityCode: '321012100211', communityMatch: 'full', communityAmbiguous: false });
    expect(parse('仙女镇新民村')).toMatchObject({ streetCode: '321012100', communityCode: '321012100211' });
    // 三河村 is under both 卸甲镇 and 甘垛镇 of 高邮市: the district is not enough.
    expect(parse('高邮市三河村')).toMatchObject({ communityCode: null, communityAmbiguous: true });
    expect(parse('高邮市甘垛镇三河村')).toMatchObject({ communityCode: '321084109241', communityAmbiguous: false });
    expect(parse('高邮市卸甲镇三河村')).toMatchObject({ communityCode: '321084107241' });
    // A village the address places under another town is a contradiction, not a match.
    expect(parse('江都区仙女镇光明村')).toMatchObject({ streetCode: '321012100', communityCode: null, communityAmbiguous: false });
  });

  it('takes a village core only when it is unique inside the town found', () => {
    expect(parse('扬州市江都区郭村镇二姜集镇')).toMatchObject({ streetCode: '321012112', communityMatch: 'core' });
    expect(parse('二姜')).toMatchObject({ communityCode: null, communityMatch: null });
  });

  it('handles empty and unplaceable input', () => {
    const empty = parse('');
    expect(empty).toEqual({
      normalized: '', districtCode: null, streetCode: null, streetMatch: null, communityCode: null, communityMatch: null,
      communityAmbiguous: false, road: null, number: null, rest: '',
    });
    expect(parseAddress(undefined, gaz).normalized).toBe('');
    expect(parse('兰苑B区20-511号(威亨大厦511室)')).toMatchObject({ streetCode: null, road: null, rest: '兰苑B区20-511号（威亨大厦511室）' });
  });
});

describe('parseAddress on real Yangzhou registrations', () => {
  const rows = readTsv('yangzhou-companies-1978-2004.tsv');

  it('places the addresses on streets/towns as far as they name them', () => {
    expect(rows).toHaveLength(4058);
    const parsed = rows.map((r) => parse(r.address!));
    let full = 0;
    let core = 0;
    for (const [i, p] of parsed.entries()) {
      expect(parseAddress(p.normalized, gaz).normalized, rows[i]!.address).toBe(p.normalized);
      if (p.streetMatch === 'full') full++;
      else if (p.streetMatch === 'core') core++;
      if (p.streetCode) expect(p.districtCode).toBe(p.streetCode.slice(0, 6));
      if (p.communityCode && p.streetCode) expect(p.communityCode.slice(0, 9)).toBe(p.streetCode);
      if (p.communityAmbiguous) expect(p.communityCode).toBeNull();
    }
    const n = rows.length;
    const share = (full + core) / n;
    const withRoad = parsed.filter((p) => p.road !== null).length / n;
    const withCommunity = parsed.filter((p) => p.communityCode !== null).length / n;
    console.log(
      `street/town found in ${full + core}/${n} addresses = ${(share * 100).toFixed(2)}% ` +
        `(full name ${(full / n * 100).toFixed(2)}%, core only ${(core / n * 100).toFixed(2)}%); ` +
        `community/village ${(withCommunity * 100).toFixed(2)}%; road ${(withRoad * 100).toFixed(2)}%`,
    );
    expect(share).toBeGreaterThan(0.52);
    expect(full / n).toBeGreaterThan(0.47);
  });
});

describe('buildGazetteer', () => {
  it('indexes every division it is given', () => {
    expect(divisions.filter((d) => d.level === 'street')).toHaveLength(98);
    expect(divisions.filter((d) => d.level === 'community')).toHaveLength(1437);
    expect(gaz.byCode.size).toBe(divisions.length);
  });
});

describe('parseAddress properties', () => {
  const pieces = fc.constantFrom(
    '江苏省', '扬州市', '扬州', '江都区', '开发区', '杭集', '杭集镇', '光明村', '新民村', '社区', '长春路', '路', '街道', '巷',
    '１１８', '号', '118', '-', '（', '）', '(', ')', ' ', '\u3000', '\u0301', '\u00A8', 'Ａ', 'a', '、', '⑴',
  );
  const mixed = fc.array(pieces, { maxLength: 16 }).map((a) => a.join(''));

  it('is idempotent on normalized for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(mixed, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        const once = parseAddress(s, gaz);
        const twice = parseAddress(once.normalized, gaz);
        expect(twice.normalized).toBe(once.normalized);
        expect(twice.streetCode).toBe(once.streetCode);
        expect(twice.communityCode).toBe(once.communityCode);
      }),
      { numRuns: 3000 },
    );
  });
});
