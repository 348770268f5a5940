/**
 * Check characters of the Chinese registry identifiers, written here (not
 * imported from pipelines/) so the demo world and its tests stay an
 * independent oracle for the pipeline's own validators.
 */

/** GB 32100-2015 alphabet: 0-9 and A-Z without I, O, Z, S, V. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** Check character of a unified social credit code from its first 17 characters. */
export function usccCheckChar(body17: string): string {
  if (body17.length !== 17) throw new Error(`uscc body must have 17 characters: ${body17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(body17[i] as string);
    if (value < 0) throw new Error(`character outside the GB 32100 alphabet: ${body17}`);
    sum += value * (USCC_WEIGHTS[i] as number);
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] as string;
}

export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NP-RTUWXY]{18}$/.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

function orgCharValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  if (ch >= 'A' && ch <= 'Z') return ch.charCodeAt(0) - 55;
  throw new Error(`character outside the GB 11714 alphabet: ${ch}`);
}

/** Check character of an organisation code (GB 11714-1997) from its 8 body characters. */
export function orgCodeCheckChar(body8: string): string {
  if (body8.length !== 8) throw new Error(`organisation code body must have 8 characters: ${body8}`);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCharValue(body8[i] as string) * (ORG_WEIGHTS[i] as number);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function isValidOrgCode(code9: string): boolean {
  if (!/^[0-9A-Z]{8}[0-9X]$/.test(code9)) return false;
  return orgCodeCheckChar(code9.slice(0, 8)) === code9[8];
}

/** ISO 7064 MOD 11,10 check digit of a legacy 15-digit registration number (GS 15-2006). */
export function regNoCheckDigit(body14: string): string {
  if (!/^\d{14}$/.test(body14)) throw new Error(`registration number body must be 14 digits: ${body14}`);
  let p = 10;
  for (const ch of body14) {
    let s = (p + Number(ch)) % 10;
    if (s === 0) s = 10;
    p = (s * 2) % 11;
  }
  return String((11 - p) % 10);
}

export function isValidRegNo(code: string): boolean {
  return /^\d{15}$/.test(code) && regNoCheckDigit(code.slice(0, 14)) === code[14];
}

/** Check character of an 18-digit resident ID number (GB 11643-1999). */
export function idCardCheckChar(body17: string): string {
  if (!/^\d{17}$/.test(body17)) throw new Error(`ID number body must be 17 digits: ${body17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] as string;
}

export function isValidIdCard(code: string): boolean {
  return /^\d{17}[\dX]$/.test(code) && idCardCheckChar(code.slice(0, 17)) === code[17];
}

/**
 * What a code cell becomes before it is checked: full-width folded (NFKC),
 * upper-cased, spaces and hyphens removed — the formatting mess feeds add.
 */
export function normalizeCode(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(/[\s\-‐－—]/g, '');
}

export type CodeKind = 'uscc' | 'org_code' | 'reg_no' | 'tax_id15' | 'tax_id20';

/** Checks a normalised code of a known kind; a 15-digit tax number is a division plus an organisation code. */
export function isValidCode(kind: CodeKind, code: string): boolean {
  switch (kind) {
    case 'uscc':
      return isValidUscc(code);
    case 'org_code':
      return isValidOrgCode(code);
    case 'reg_no':
      return isValidRegNo(code);
    case 'tax_id15':
      return /^\d{6}/.test(code) && code.length === 15 && isValidOrgCode(code.slice(6));
    case 'tax_id20':
      return /^\d{17}[\dX]\d{2}$/.test(code) && isValidIdCard(code.slice(0, 18));
  }
}

/** Which kind of code a normalised value in a tax-number or mixed code column is, by its shape. */
export function classifyCode(code: string): CodeKind | null {
  if (code.length === 18) return 'uscc';
  if (code.length === 9) return 'org_code';
  if (code.length === 15 && /^\d{6}[0-9A-Z]{8}[0-9X]$/.test(code)) return 'tax_id15';
  if (code.length === 20) return 'tax_id20';
  return null;
}
