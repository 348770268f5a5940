/**
 * Identifier rules: unified social credit code (GB 32100-2015), organisation
 * code (GB 11714-1997), legacy business registration number (GS 15-2006),
 * tax numbers, resident ID cards (GB 11643-1999).
 *
 * The validators take an already cleaned code (see cleanCode) and never
 * throw: a code with a wrong check character is still a row to keep, only
 * flagged, so callers need a verdict, not an exception.
 */
import { fixPoint } from './text.ts';

// \p{Pd} covers - ‐ ‑ ‒ – — ― ﹣ －; U+2212 (minus), U+30FC (katakana long
// vowel) and U+2500 (box drawing) come from IMEs and word processors typing "dash".
const CODE_NOISE = /[\s\p{Pd}\u2212\u30FC\u2500\u2501]+/gu;

function cleanStep(s: string): string {
  return s.normalize('NFKC').toUpperCase().normalize('NFKC').replace(CODE_NOISE, '');
}

/** NFKC, upper case, no whitespace (U+3000 included) and no hyphens or dashes; '' for empty. */
export function cleanCode(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  const str = String(s);
  if (str === '') return '';
  // Fast path: the common already-clean code skips the Unicode machinery.
  if (/^[0-9A-Z]*$/.test(str)) return str;
  return fixPoint(str, cleanStep);
}

// ---------------------------------------------------------------------------
// GB 32100-2015 unified social credit code

/** The 31 characters of GB 32100 in value order (no I, O, Z, S, V). */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_VALUE = new Map<string, number>([...USCC_ALPHABET].map((c, i) => [c, i]));
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Registration-authority codes listed by GB 32100 and its amendments:
 * 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会,
 * 9 工商/市场监管, A 中央军委改革和编制办公室, N 农业 (village collective
 * economic organisations — legal, though several popular validators reject
 * them), Y 其他.
 */
export const USCC_AUTHORITIES = '123456789ANY';

// Position 2 is the organisation-type code, a digit 1–9 under every
// authority; 3–8 are the issuing division's digits. python-stdnum insists on
// digits in positions 1–8, which wrongly rejects the A, N and Y authorities.
const USCC_SHAPE = /^[123456789ANY][1-9]\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

