import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyCode,
  cleanCode,
  isValidIdCard,
  isValidOrgCode,
  isValidRegNo,
  isValidUscc,
  mod1110CheckDigit,
  orgCodeCheckChar,
  orgCodeFromUscc,
  parseTaxId,
  usccCheckChar,
} from '../pipelines/normalize/codes.ts';
import { REFERENCE } from './support/paths.ts';

type Row = Record<string, string>;

function readTsv(file: string): Row[] {
  const [header, ...lines] = readFileSync(path.join(REFERENCE, file), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const cols = header!.split('\t');
  return lines.map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

/** 'invalid:checksum(expected K)' → 'K'. */
function expectedCheck(label: string): string | null {
  return /expected (.)\)/.exec(label)?.[1] ?? null;
}

const USCC = readTsv('codes/uscc_vectors.tsv');
const ORG = readTsv('codes/orgcode_vectors.tsv');
const REGNO = readTsv('codes/regno_gs15_vectors.tsv');
const NAMED = readTsv('codes/company_names_uscc.tsv');
const COMPANIES = readTsv('yangzhou-companies-1978-2004.tsv');

// GB 32100 written out independently of the module under test, to build codes
// the vector files do not contain (authorities A and N).
function gb32100Check(first17: string): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((acc, c, i) => acc + alphabet.indexOf(c) * weights[i]!, 0);
  return alphabet[(31 - (sum % 31)) % 31]!;
}

