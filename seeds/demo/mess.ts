/**
 * The ways real exports spell the same fact differently (feeds/README.md):
 * full-width characters, stray spaces, code formatting, five date styles,
 * thousands separators. Every function takes the row's own random stream.
 */
import { USCC_ALPHABET, isValidCode, type CodeKind } from './codes.ts';
import { DATE_STYLES, type DateStyle, formatDate } from './dates.ts';
import type { Rand } from './prng.ts';

/** ASCII letters and digits to their full-width forms (what NFKC folds back). */
export function toFullWidth(s: string): string {
  return s.replace(/[0-9A-Za-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
}

const FULL_BRACKETS: Record<string, string> = { '(': '（', ')': '）' };
const HALF_BRACKETS: Record<string, string> = { '（': '(', '）': ')' };

export function swapBrackets(s: string): string {
  if (/[（）]/.test(s)) return s.replace(/[（）]/g, (ch) => HALF_BRACKETS[ch] ?? ch);
  return s.replace(/[()]/g, (ch) => FULL_BRACKETS[ch] ?? ch);
}

function insertAt(s: string, i: number, what: string): string {
  return s.slice(0, i) + what + s.slice(i);
}

/** Spacing and bracket noise of a name cell; never changes its characters. */
export function messName(name: string, rng: Rand, rate = 1): string {
  let s = name;
  if (/[()（）]/.test(s) && rng.chance(0.3 * rate)) s = swapBrackets(s);
  const chars = [...s];
  if (chars.length > 4 && rng.chance(0.012 * rate)) s = insertAt(s, rng.int(2, s.length - 2), ' ');
  else if (chars.length > 4 && rng.chance(0.004 * rate)) s = insertAt(s, rng.int(2, s.length - 2), '\u3000');
  if (rng.chance(0.006 * rate)) s = rng.chance(0.5) ? ` ${s}` : `${s} `;
  return s;
}

/** Digits in addresses are typed full-width now and then; spaces creep in. */
export function messAddress(address: string, rng: Rand): string {
  let s = address;
  if (rng.chance(0.04)) s = s.replace(/[0-9A-Z]/g, (ch) => toFullWidth(ch));
  if (s.length > 8 && rng.chance(0.012)) s = insertAt(s, rng.int(3, s.length - 3), ' ');
  if (rng.chance(0.01)) s = s.replace('号', '号,厂房');
  return s;
}

/** Formatting noise of a code cell: case, width, spaces, the org-code hyphen. */
export function spellCode(code: string, rng: Rand, opts: { hyphenate?: number; rate?: number } = {}): string {
  const rate = opts.rate ?? 1;
  let s = code;
  if (s.length === 9 && rng.chance(opts.hyphenate ?? 0)) s = `${s.slice(0, 8)}-${s.slice(8)}`;
  const r = rng.next();
  if (r < 0.025 * rate && /[A-Z]/.test(s)) s = s.toLowerCase();
  else if (r < 0.045 * rate) s = toFullWidth(s);
  else if (r < 0.06 * rate) s = insertAt(s, rng.int(2, s.length - 2), ' ');
  else if (r < 0.07 * rate) s = rng.chance(0.5) ? ` ${s}` : `${s} `;
  return s;
}

/**
 * A code with a wrong check character, as a clerk's slip leaves it; the
 * result is guaranteed to fail the check (a different check character always does).
 */
export function breakCheck(code: string, kind: CodeKind, rng: Rand): string {
  const last = code[code.length - 1] as string;
  const pool = kind === 'uscc' ? USCC_ALPHABET : kind === 'org_code' || kind === 'tax_id15' ? '0123456789X' : '0123456789';
  let wrong = last;
  while (wrong === last) wrong = pool[rng.int(0, pool.length - 1)] as string;
  const broken = code.slice(0, -1) + wrong;
  if (isValidCode(kind, broken)) throw new Error(`breaking ${code} left it valid`);
  return broken;
}

/** A file has a house style for dates and strays from it now and then. */
export function spellDate(day: number, house: DateStyle, rng: Rand, stray = 0.2): string {
  return formatDate(day, rng.chance(stray) ? rng.pick(DATE_STYLES) : house);
}

/** Head counts and amounts: '1,200', full-width, or plain. */
export function spellNumber(n: number, rng: Rand): string {
  const plain = String(n);
  if (n >= 1000 && rng.chance(0.5)) return plain.replace(/\B(?=(\d{3})+$)/g, ',');
  if (rng.chance(0.02)) return toFullWidth(plain);
  return plain;
}

/** Header cells carry spaces, full-width brackets or the mandatory-column asterisk. */
export function decorateHeader(header: string, rng: Rand): string {
  const r = rng.next();
  if (r < 0.06) return `${header} `;
  if (r < 0.09) return ` ${header}`;
  if (r < 0.14) return `${header}*`;
  if (r < 0.2 && /[()]/.test(header)) return swapBrackets(header);
  return header;
}