/** The check character GB 32100 prescribes for the first 17 characters, or null when they are outside the alphabet. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_VALUE.get(first17[i]!);
    if (v === undefined) return null;
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** GB 32100-2015: 18 characters, valid authority/type/division shape, correct check character. */
export function isValidUscc(code: string): boolean {
  if (code.length !== 18 || !USCC_SHAPE.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

/** The organisation code embedded in a unified code (positions 9–17, 1-based). */
export function orgCodeFromUscc(uscc: string): string {
  return uscc.slice(8, 17);
}

// ---------------------------------------------------------------------------
// GB 11714-1997 organisation code

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const ORG_SHAPE = /^[0-9A-Z]{8}[0-9X]$/;

function alnumValue(c: string): number {
  const code = c.charCodeAt(0);
  // '0'–'9' are worth 0–9, 'A'–'Z' 10–35.
  return code <= 57 ? code - 48 : code - 55;
}

/** The check character for an 8-character organisation-code body, or null when the body is malformed. */
export function orgCodeCheckChar(body: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(body)) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += alnumValue(body[i]!) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** GB 11714: the 9 characters without the hyphen (callers clean first). */
export function isValidOrgCode(code: string): boolean {
  if (code.length !== 9 || !ORG_SHAPE.test(code)) return false;
  return orgCodeCheckChar(code.slice(0, 8)) === code[8];
}

// ---------------------------------------------------------------------------
// GS 15-2006 business registration number (ISO 7064 MOD 11,10)

/** ISO 7064 MOD 11,10 check digit for a string of digits. */
export function mod1110CheckDigit(digits: string): number {
  let p = 10;
  for (let i = 0; i < digits.length; i++) {
    let s = (p + (digits.charCodeAt(i) - 48)) % 10;
    if (s === 0) s = 10;
    p = (s * 2) % 11;
  }
  return (11 - p) % 10;
}

/** 15 digits whose last one is the ISO 7064 MOD 11,10 check digit. */
export function isValidRegNo(code: string): boolean {
  if (!/^\d{15}$/.test(code)) return false;
  return mod1110CheckDigit(code.slice(0, 14)) === code.charCodeAt(14) - 48;
}

// ---------------------------------------------------------------------------
// GB 11643-1999 resident ID card (ISO 7064 MOD 11-2)

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** 17 digits plus the MOD 11-2 check character (digit or X). */
export function isValidIdCard(code: string): boolean {
  if (!/^\d{17}[0-9X]$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (code.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === code[17];
}

// ---------------------------------------------------------------------------
// Tax numbers (纳税人识别号)

export type TaxIdKind = 'uscc' | 'division_org' | 'id_card' | 'unknown';

export interface TaxId {
  kind: TaxIdKind;
  valid: boolean;
  normalized: string;
  uscc: string | null;
  orgCode: string | null;
}

const DIVISION_ORG_SHAPE = /^\d{6}[0-9A-Z]{8}[0-9X]$/;
const ID_CARD_TAX_SHAPE = /^\d{17}[0-9X]\d{2}$/;
const USCC_CHARSET = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

/**
 * 18 characters are the unified code; 15 are a 6-digit division plus the
 * 9-character organisation code; 20 are an 18-character ID card number plus
 * two digits (individual businesses).
 */
export function parseTaxId(s: string): TaxId {
  const n = cleanCode(s);
  switch (n.length) {
    case 18:
      return {
        kind: 'uscc',
        valid: isValidUscc(n),
        normalized: n,
        uscc: n,
        orgCode: USCC_CHARSET.test(n) ? orgCodeFromUscc(n) : null,
      };
    case 15: {
      const shaped = DIVISION_ORG_SHAPE.test(n);
      const org = n.slice(6);
      return {
        kind: 'division_org',
        valid: shaped && isValidOrgCode(org),
        normalized: n,
        uscc: null,
        orgCode: shaped ? org : null,
      };
    }
    case 20:
      return {
        kind: 'id_card',
        valid: ID_CARD_TAX_SHAPE.test(n) && isValidIdCard(n.slice(0, 18)),
        normalized: n,
        uscc: null,
        orgCode: null,
      };
    default:
      return { kind: 'unknown', valid: false, normalized: n, uscc: null, orgCode: null };
  }
}

// ---------------------------------------------------------------------------
// `gridlink codes validate`

export type CodeKind = 'uscc' | 'org_code' | 'reg_no' | 'tax_id' | 'unknown';

/** One JSON line of `gridlink codes validate`; the key names are the command's contract. */
export interface CodeClassification {
  input: string;
  kind: CodeKind;
  valid: boolean;
  normalized: string;
  org_code: string | null;
}

const ALNUM9 = /^[0-9A-Z]{9}$/;
const DIGITS15 = /^\d{15}$/;

/**
 * Kind from the cleaned code's length and shape. A code whose check fails
 * keeps its kind with valid=false, because the row is kept and flagged.
 *
 * 15 digits are ambiguous between a registration number and a tax number
 * (division + organisation code): the registration number's check decides
 * first, the embedded organisation code's check second; when neither holds
 * the code is reported as an invalid registration number.
 */
export function classifyCode(input: string): CodeClassification {
  const n = cleanCode(input);
  const out = (kind: CodeKind, valid: boolean, org: string | null): CodeClassification => ({
    input,
    kind,
    valid,
    normalized: n,
    org_code: org,
  });

  if (n.length === 18) return out('uscc', isValidUscc(n), USCC_CHARSET.test(n) ? orgCodeFromUscc(n) : null);
  if (n.length === 9 && ALNUM9.test(n)) return out('org_code', isValidOrgCode(n), n);
  if (n.length === 15) {
    if (DIGITS15.test(n) && isValidRegNo(n)) return out('reg_no', true, null);
    const tax = parseTaxId(n);
    if (tax.valid) return out('tax_id', true, tax.orgCode);
    if (DIGITS15.test(n)) return out('reg_no', false, null);
    return out('tax_id', false, tax.orgCode);
  }
  if (n.length === 20) return out('tax_id', parseTaxId(n).valid, null);
  return out('unknown', false, null);
}
