import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAmountResult, parseCount, parseCountResult } from '../pipelines/normalize/numbers.ts';

describe('parseCount', () => {
  it.each([
    ['1,200', 1200],
    ['297,544', 297544],
    ['１２', 12],
    ['１，２００', 1200],
    [' 43 ', 43],
    ['12人', 12],
    ['3个月', 3],
    ['12.0', 12],
    ['0', 0],
  ])('%s → %d', (input, value) => {
    expect(parseCount(input)).toBe(value);
    expect(parseCountResult(input)).toEqual({ ok: true, value });
  });

  it('reads numbers from spreadsheet cells', () => {
    expect(parseCount(421)).toBe(421);
    expect(parseCountResult(-1).ok).toBe(false);
    expect(parseCountResult(1.5).ok).toBe(false);
  });

  it('gives null for empty cells and placeholders, as a success', () => {
    for (const v of ['', '  ', null, undefined, '-', '—', '无', '/']) {
      expect(parseCountResult(v), String(v)).toEqual({ ok: true, value: null });
    }
  });

  it('gives null and a failure for what is not a count, never NaN', () => {
    for (const v of ['abc', '1,20', '12.5', '-3', '1.2万', '十二', '12 34']) {
      const r = parseCountResult(v);
      expect(r.ok, v).toBe(false);
      expect(r.value).toBeNull();
      if (!r.ok) expect(r.reason).toContain(v.normalize('NFKC').trim());
      expect(parseCount(v)).toBeNull();
    }
  });

  it('never returns NaN on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.double(), fc.integer()), (v) => {
        const n = parseCount(v);
        expect(n === null || (Number.isSafeInteger(n) && n >= 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseAmountResult', () => {
  it('reads decimal amounts in the column unit', () => {
    expect(parseAmountResult('1,000.5')).toEqual({ ok: true, value: 1000.5 });
    expect(parseAmountResult('１０００')).toEqual({ ok: true, value: 1000 });
    expect(parseAmountResult('')).toEqual({ ok: true, value: null });
    expect(parseAmountResult('100万').ok).toBe(false);
  });
});
