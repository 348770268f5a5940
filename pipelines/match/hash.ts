/**
 * Small non-cryptographic string hashes. Blocking keys and record fingerprints are kept as numbers,
 * not strings, so a million records' keys fit in typed arrays instead of millions of map entries.
 */

/** FNV-1a over UTF-16 code units, 32 bits unsigned. */
export function hash32(s: string, seed = 0x811c9dc5): number {
  return hashFinish(hashFeed(seed >>> 0, s));
}

/** hash32 in parts: feed strings (or single code units) in turn, then finish; equals hash32 of the concatenation. */
export function hashFeed(h: number, s: string, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

export function hashFeedUnit(h: number, unit: number): number {
  return Math.imul(h ^ unit, 0x01000193);
}

export function hashFinish(h: number): number {
  // Final avalanche (murmur3 fmix32) so nearby keys spread over the high bits too.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 53 bits from two independent 32-bit hashes: collisions stay negligible for tens of millions of strings. */
export function hash53(s: string): number {
  const hi = hash32(s, 0x9747b28c) & 0x1fffff;
  return hi * 0x100000000 + hash32(s);
}
