/**
 * What a record says about its unit, as one 53-bit hash: a record of a new snapshot that says exactly
 * what an earlier record of the same feed said is the same unit seen again, and needs no comparison.
 * This is what makes a nightly run's work grow with the change, not with the register.
 */
import { hashFeed, hashFeedUnit, hashFinish } from './hash.ts';
import type { MatchRecord } from './match-record.ts';

export function fingerprint(r: MatchRecord): number {
  const parts = [r.kind, r.uscc, r.orgCode, r.regNo, r.taxId, r.nameKey, r.name, r.address, r.district, r.communityCode, r.legalRep, r.phone];
  // Two 32-bit hashes of the parts, each followed by U+0001, fed in turn rather than joined into one string.
  let hi = 0x9747b28c;
  let lo = 0x811c9dc5;
  for (const v of parts) {
    if (v) {
      hi = hashFeed(hi, v);
      lo = hashFeed(lo, v);
    }
    hi = hashFeedUnit(hi, 1);
    lo = hashFeedUnit(lo, 1);
  }
  return (hashFinish(hi) & 0x1fffff) * 0x100000000 + hashFinish(lo);
}

export interface Repeat {
  /** index of a record */
  record: number;
  /** index of the record with the same content it is linked to */
  same: number;
  /** whether `record` is new to this run (its link is new) */
  isNew: boolean;
}

export interface ContentGroups {
  /** Links tying every record to the record that stands for its content. */
  repeats: Repeat[];
  /** Records new to this run whose content no earlier record had: they go through comparison. */
  fresh: boolean[];
  /** One record per distinct content (the latest): the only ones blocking needs to see. */
  participants: number[];
  /** Records another record now stands for (the latest of their content): [record, stands for it]. */
  superseded: [number, number][];
}

/**
 * Groups records by content. A new record repeating an earlier one (already in a unit) is tied to the
 * latest such earlier record; among new records with the same content, the latest is compared and
 * the others are tied to it. The latest record of each content stands for the others from now on.
 * Groups are formed in the order of their first record.
 */
export function groupByContent(records: readonly MatchRecord[]): ContentGroups {
  const n = records.length;
  const fps = new Float64Array(n);
  for (let i = 0; i < n; i++) fps[i] = fingerprint(records[i]!);
  // Content held more than once is rare (a re-delivered row is carried, not a new record): one numeric
  // sort of the fingerprints finds it, and only it gets a list of members. A map of a list per record
  // took twice as long at 684,000 records.
  const sorted = fps.slice().sort();
  const shared = new Map<number, number[]>();
  for (let k = 1; k < n; k++) if (sorted[k] === sorted[k - 1] && !shared.has(sorted[k]!)) shared.set(sorted[k]!, []);
  if (shared.size > 0) for (let i = 0; i < n; i++) shared.get(fps[i]!)?.push(i);

  const repeats: Repeat[] = [];
  const fresh = new Array<boolean>(n).fill(false);
  const participants: number[] = [];
  const superseded: [number, number][] = [];
  const latest = (members: number[]) => members.reduce((best, i) => (Number(records[i]!.id) > Number(records[best]!.id) ? i : best));
  for (let i = 0; i < n; i++) {
    const members = shared.size > 0 ? shared.get(fps[i]!) : undefined;
    if (members === undefined) {
      // Content held once: the record stands for itself, and is fresh when it is new.
      participants.push(i);
      if (records[i]!.unitId === undefined) fresh[i] = true;
      continue;
    }
    if (members[0] !== i) continue;
    const last = latest(members);
    participants.push(last);
    for (const m of members) if (m !== last) superseded.push([m, last]);
    const old = members.filter((m) => records[m]!.unitId !== undefined);
    const anchor = old.length > 0 ? latest(old) : last;
    if (old.length === 0) fresh[anchor] = true;
    for (const m of members) if (m !== anchor) repeats.push({ record: m, same: anchor, isNew: records[m]!.unitId === undefined });
  }
  participants.sort((a, b) => a - b);
  return { repeats, fresh, participants, superseded };
}
