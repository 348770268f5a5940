/**
 * Text canonicalisation shared by the name and address rules.
 *
 * Agency exports mix full-width and half-width forms, stray spaces (ASCII,
 * U+3000, NBSP) and both bracket styles; the rules here fold those into one
 * spelling so later comparisons only have to deal with real differences.
 */

// NFKC can expose characters (a combining mark after a removed space, an
// upper-cased letter that has a compatibility decomposition) that a second
// NFKC pass changes again; iterating to a fixed point is what makes every
// canonicaliser in this folder idempotent on arbitrary input. Real names
// and addresses settle after one pass; the cap only guards pathological input.
const MAX_PASSES = 6;

export function fixPoint(s: string, step: (x: string) => string): string {
  let cur = step(s);
  for (let i = 1; i < MAX_PASSES; i++) {
    const next = step(cur);
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

// A space survives only between two ASCII letters/digits ("ABC Trading",
// "2 20"); anywhere next to Chinese text or punctuation it is an artefact of
// typing or of fixed-width exports ("扬 州", "有限　公司").
const WS_RUN = /\s+/gu;
const ASCII_WORD = /[0-9A-Za-z]/;
const BIDI_AND_ZERO_WIDTH = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u00AD]/gu;

function squeezeSpaces(s: string): string {
  if (!/\s/u.test(s)) return s;
  return s.trim().replace(WS_RUN, (run: string, offset: number, whole: string) => {
    const before = whole[offset - 1];
    const after = whole[offset + run.length];
    return before !== undefined && after !== undefined && ASCII_WORD.test(before) && ASCII_WORD.test(after) ? ' ' : '';
  });
}

const OPEN_PAREN = /[(\uFF08\u3014\u3010\u2985\uFF5F]/gu; // ( （ 〔 【 ⦅ ｟
const CLOSE_PAREN = /[)\uFF09\u3015\u3011\u2986\uFF60]/gu;

// Text that canonStep returns unchanged, recognised without running it: printable ASCII other than
// round brackets and space, CJK ideographs (basic block and extension A) and the full-width （）.
// None of these has a compatibility decomposition or composes with a neighbour, none is a space or
// an invisible mark, and （） map to themselves. Almost every registered name and address is such
// text, and NFKC twice per pass (and a second pass to confirm) is most of the time normalising takes.
const CANONICAL = /^[\x21-\x27\x2A-\x7E\u3400-\u4DBF\u4E00-\u9FFF\uFF08\uFF09]*$/;

function canonStep(s: string): string {
  const t = squeezeSpaces(s.normalize('NFKC').replace(BIDI_AND_ZERO_WIDTH, '')).normalize('NFKC');
  // Chinese registrations write brackets full-width; NFKC turns them into
  // ASCII, so they are mapped back last, after the final NFKC.
  return t.replace(OPEN_PAREN, '\uFF08').replace(CLOSE_PAREN, '\uFF09');
}

/**
 * NFKC (full-width digits and letters become ASCII), zero-width and bidi
 * marks dropped, spaces removed except between two ASCII words, and every
 * round/lenticular bracket written as the full-width （）.
 */
export function canonText(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '';
  let cur = String(s);
  if (CANONICAL.test(cur)) return cur;
  // fixPoint(cur, canonStep), stopping as soon as a pass yields text that canonStep cannot change.
  cur = canonStep(cur);
  for (let i = 1; i < MAX_PASSES; i++) {
    if (CANONICAL.test(cur)) return cur;
    const next = canonStep(cur);
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

/** Regex-escapes a literal so word lists can be compiled into alternations. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Alternation of literals, longest first so the regex engine prefers the longest form. */
export function alternation(words: readonly string[]): string {
  return [...new Set(words)]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map(escapeRegExp)
    .join('|');
}
