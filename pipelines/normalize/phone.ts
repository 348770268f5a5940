/**
 * Telephone numbers: mobiles as 11 digits, landlines as 'AREA-LOCAL'
 * ('0514-89027231'), extensions as '转NNN'. Anything that is not a Chinese
 * mobile, landline or 400/800 service number is null: a contact number that
 * cannot be dialled is worth less than knowing it is missing.
 */

/** Yangzhou's area code, assumed for 8-digit local numbers written without one. */
export const DEFAULT_AREA_CODE = '0514';

// Several numbers share one cell: "13812345678/0514-87654321", "…、…", "…或…".
const SEPARATORS = /[,;，；、/|\\]|或|\s{2,}/u;
const EXTENSION = /(?:转|分机|ext\.?|x)\s*(\d{1,6})$/iu;
const DASH_EXTENSION = /^(.*\d)[-\u2010-\u2015\u2212](\d{1,5})$/u;
const NOISE = /[\s\-\u2010-\u2015\u2212()（）[\]【】.·]/gu;

const MOBILE = /^1[3-9]\d{9}$/;
const SERVICE = /^[48]00\d{7}$/;
const WITH_AREA = /^0\d{9,11}$/;
const LOCAL = /^[2-9]\d{7}$/;

function dialable(digits: string, areaCode: string): string | null {
  let d = digits;
  let international = false;
  if (d.startsWith('+86')) {
    d = d.slice(3);
    international = true;
  } else if (d.startsWith('0086')) {
    d = d.slice(4);
    international = true;
  } else if (d.length === 13 && d.startsWith('86') && MOBILE.test(d.slice(2))) d = d.slice(2);
  if (!/^\d+$/.test(d)) return null;
  if (MOBILE.test(d)) return d;
  if (SERVICE.test(d)) return d;
  // +86 514 8902 7231 drops the trunk 0 of the area code.
  if (international && !d.startsWith('0')) d = '0' + d;
  if (WITH_AREA.test(d)) {
    // Beijing (010) and 02x cities have three-digit area codes, all others four.
    const areaLen = d[1] === '1' || d[1] === '2' ? 3 : 4;
    const local = d.slice(areaLen);
    if (local.length === 7 || local.length === 8) return `${d.slice(0, areaLen)}-${local}`;
    return null;
  }
  if (LOCAL.test(d)) return `${areaCode}-${d}`;
  return null;
}

function one(candidate: string, areaCode: string): string | null {
  let text = candidate.trim();
  let ext: string | null = null;
  const em = EXTENSION.exec(text);
  if (em) {
    ext = em[1]!;
    text = text.slice(0, em.index);
  }
  const plain = dialable(text.replace(NOISE, ''), areaCode);
  if (plain !== null) return ext && plain.includes('-') ? `${plain}转${ext}` : plain;
  // 0514-87654321-8001: the last group is an extension when the rest is a landline.
  const dm = ext === null ? DASH_EXTENSION.exec(text) : null;
  if (dm) {
    const head = dialable(dm[1]!.replace(NOISE, ''), areaCode);
    if (head !== null && head.includes('-')) return `${head}转${dm[2]!}`;
  }
  return null;
}

/** Every dialable number in the cell, canonical and without duplicates. */
export function normalizePhones(s: string | null | undefined, areaCode = DEFAULT_AREA_CODE): string[] {
  if (s === null || s === undefined) return [];
  const text = String(s).normalize('NFKC');
  if (text.trim() === '') return [];
  const out: string[] = [];
  for (const part of text.split(SEPARATORS)) {
    const n = one(part, areaCode);
    if (n !== null && !out.includes(n)) out.push(n);
  }
  return out;
}

/** The first dialable number in the cell in canonical form, or null. Idempotent. */
export function normalizePhone(s: string | null | undefined, areaCode = DEFAULT_AREA_CODE): string | null {
  return normalizePhones(s, areaCode)[0] ?? null;
}
