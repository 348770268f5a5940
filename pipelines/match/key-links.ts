/**
 * Registry keys, in order of trust: the unified code, the organisation code (however derived) and the
 * legacy registration number. Only codes whose check character holds are keys; a failed check is weak
 * evidence for the fuzzy rules, never a key.
 */
export interface KeyedRecord {
  uscc: string | null;
  usccValid: boolean;
  orgCode: string | null;
  orgCodeValid: boolean;
  regNo: string | null;
  regNoValid: boolean;
}

export const KEY_RULES = ['uscc', 'org_code', 'reg_no'] as const;
export type KeyRule = (typeof KEY_RULES)[number];

export function recordKeys(r: KeyedRecord): [KeyRule, string][] {
  const keys: [KeyRule, string][] = [];
  if (r.usccValid && r.uscc) keys.push(['uscc', r.uscc]);
  if (r.orgCodeValid && r.orgCode) keys.push(['org_code', r.orgCode]);
  if (r.regNoValid && r.regNo) keys.push(['reg_no', r.regNo]);
  return keys;
}

/**
 * Groups record indexes by shared key. Each group is linked as a star from its first member, which is
 * enough for union–find and keeps the number of stored links linear in the records.
 */
export function keyLinks(records: KeyedRecord[]): { a: number; b: number; rule: KeyRule; key: string }[] {
  // One map per rule, and no key array per record: this runs over every record of the register.
  const first: Record<KeyRule, Map<string, number>> = { uscc: new Map(), org_code: new Map(), reg_no: new Map() };
  const links: { a: number; b: number; rule: KeyRule; key: string }[] = [];
  const see = (rule: KeyRule, key: string, i: number) => {
    const head = first[rule].get(key);
    if (head === undefined) first[rule].set(key, i);
    else links.push({ a: head, b: i, rule, key });
  };
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    // The order of recordKeys.
    if (r.usccValid && r.uscc) see('uscc', r.uscc, i);
    if (r.orgCodeValid && r.orgCode) see('org_code', r.orgCode, i);
    if (r.regNoValid && r.regNo) see('reg_no', r.regNo, i);
  }
  return links;
}
