import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  idCardCheckChar,
  isValidIdCard,
  isValidOrgCode,
  isValidRegNo,
  isValidUscc,
  normalizeCode,
  orgCodeCheckChar,
  regNoCheckDigit,
  usccCheckChar,
} from '../seeds/demo/codes.ts';
import { REFERENCE } from './support/paths.ts';

/** Rows of a reference TSV as objects keyed by its header. */
function tsv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = fs.readFileSync(path.join(REFERENCE, file), 'utf8').trim().split('\n');
  const cols = (header ?? '').split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [cols[i] ?? `c${i}`, v])));
}

describe('the demo world’s own check-character functions', () => {
  it.each([
    ['codes/uscc_vectors.tsv', isValidUscc],
    ['codes/orgcode_vectors.tsv', isValidOrgCode],
    ['codes/regno_gs15_vectors.tsv', isValidRegNo],
  ] as const)('agree with the reference algorithm on every vector of %s', (file, check) => {
    const rows = tsv(file);
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      const expected = row.computed_by_reference_algo === 'valid' || row.computed_by_reference_algo === 'valid-format-only';
      expect(check(normalizeCode(row.code ?? '')), row.code).toBe(expected);
    }
  });

  it('accept all 4,058 real Yangzhou registrations, and the organisation code inside each unified code', () => {
    const rows = tsv('yangzhou-companies-1978-2004.tsv');
    expect(rows).toHaveLength(4058);
    for (const { code = '' } of rows) {
      if (code.length === 18) {
        expect(isValidUscc(code), code).toBe(true);
        expect(isValidOrgCode(code.slice(8, 17)), code).toBe(true);
      } else {
        expect(isValidRegNo(code), code).toBe(true);
      }
    }
  });

  it('compute the documented examples', () => {
    // 91350211M0000XUF46 is a real early pilot code with a wrong check character (reference README).
    expect(isValidUscc('91350211M0000XUF46')).toBe(false);
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(orgCodeCheckChar('76521929')).toBe('0');
    expect(orgCodeCheckChar('D2143569')).toBe('X');
    expect(regNoCheckDigit('32100000005979')).toBe('1');
    expect(isValidIdCard(`11010519491231002${idCardCheckChar('11010519491231002')}`)).toBe(true);
    expect(idCardCheckChar('11010519491231002')).toBe('X');
  });

  it('normalise the formatting mess of code cells before checking', () => {
    expect(normalizeCode(' ９１３２１０００ＭＡ７ＤＣＰ８Ｂ６Ｔ ')).toBe('91321000MA7DCP8B6T');
    expect(normalizeCode('ma7dj7fu-5')).toBe('MA7DJ7FU5');
    expect(normalizeCode('71341 4879')).toBe('713414879');
  });
});
