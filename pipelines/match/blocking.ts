/**
 * Blocking: which pairs of records are worth comparing. Records sharing a block key are candidates;
 * everything else is never compared, so the work grows with the blocks, not with the square of the
 * register. Keys, one record giving several:
 *   n  the normalised name key (same name in any district: namesakes are told apart by scoring)
 *   m  district × the name core (name key without its organisational form, first 8 characters)
 *      with one character masked, once per position: a one-character typo still shares a key
 *   p  phone;  r  district × legal representative;  a  district × road × house number
 *   c  the first 8 characters of any organisation code the record spells (check-character slips)
 * A record whose district is unknown takes the m keys of every district seen: the no-district
 * block. Blocks larger than their cap are skipped and counted, never compared in full.
 */
import { hash32, hashFeed, hashFeedUnit, hashFinish } from './hash.ts';
import type { MatchRecord } from './match-record.ts';
import { orgBody } from './compare.ts';

export const BLOCK_KINDS = ['n', 'm', 'p', 'r', 'a', 'c'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

/** Largest block compared, per kind: above it, a key says too little to be worth its pairs. */
export const BLOCK_CAPS: Record<BlockKind, number> = { n: 400, m: 300, p: 40, r: 60, a: 60, c: 40 };

const CORE_SPAN = 8;
const MASK = '\u0000';

/** Calls `key(kind, value)` for each block key of one record. Pure. */
export function forEachBlockKey(r: MatchRecord, districts: readonly string[], key: (kind: BlockKind, value: string) => void, masked = true): void {
  if (r.nameKey && r.nameKey.length >= 2) key('n', r.nameKey);
  const core = r.core.slice(0, CORE_SPAN);
  if (masked && core.length >= 2) {
    for (const d of r.district ? [r.district] : districts) {
      for (let i = 0; i < core.length; i++) key('m', `${d}|${core.slice(0, i)}${MASK}${core.slice(i + 1)}`);
    }
  }
  if (r.phone) key('p', r.phone);
  if (r.district && r.legalRep) key('r', `${r.district}|${r.legalRep}`);
  if (r.houseNo && (r.road || r.communityCode)) key('a', `${r.district ?? ''}|${r.road ?? r.communityCode}|${r.houseNo}`);
  const org = orgBody(r);
  if (org) key('c', org.slice(0, 8));
  if (r.regNo && r.regNo.length === 15) key('c', `R${r.regNo.slice(0, 14)}`);
}

/** The block keys of one record as [kind, key] pairs (for explanations and tests). */
export function blockKeys(r: MatchRecord, districts: readonly string[]): [BlockKind, string][] {
  const keys: [BlockKind, string][] = [];
  forEachBlockKey(r, districts, (kind, value) => keys.push([kind, value]));
  return keys;
}

// One hash seed per kind keeps equal strings of two kinds in two blocks.
const KIND_SEEDS = BLOCK_KINDS.map((k) => hash32(k));
const M = BLOCK_KINDS.indexOf('m');
const BAR = '|'.charCodeAt(0);

/**
 * The hash of each block key of one record (hash32 of forEachBlockKey's value with its kind's seed),
 * the masked name-core keys hashed without building their strings: they are most of a record's keys.
 */
export function forEachBlockHash(r: MatchRecord, districts: readonly string[], emit: (kind: number, hash: number) => void): void {
  forEachBlockKey(
    r,
    districts,
    (kind, value) => {
      const k = BLOCK_KINDS.indexOf(kind);
      emit(k, hash32(value, KIND_SEEDS[k]));
    },
    false,
  );
  const core = r.core.slice(0, CORE_SPAN);
  if (core.length < 2) return;
  const mask = MASK.charCodeAt(0);
  for (const d of r.district ? [r.district] : districts) {
    let prefix = hashFeedUnit(hashFeed(KIND_SEEDS[M]!, d), BAR);
    for (let i = 0; i < core.length; i++) {
      emit(M, hashFinish(hashFeed(hashFeedUnit(prefix, mask), core, i + 1)));
      prefix = hashFeedUnit(prefix, core.charCodeAt(i));
    }
  }
}

export interface BlockingOptions {
  /** Records taking part (one per distinct content: repeats of a record add nothing). */
  participants: readonly number[];
  /** Records new to this run: only pairs with at least one of them are compared. */
  fresh: readonly boolean[];
  /** Pairs for which this returns true are not candidates (same key component, same file). */
  skip: (a: number, b: number) => boolean;
  caps?: Record<BlockKind, number>;
}

export interface BlockingStats {
  blocks: number;
  oversized_blocks: number;
  oversized_records: number;
  /** oversized blocks by kind of key */
  oversized_by_kind: Record<string, number>;
  candidate_pairs: number;
}

/**
 * Calls `visit(a, b)` once for every candidate pair (a < b is not promised; a is a fresh record).
 * A pair sharing several blocks is visited only in the first of them (by key hash) that was not
 * skipped, so no pair is compared twice.
 */
export function forEachCandidatePair(records: readonly MatchRecord[], options: BlockingOptions, visit: (a: number, b: number) => void): BlockingStats {
  const caps = options.caps ?? BLOCK_CAPS;
  const districts = [...new Set(options.participants.map((i) => records[i]!.district).filter((d): d is string => d !== null))].sort();

  // Each participant's distinct key hashes, ascending, in one flat array (kind of each alongside).
  const offsets = new Int32Array(options.participants.length + 1);
  let keyHashes = new Uint32Array(options.participants.length * 12 + 16);
  let kinds = new Uint8Array(keyHashes.length);
  let n = 0;
  const own: number[] = [];
  // When few participants are fresh, only blocks holding a fresh record matter: the keys of the others
  // are kept only where a fresh record has them too (a pair's first common block is among those).
  let freshCount = 0;
  for (const i of options.participants) if (options.fresh[i]) freshCount++;
  let freshKeys: Set<number> | null = null;
  if (freshCount < options.participants.length / 2) {
    freshKeys = new Set();
    for (const i of options.participants) if (options.fresh[i]) forEachBlockHash(records[i]!, districts, (_, h) => freshKeys!.add(h));
  }
  options.participants.forEach((i, p) => {
    own.length = 0;
    const keep = freshKeys && !options.fresh[i] ? freshKeys : null;
    forEachBlockHash(records[i]!, districts, (k, h) => {
      // The kind rides in the low 3 bits of the sort value, below the hash.
      if (!keep || keep.has(h)) own.push(h * 8 + k);
    });
    own.sort((x, y) => x - y);
    if (n + own.length > keyHashes.length) {
      const grown = new Uint32Array(Math.max(keyHashes.length * 2, n + own.length));
      grown.set(keyHashes);
      keyHashes = grown;
      const grownKinds = new Uint8Array(grown.length);
      grownKinds.set(kinds);
      kinds = grownKinds;
    }
    let last = -1;
    for (const v of own) {
      const h = Math.floor(v / 8);
      if (h === last) continue;
      last = h;
      keyHashes[n] = h;
      kinds[n] = v % 8;
      n++;
    }
    offsets[p + 1] = n;
  });
  keyHashes = keyHashes.subarray(0, n);

  // Entries (hash, participant) grouped by hash: a counting sort on the top bits, then by full hash.
  // About one bucket per entry, up to a million buckets.
  const BITS = Math.min(20, Math.max(4, Math.ceil(Math.log2(n + 1))));
  const bucketStart = new Uint32Array((1 << BITS) + 1);
  for (let e = 0; e < n; e++) bucketStart[(keyHashes[e]! >>> (32 - BITS)) + 1]! += 1;
  for (let b = 0; b < 1 << BITS; b++) bucketStart[b + 1]! += bucketStart[b]!;
  const order = new Uint32Array(n);
  const fill = bucketStart.slice(0, 1 << BITS);
  const ownerOf = new Uint32Array(n);
  for (let p = 0; p < options.participants.length; p++) for (let e = offsets[p]!; e < offsets[p + 1]!; e++) ownerOf[e] = p;
  for (let e = 0; e < n; e++) order[fill[keyHashes[e]! >>> (32 - BITS)]!++] = e;
  for (let b = 0; b < 1 << BITS; b++) {
    const lo = bucketStart[b]!;
    const hi = bucketStart[b + 1]!;
    for (let x = lo + 1; x < hi; x++) {
      const v = order[x]!;
      let y = x - 1;
      while (y >= lo && keyHashes[order[y]!]! > keyHashes[v]!) {
        order[y + 1] = order[y]!;
        y--;
      }
      order[y + 1] = v;
    }
  }

  // First pass: block sizes; oversized blocks are skipped (and must not count as a pair's first block).
  // Marked per entry, so finding a pair's first common block needs no set lookup.
  const skippedEntry = new Uint8Array(n);
  const stats: BlockingStats = { blocks: 0, oversized_blocks: 0, oversized_records: 0, oversized_by_kind: {}, candidate_pairs: 0 };
  const runs: [number, number][] = [];
  for (let s = 0; s < n; ) {
    const h = keyHashes[order[s]!]!;
    let t = s + 1;
    while (t < n && keyHashes[order[t]!]! === h) t++;
    if (t - s >= 2) {
      const kind = BLOCK_KINDS[kinds[order[s]!]!]!;
      if (t - s > caps[kind]) {
        for (let k = s; k < t; k++) skippedEntry[order[k]!] = 1;
        stats.oversized_blocks += 1;
        stats.oversized_records += t - s;
        stats.oversized_by_kind[kind] = (stats.oversized_by_kind[kind] ?? 0) + 1;
      } else runs.push([s, t]);
    }
    s = t;
  }
  stats.blocks = runs.length;

  const firstCommon = (p: number, q: number): number => {
    let x = offsets[p]!;
    let y = offsets[q]!;
    const xe = offsets[p + 1]!;
    const ye = offsets[q + 1]!;
    while (x < xe && y < ye) {
      const hx = keyHashes[x]!;
      const hy = keyHashes[y]!;
      if (hx === hy) {
        if (!skippedEntry[x]) return hx;
        x++;
        y++;
      } else if (hx < hy) x++;
      else y++;
    }
    return -1;
  };

  for (const [s, t] of runs) {
    const h = keyHashes[order[s]!]!;
    let anyFresh = false;
    for (let k = s; k < t; k++) if (options.fresh[options.participants[ownerOf[order[k]!]!]!]) anyFresh = true;
    if (!anyFresh) continue;
    for (let k = s; k < t; k++) {
      const p = ownerOf[order[k]!]!;
      const a = options.participants[p]!;
      if (!options.fresh[a]) continue;
      for (let l = s; l < t; l++) {
        if (l === k) continue;
        const q = ownerOf[order[l]!]!;
        const b = options.participants[q]!;
        // Two fresh records: visit once, from the lower index.
        if (options.fresh[b] && b < a) continue;
        if (firstCommon(p, q) !== h) continue;
        if (options.skip(a, b)) continue;
        stats.candidate_pairs += 1;
        visit(a, b);
      }
    }
  }
  return stats;
}
