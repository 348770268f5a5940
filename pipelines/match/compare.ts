/**
 * Compares two records feature by feature and says, for each feature, how far they agree (a level).
 * Pure: the levels are turned into a score by score.ts, so the rules can be tested and explained
 * apart from the weights.
 */
import stringSimilarity from 'string-similarity';
import type { MatchRecord } from './match-record.ts';

/** Dice coefficient over character bigrams (string-similarity's compareTwoStrings). */
export const dice = (a: string, b: string): number => stringSimilarity.compareTwoStrings(a, b);

export type NameLevel = 'exact' | 'form' | 'one_char' | 'high' | 'medium' | 'low';
export type TradeLevel = 'exact' | 'similar' | 'different' | 'missing';
export type AddressLevel = 'same_site' | 'same_road' | 'similar' | 'different' | 'missing';
export type AgreeLevel = 'same' | 'different' | 'missing';
export type CodeLevel = 'same' | 'near' | 'different' | 'missing';

export interface Comparison {
  /** name keys: equal, equal but for the organisational form, one character apart, or by Dice similarity */
  name: NameLevel;
  trade: TradeLevel;
  address: AddressLevel;
  legalRep: AgreeLevel;
  phone: AgreeLevel;
  district: AgreeLevel;
  /** the region written in the names (江苏 vs 扬州): two different companies may differ only there */
  region: AgreeLevel;
  /** codes that are not keys (a failed check, a 15-digit tax number): equal, one character apart, different */
  code: CodeLevel;
  nameSimilarity: number;
  addressSimilarity: number;
}

export type Feature = Exclude<keyof Comparison, 'nameSimilarity' | 'addressSimilarity'>;
export const FEATURES: readonly Feature[] = ['name', 'trade', 'address', 'legalRep', 'phone', 'district', 'region', 'code'];

/** Rules that forbid a link whatever the score. */
export type Veto =
  /** a branch and a unit that is not a branch: a branch is never merged into its parent */
  | 'branch_and_main'
  /** two branches with different branch names (第二分公司, 第三分公司): whatever their parents, two units */
  | 'two_branches'
  /** valid codes of the same kind that differ: two registered units */
  | 'key_conflict';

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Same length, exactly one position different. */
export function oneCharApart(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i) && ++diff > 1) return false;
  return diff === 1;
}

export function compareNames(a: MatchRecord, b: MatchRecord): { level: NameLevel; similarity: number } {
  const ka = a.nameKey ?? '';
  const kb = b.nameKey ?? '';
  if (ka === '' || kb === '') return { level: 'low', similarity: 0 };
  if (ka === kb) return { level: 'exact', similarity: 1 };
  const similarity = round(dice(ka, kb));
  if (a.core !== '' && a.core === b.core) return { level: 'form', similarity };
  if (oneCharApart(ka, kb)) return { level: 'one_char', similarity };
  return { level: similarity >= 0.8 ? 'high' : similarity >= 0.6 ? 'medium' : 'low', similarity };
}

function compareTrade(a: MatchRecord, b: MatchRecord): TradeLevel {
  const ta = a.tradeName;
  const tb = b.tradeName;
  if (!ta || !tb) return 'missing';
  if (ta === tb) return 'exact';
  return oneCharApart(ta, tb) || dice(ta, tb) >= 0.5 ? 'similar' : 'different';
}

/** Two roads as parsed from two spellings of one address: equal, or one the tail of the other (扬子江南路 / 江南路). */
function sameRoad(x: string, y: string): boolean {
  return x === y || (x.length >= 2 && y.length >= 2 && (x.endsWith(y) || y.endsWith(x)));
}

/**
 * Same site: the same house number on the same road (or in the same community), or the same number
 * in two spellings of one address (the parsed parts of addresses disagree more often than the text).
 */
export function compareAddresses(a: MatchRecord, b: MatchRecord): { level: AddressLevel; similarity: number } {
  if (!a.address || !b.address) return { level: 'missing', similarity: 0 };
  const similarity = round(dice(a.address, b.address));
  const sameNumber = !!a.houseNo && a.houseNo === b.houseNo;
  let samePlace: boolean | null = null;
  if (a.road && b.road) samePlace = sameRoad(a.road, b.road);
  else if (a.communityCode && b.communityCode) samePlace = a.communityCode === b.communityCode;
  if (sameNumber && (samePlace === true || similarity >= 0.7)) return { level: 'same_site', similarity };
  if (samePlace === true) return { level: 'same_road', similarity };
  if (similarity >= 0.8) return { level: 'similar', similarity };
  return { level: samePlace === null && similarity >= 0.5 ? 'same_road' : 'different', similarity };
}

function agree(x: string | null, y: string | null): AgreeLevel {
  if (!x || !y) return 'missing';
  return x === y ? 'same' : 'different';
}

/** Organisation code body as any code of the record spells it: the code itself, positions 9–17 of a unified code, the tail of a 15-digit tax number. */
export function orgBody(r: MatchRecord): string | null {
  if (r.orgCode && r.orgCode.length === 9) return r.orgCode;
  if (r.uscc && r.uscc.length === 18) return r.uscc.slice(8, 17);
  if (r.taxId && r.taxId.length === 15) return r.taxId.slice(6);
  return null;
}

export function keysConflict(a: MatchRecord, b: MatchRecord): boolean {
  return (
    (a.usccValid && b.usccValid && !!a.uscc && !!b.uscc && a.uscc !== b.uscc) ||
    (a.orgCodeValid && b.orgCodeValid && !!a.orgCode && !!b.orgCode && a.orgCode !== b.orgCode) ||
    (a.regNoValid && b.regNoValid && !!a.regNo && !!b.regNo && a.regNo !== b.regNo)
  );
}

function compareCodes(a: MatchRecord, b: MatchRecord): CodeLevel {
  const pairs: [string | null, string | null][] = [
    [a.uscc, b.uscc],
    [orgBody(a), orgBody(b)],
    [a.regNo, b.regNo],
  ];
  let comparable = false;
  let near = false;
  for (const [x, y] of pairs) {
    if (!x || !y) continue;
    comparable = true;
    if (x === y) return 'same';
    if (oneCharApart(x, y)) near = true;
  }
  if (near) return 'near';
  return comparable ? 'different' : 'missing';
}

export function veto(a: MatchRecord, b: MatchRecord): Veto | null {
  if (a.isBranch !== b.isBranch) return 'branch_and_main';
  if (a.isBranch && a.branchTail && b.branchTail && a.branchTail !== b.branchTail) return 'two_branches';
  if (keysConflict(a, b)) return 'key_conflict';
  return null;
}

export function compareRecords(a: MatchRecord, b: MatchRecord): Comparison {
  const name = compareNames(a, b);
  const address = compareAddresses(a, b);
  return {
    name: name.level,
    // Names equal or one character apart say all the trade names could: counting both would count one agreement twice.
    trade: name.level === 'exact' || name.level === 'form' || name.level === 'one_char' ? 'missing' : compareTrade(a, b),
    address: address.level,
    legalRep: agree(a.legalRep, b.legalRep),
    phone: agree(a.phone, b.phone),
    district: agree(a.district, b.district),
    region: agree(a.regionKey, b.regionKey),
    code: compareCodes(a, b),
    nameSimilarity: name.similarity,
    addressSimilarity: address.similarity,
  };
}