describe('cleanCode', () => {
  it('folds width and case and drops spaces and every kind of dash', () => {
    expect(cleanCode('９１３２ １０００　ｍａ７ｄｃｐ８ｂ６ｔ')).toBe('91321000MA7DCP8B6T');
    expect(cleanCode('MA7DJ7FU-5')).toBe('MA7DJ7FU5');
    expect(cleanCode('12345678－9')).toBe('123456789');
    expect(cleanCode('12345678—9')).toBe('123456789');
    expect(cleanCode('12345678‐9')).toBe('123456789');
    expect(cleanCode(' 91 110000 600037341l ')).toBe('91110000600037341L');
    expect(cleanCode('')).toBe('');
    expect(cleanCode(null)).toBe('');
    expect(cleanCode(undefined)).toBe('');
  });

  it('is idempotent on arbitrary strings, full-width and Chinese included', () => {
    const pieces = fc.constantFrom('９', 'Ｍ', 'ａ', '－', '—', '‐', ' ', '\u3000', '\u00A0', '-', 'x', '扬', '（', ')', 'ß', 'ﬀ', '\u0301', 'İ');
    const mixed = fc.array(pieces, { maxLength: 24 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(mixed, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        const once = cleanCode(s);
        expect(cleanCode(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('unified social credit code vectors (codes/uscc_vectors.tsv)', () => {
  it('has the rows the reference README describes', () => {
    expect(USCC).toHaveLength(239);
  });

  for (const row of USCC) {
    const expected = row.computed_by_reference_algo === 'valid';
    const note = row.valid_per_source === 'valid-format-only' ? ' — source asserted only its regex; the checksum holds' : '';
    it(`${row.code} is ${expected ? 'valid' : row.computed_by_reference_algo} (${row.source_repo})${note}`, () => {
      const c = classifyCode(row.code!);
      expect(c.input).toBe(row.code);
      expect(c.valid).toBe(expected);
      expect(isValidUscc(cleanCode(row.code))).toBe(expected);
      if (row.computed_by_reference_algo === 'invalid:length') expect(c.kind).toBe('unknown');
      else expect(c.kind).toBe('uscc');
      // Where the source's label is a verdict, it agrees with the reference algorithm.
      if (row.valid_per_source === 'valid' || row.valid_per_source === 'invalid') {
        expect(row.valid_per_source === 'valid').toBe(expected);
      }
      const check = expectedCheck(row.computed_by_reference_algo!);
      if (check) expect(usccCheckChar(c.normalized.slice(0, 17))).toBe(check);
      if (expected) expect(c.org_code).toBe(orgCodeFromUscc(c.normalized));
    });
  }

  it('keeps the real early pilot codes as unified codes whose check fails (flag, not drop)', () => {
    for (const code of ['91350211M0000XUF46', '91350100M0001TGQXM', '91350203M0001FUE2P']) {
      expect(classifyCode(code)).toEqual({ input: code, kind: 'uscc', valid: false, normalized: code, org_code: code.slice(8, 17) });
    }
  });

  it('accepts authority N (village collective economic organisations) that popular validators reject', () => {
    const body = 'N2321012MA1NPQ7K0';
    const code = body + gb32100Check(body);
    expect(isValidUscc(code)).toBe(true);
    expect(classifyCode(code.toLowerCase())).toMatchObject({ kind: 'uscc', valid: true, normalized: code });
  });

  it('accepts authority A, which python-stdnum rejects because it demands digits in positions 1–8', () => {
    // A1110000600037341L is in the vectors as invalid: its check character is
    // wrong (K expected), not its authority code.
    expect(isValidUscc('A1110000600037341L')).toBe(false);
    expect(isValidUscc('A1110000600037341K')).toBe(true);
  });

  it('rejects authorities and type codes outside GB 32100 even with a matching check character', () => {
    for (const body of ['B1321000MA1NPQ7K0', '90321000MA1NPQ7K0', '91A21000MA1NPQ7K0']) {
      expect(isValidUscc(body + gb32100Check(body))).toBe(false);
    }
  });
});

describe('organisation code vectors (codes/orgcode_vectors.tsv)', () => {
  it('has 234 rows', () => expect(ORG).toHaveLength(234));

  for (const row of ORG) {
    const expected = row.computed_by_reference_algo === 'valid';
    // "derived" rows are positions 9–17 of a unified code; two of those come
    // from test codes whose unified check holds while GB 11714 fails
    // (123456789012345678 in uscc-utils, 911101005JLR20JR60 in util-helpers).
    it(`${row.code} is ${expected ? 'valid' : row.computed_by_reference_algo} (${row.valid_per_source}, ${row.source_repo})`, () => {
      const c = classifyCode(row.code!);
      expect(c.kind).toBe('org_code');
      expect(c.valid).toBe(expected);
      expect(c.org_code).toBe(c.normalized);
      expect(isValidOrgCode(cleanCode(row.code))).toBe(expected);
      if (row.valid_per_source === 'valid' || row.valid_per_source === 'invalid') {
        expect(row.valid_per_source === 'valid').toBe(expected);
      }
      const check = expectedCheck(row.computed_by_reference_algo!);
      if (check) expect(orgCodeCheckChar(c.normalized.slice(0, 8))).toBe(check);
    });
  }

  it('reads the hyphenated form agencies write', () => {
    expect(classifyCode('76521929-0')).toEqual({ input: '76521929-0', kind: 'org_code', valid: true, normalized: '765219290', org_code: '765219290' });
  });
});

describe('registration number vectors (codes/regno_gs15_vectors.tsv)', () => {
  it('has 143 rows', () => expect(REGNO).toHaveLength(143));

  for (const row of REGNO) {
    const expected = row.computed_by_reference_algo === 'valid';
    it(`${row.code} is ${expected ? 'valid' : row.computed_by_reference_algo} (${row.source_repo})`, () => {
      expect(isValidRegNo(row.code!)).toBe(expected);
      expect(row.valid_per_source === 'valid').toBe(expected);
      const c = classifyCode(row.code!);
      if (row.computed_by_reference_algo === 'invalid:format') expect(c.kind).toBe('unknown');
      else expect(c).toMatchObject({ kind: 'reg_no', valid: expected, org_code: null });
      const check = expectedCheck(row.computed_by_reference_algo!);
      if (check) expect(String(mod1110CheckDigit(row.code!.slice(0, 14)))).toBe(check);
    });
  }
});

describe('name + unified code pairs (codes/company_names_uscc.tsv)', () => {
  it('has 18 rows', () => expect(NAMED).toHaveLength(18));

  for (const row of NAMED) {
    it(`${row.name}: ${row.uscc} is ${row.checksum}`, () => {
      const c = classifyCode(row.uscc!);
      expect(c.kind).toBe('uscc');
      expect(c.valid).toBe(row.checksum === 'valid');
      const check = expectedCheck(row.checksum!);
      if (check) expect(usccCheckChar(row.uscc!.slice(0, 17))).toBe(check);
    });
  }
});

describe('real Yangzhou registrations (yangzhou-companies-1978-2004.tsv)', () => {
  it('classifies all 4,058 codes as checksum-valid, by the kind code_check names', () => {
    expect(COMPANIES).toHaveLength(4058);
    const wrong = COMPANIES.filter((r) => {
      const c = classifyCode(r.code!);
      const kind = r.code_check === 'regno:valid' ? 'reg_no' : 'uscc';
      return !(c.valid && c.kind === kind);
    });
    expect(wrong.map((r) => r.code)).toEqual([]);
  });
});

describe('classifyCode', () => {
  it('tells a 15-digit registration number from a 15-character tax number', () => {
    expect(classifyCode('321081000003012')).toEqual({ input: '321081000003012', kind: 'reg_no', valid: true, normalized: '321081000003012', org_code: null });
    // 321091 + organisation code 746440686 (tax sample); its last digit is not a MOD 11,10 check.
    expect(classifyCode('321091746440686')).toEqual({ input: '321091746440686', kind: 'tax_id', valid: true, normalized: '321091746440686', org_code: '746440686' });
    expect(classifyCode('32109171526726X')).toMatchObject({ kind: 'tax_id', valid: true, org_code: '71526726X' });
    expect(classifyCode('321091746440687')).toMatchObject({ kind: 'reg_no', valid: false, org_code: null });
  });

  it('reads 20-character tax numbers (ID card + 2 digits) of individual businesses', () => {
    expect(classifyCode('32101219901225284901')).toEqual({ input: '32101219901225284901', kind: 'tax_id', valid: true, normalized: '32101219901225284901', org_code: null });
    expect(classifyCode('32101219901225284801')).toMatchObject({ kind: 'tax_id', valid: false });
  });

  it('gives unknown for empty and odd-length input', () => {
    expect(classifyCode('')).toEqual({ input: '', kind: 'unknown', valid: false, normalized: '', org_code: null });
    expect(classifyCode('  ')).toMatchObject({ kind: 'unknown', normalized: '' });
    expect(classifyCode('1234567890')).toMatchObject({ kind: 'unknown', valid: false });
    expect(classifyCode('无')).toMatchObject({ kind: 'unknown', valid: false });
  });

  it('derives no organisation code from an 18-character string outside the GB 32100 alphabet', () => {
    expect(classifyCode('FOOBARFOOBARFOOBAR')).toMatchObject({ kind: 'uscc', valid: false, org_code: null });
  });
});

describe('parseTaxId', () => {
  it('splits the three forms of 纳税人识别号', () => {
    expect(parseTaxId('91321000MA26B3EL5R')).toEqual({ kind: 'uscc', valid: true, normalized: '91321000MA26B3EL5R', uscc: '91321000MA26B3EL5R', orgCode: 'MA26B3EL5' });
    expect(parseTaxId('321091746440686')).toEqual({ kind: 'division_org', valid: true, normalized: '321091746440686', uscc: null, orgCode: '746440686' });
    expect(parseTaxId('32098119560312309902')).toEqual({ kind: 'id_card', valid: true, normalized: '32098119560312309902', uscc: null, orgCode: null });
    expect(parseTaxId('12345')).toMatchObject({ kind: 'unknown', valid: false });
    expect(parseTaxId('321091746440680')).toMatchObject({ kind: 'division_org', valid: false });
  });

  it('checks ID cards with GB 11643 (MOD 11-2, X as 10)', () => {
    expect(isValidIdCard('11010519491231002X')).toBe(true);
    expect(isValidIdCard('110105194912310021')).toBe(false);
  });
});
