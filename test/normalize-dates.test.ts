import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDate, parseYear } from '../pipelines/normalize/dates.ts';

const ok = (date: string | null) => ({ ok: true, date });

describe('parseDate: the formats agencies send', () => {
  it.each([
    ['2019-03-05', '2019-03-05'],
    ['2019-3-5', '2019-03-05'],
    ['2019/3/5', '2019-03-05'],
    ['2019/03/05', '2019-03-05'],
    ['20190305', '2019-03-05'],
    ['2019.03.05', '2019-03-05'],
    ['2019.3.5', '2019-03-05'],
    ['2019年3月5日', '2019-03-05'],
    ['2019年03月05日', '2019-03-05'],
    ['2019年3月5', '2019-03-05'],
    ['２０１９年３月５日', '2019-03-05'],
    [' 2019-03-05 ', '2019-03-05'],
    ['2019/3/5 0:00', '2019-03-05'],
    ['2019-03-05 00:00:00', '2019-03-05'],
    ['2019-03-05T00:00:00', '2019-03-05'],
    ['2020-02-29', '2020-02-29'],
    ['2000-02-29', '2000-02-29'],
  ])('%s → %s', (input, expected) => {
    expect(parseDate(input)).toEqual(ok(expected));
  });

  it('treats empty input as no date', () => {
    for (const v of ['', '   ', '\u3000', null, undefined]) expect(parseDate(v)).toEqual(ok(null));
  });
});

describe('parseDate: Excel', () => {
  it('reads serial numbers in the 1900 date system', () => {
    expect(parseDate(43529)).toEqual(ok('2019-03-05'));
    expect(parseDate('43529')).toEqual(ok('2019-03-05'));
    expect(parseDate(43529.75)).toEqual(ok('2019-03-05'));
    expect(parseDate(36526)).toEqual(ok('2000-01-01'));
    expect(parseDate(45658)).toEqual(ok('2025-01-01'));
    expect(parseDate(73415)).toEqual(ok('2100-12-31'));
    expect(parseDate(10000)).toEqual(ok('1927-05-18'));
  });

  it('rejects numbers outside the five-digit serial range', () => {
    for (const n of [0, 1, 60, 9999, 73416, 99999, -43529, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = parseDate(n);
      expect(r.ok, String(n)).toBe(false);
    }
    expect(parseDate('123456').ok).toBe(false);
  });

  it('reads numeric yyyymmdd cells and date cells', () => {
    expect(parseDate(20190305)).toEqual(ok('2019-03-05'));
    expect(parseDate(new Date(Date.UTC(2019, 2, 5)))).toEqual(ok('2019-03-05'));
    const invalid = parseDate(new Date(Number.NaN));
    expect(invalid.ok).toBe(false);
  });
});

describe('parseDate: failures carry a reason a person can act on', () => {
  it.each([
    ['2019-02-30', '日期无效：2019-02-30 不存在'],
    ['2019年2月29日', '日期无效：2019-02-29 不存在'],
    ['1900-02-29', '日期无效：1900-02-29 不存在'],
    ['2019-04-31', '日期无效：2019-04-31 不存在'],
    ['20190230', '日期无效：2019-02-30 不存在'],
    ['2019-13-05', '日期无效：月份 13 不存在（2019-13-05）'],
    ['2019-00-05', '日期无效：月份 0 不存在（2019-00-05）'],
    ['2019-03-00', '日期无效：2019-03-00 不存在'],
  ])('%s → %s', (input, reason) => {
    expect(parseDate(input)).toEqual({ ok: false, reason });
  });

  it('does not take a year alone, or a year and month, for a date', () => {
    expect(parseDate('2023')).toEqual({ ok: false, reason: '日期不完整：只有年份“2023”，缺少月和日' });
    expect(parseDate('2023年')).toEqual({ ok: false, reason: '日期不完整：只有年份“2023年”，缺少月和日' });
    expect(parseDate(2023)).toEqual({ ok: false, reason: '日期不完整：只有年份“2023”，缺少月和日' });
    expect(parseDate('2023年5月')).toEqual({ ok: false, reason: '日期不完整：“2023年5月”缺少日' });
    expect(parseDate('2023-05')).toEqual({ ok: false, reason: '日期不完整：“2023-05”缺少日' });
  });

  it('rejects text, mixed separators and implausible years', () => {
    expect(parseDate('不详')).toEqual({ ok: false, reason: '无法识别的日期格式：不详' });
    expect(parseDate('2019-3/5')).toEqual({ ok: false, reason: '无法识别的日期格式：2019-3/5' });
    expect(parseDate('19-3-5').ok).toBe(false);
    expect(parseDate('1850-01-01')).toEqual({ ok: false, reason: '日期超出合理范围（1900–2100年）：1850-01-01' });
    expect(parseDate('2019年13月1日')).toEqual({ ok: false, reason: '日期无效：月份 13 不存在（2019年13月1日）' });
  });

  it('never throws and always answers ISO or a Chinese reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer(), fc.double(), fc.date({ noInvalidDate: false })), (v) => {
        const r = parseDate(v);
        if (r.ok) expect(r.date === null || /^\d{4}-\d{2}-\d{2}$/.test(r.date)).toBe(true);
        else expect(r.reason).toMatch(/[\u4e00-\u9fff]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every real calendar day of 1900–2100', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 11, 31)), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-').map(Number);
        expect(parseDate(iso)).toEqual(ok(iso));
        expect(parseDate(`${y}年${m}月${day}日`)).toEqual(ok(iso));
        expect(parseDate(`${y}/${m}/${day}`)).toEqual(ok(iso));
        expect(parseDate(iso.replace(/-/g, ''))).toEqual(ok(iso));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseYear', () => {
  it('reads a year alone', () => {
    expect(parseYear('2023')).toBe(2023);
    expect(parseYear('2023年')).toBe(2023);
    expect(parseYear('２０２３')).toBe(2023);
    expect(parseYear(2023)).toBe(2023);
    expect(parseYear(' 2023 ')).toBe(2023);
  });

  it('gives null for anything else', () => {
    for (const v of ['', null, undefined, '2023-05', '23', '1800', '3000', 2023.5, '二〇二三年']) expect(parseYear(v), String(v)).toBeNull();
  });
});
