import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePhone, normalizePhones } from '../pipelines/normalize/phone.ts';

describe('normalizePhone', () => {
  it.each([
    ['15008177330', '15008177330'],
    ['150 0817 7330', '15008177330'],
    ['150-0817-7330', '15008177330'],
    ['+86 150 0817 7330', '15008177330'],
    ['+8615008177330', '15008177330'],
    ['008615008177330', '15008177330'],
    ['8615008177330', '15008177330'],
    ['１５００８１７７３３０', '15008177330'],
    ['0514-89027231', '0514-89027231'],
    ['051489027231', '0514-89027231'],
    ['(0514)89027231', '0514-89027231'],
    ['（0514）89027231', '0514-89027231'],
    ['0514 8902 7231', '0514-89027231'],
    ['０５１４－８９０２７２３１', '0514-89027231'],
    ['+86-514-89027231', '0514-89027231'],
    ['89027231', '0514-89027231'],
    ['010-12345678', '010-12345678'],
    ['025-84561234', '025-84561234'],
    ['0514-87654321转8001', '0514-87654321转8001'],
    ['0514-87654321-8001', '0514-87654321转8001'],
    ['400-800-1234', '4008001234'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it('gives null for empty and for what cannot be dialled', () => {
    for (const v of ['', '  ', null, undefined, '无', '123', '12345678901', '0514-123', '电话']) {
      expect(normalizePhone(v), String(v)).toBeNull();
    }
  });

  it('reads cells holding several numbers', () => {
    expect(normalizePhones('13812345678/0514-87654321')).toEqual(['13812345678', '0514-87654321']);
    expect(normalizePhones('0514-87654321、87654321，13812345678')).toEqual(['0514-87654321', '13812345678']);
    expect(normalizePhone('无 / 13812345678')).toBe('13812345678');
  });

  it('is idempotent on arbitrary strings, full-width and Chinese included', () => {
    const pieces = fc.constantFrom('0514', '-', '－', '—', ' ', '\u3000', '(', '（', ')', '）', '+86', '１', '3', '8', '9', '2', '转', '、', '/', '电话', 'x');
    const mixed = fc.array(pieces, { maxLength: 20 }).map((a) => a.join(''));
    const numbers = fc.oneof(
      fc.stringMatching(/^1[3-9]\d{9}$/),
      fc.stringMatching(/^0\d{2,3}[- ]?\d{7,8}$/),
      fc.stringMatching(/^\+86 ?1[3-9]\d{9}$/),
    );
    fc.assert(
      fc.property(fc.oneof(mixed, numbers, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        const once = normalizePhone(s);
        if (once !== null) expect(normalizePhone(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });
});
