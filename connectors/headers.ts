import { FEED_KINDS, agencyOfKind, type Agency, type FeedKind } from '../schemas/feeds.ts';
import { CIVIL_AFFAIRS } from './civil-affairs.ts';
import type { KindSpec } from './kind-spec.ts';
import { LABOUR } from './labour.ts';
import { MARKET } from './market.ts';
import { ORG_CODE } from './org-code.ts';
import { PERSONNEL } from './personnel.ts';
import { STATISTICS } from './statistics.ts';
import { TAX } from './tax.ts';

/** A KindSpec seen without its kind parameter, so specs of all kinds fit one table. */
export interface AnyKindSpec {
  kind: FeedKind;
  label: string;
  aliases: Readonly<Record<string, readonly string[]>>;
  recognises(present: ReadonlySet<string>): boolean;
  requirement: string;
}

const widen = <K extends FeedKind>(spec: KindSpec<K>): AnyKindSpec => spec as unknown as AnyKindSpec;

export const KIND_SPECS: Readonly<Record<FeedKind, AnyKindSpec>> = Object.fromEntries(
  [STATISTICS, MARKET, TAX, ...CIVIL_AFFAIRS, PERSONNEL, ORG_CODE, ...LABOUR].map((spec) => [spec.kind, widen(spec)]),
) as Record<FeedKind, AnyKindSpec>;

// Zero-width characters survive NFKC and are invisible in Excel, so they are treated as spaces.
const SPACES = /[\s\u200B-\u200D\u2060\uFEFF]+/gu;
// NFKC already folds （）［］｛｝; the CJK lenticular/tortoise-shell brackets it leaves alone.
const OPENING = /[[{【〔〖]/g;
const CLOSING = /[\]}】〕〗]/g;
// Agencies mark mandatory columns with an asterisk, usually trailing, sometimes leading.
const ASTERISKS = /^\*+|\*+$/g;

/**
 * The comparable form of a header cell: NFKC (full-width letters, digits, brackets, U+3000),
 * no spaces at all, one kind of bracket, no mandatory-column asterisk. Idempotent.
 */
export function cleanHeader(raw: string): string {
  return raw.normalize('NFKC').replace(SPACES, '').replace(OPENING, '(').replace(CLOSING, ')').replace(ASTERISKS, '');
}

interface AliasEntry {
  field: string;
  /** Lower wins when two columns of a file map to the same field. */
  rank: number;
}

const ALIAS_INDEX: ReadonlyMap<FeedKind, ReadonlyMap<string, AliasEntry>> = new Map(
  FEED_KINDS.map((kind) => {
    const index = new Map<string, AliasEntry>();
    for (const [field, aliases] of Object.entries(KIND_SPECS[kind].aliases)) {
      aliases.forEach((alias, rank) => {
        const key = cleanHeader(alias);
        if (index.has(key)) throw new Error(`alias ${alias} is listed twice for ${kind}`);
        index.set(key, { field, rank });
      });
    }
    return [kind, index];
  }),
);

// A unit of measure in brackets (`从业人员期末人数(人)`, `注册资本(亿元)`) does not change
// which field a column is; an exact alias still beats such a looser match.
const TRAILING_NOTE = /\([^()]*\)$/;
const LOOSE_RANK = 1000;

/** The canonical field a header cell stands for in files of `kind`, or null if it is not one of them. */
export function matchHeader(kind: FeedKind, header: string): AliasEntry | null {
  const index = ALIAS_INDEX.get(kind)!;
  const key = cleanHeader(header);
  const exact = index.get(key);
  if (exact) return exact;
  const bare = key.replace(TRAILING_NOTE, '');
  if (bare !== key && bare !== '') {
    const loose = index.get(bare);
    if (loose) return { field: loose.field, rank: loose.rank + LOOSE_RANK };
  }
  return null;
}

/**
 * For each column, the canonical field it feeds or null (an unknown column, kept as a raw
 * attribute by the caller). Two columns may map to one field; matchHeader's rank says which wins.
 */
export function mapHeaders(kind: FeedKind, headers: readonly string[]): (string | null)[] {
  return headers.map((header) => matchHeader(kind, header)?.field ?? null);
}

export function recognisedFields(kind: FeedKind, headers: readonly string[]): Set<string> {
  const present = new Set<string>();
  for (const header of headers) {
    const match = matchHeader(kind, header);
    if (match) present.add(match.field);
  }
  return present;
}

export interface KindMatch {
  kind: FeedKind;
  /** How many distinct canonical fields the header supplies for this kind. */
  score: number;
}

/** Every kind, of any agency, whose required columns the header has, best fit first. */
export function rankKinds(headers: readonly string[]): KindMatch[] {
  const matches: KindMatch[] = [];
  for (const kind of FEED_KINDS) {
    const present = recognisedFields(kind, headers);
    if (KIND_SPECS[kind].recognises(present)) matches.push({ kind, score: present.size });
  }
  // Array.prototype.sort is stable, so equal scores keep FEED_KINDS order.
  return matches.sort((a, b) => b.score - a.score);
}

/**
 * Which of the agency's layouts a header belongs to. Null when none of them has its required
 * columns, and also when another agency's layout fits strictly better: a market register dropped
 * into statistics/ shares 统一社会信用代码 and an address with the statistics layout, and loading
 * it as statistics would silently put another agency's data under the wrong source.
 */
export function detectKind(agency: Agency, headers: readonly string[]): FeedKind | null {
  const ranked = rankKinds(headers);
  const own = ranked.find((match) => agencyOfKind(match.kind) === agency);
  if (!own) return null;
  const rival = ranked.find((match) => agencyOfKind(match.kind) !== agency);
  if (rival && rival.score > own.score) return null;
  return own.kind;
}
