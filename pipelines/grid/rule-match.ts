/** Stewards' address rules (`gridlink grid rule add`), matched against a unit's addresses. Pure. */

export interface PlacementRule {
  id: number;
  /** Normalised address text. */
  pattern: string;
  numberFrom: number | null;
  numberTo: number | null;
  /** District (6 digits) or street/town (9 digits) the rest of the evidence must put the unit in. */
  scopeCode: string | null;
  gridL1: string;
  gridL2: string | null;
}

export interface RuleTarget {
  text: string;
  /** Street (9 digits) or district (6 digits) known for the unit, from its codes or addresses. */
  streetCode: string | null;
  districtCode: string | null;
}

export type RuleResult = { rule: PlacementRule } | { conflict: PlacementRule[] } | null;

/** The house number right after the pattern (文昌中路88号 → 88), or null. */
function numberAfter(text: string, at: number, pattern: string): number | null {
  const m = /^\s*(\d+)(?:-\d+)?号/.exec(text.slice(at + pattern.length));
  return m ? Number(m[1]) : null;
}

function applies(rule: PlacementRule, t: RuleTarget): boolean {
  if (rule.scopeCode) {
    const inScope = rule.scopeCode.length === 9 ? t.streetCode === rule.scopeCode : (t.streetCode ?? t.districtCode ?? '').startsWith(rule.scopeCode);
    if (!inScope) return false;
  }
  for (let at = t.text.indexOf(rule.pattern); at >= 0; at = t.text.indexOf(rule.pattern, at + 1)) {
    if (rule.numberFrom === null && rule.numberTo === null) return true;
    const n = numberAfter(t.text, at, rule.pattern);
    if (n !== null && n >= (rule.numberFrom ?? 0) && n <= (rule.numberTo ?? Number.MAX_SAFE_INTEGER)) return true;
  }
  return false;
}

/** How specific a rule is: a longer pattern, then a number range, then a scope. */
function specificity(r: PlacementRule): number {
  return r.pattern.length * 4 + (r.numberFrom !== null || r.numberTo !== null ? 2 : 0) + (r.scopeCode ? 1 : 0);
}

/** The most specific rule that applies; two equally specific rules naming different grids decide nothing. */
export function matchRule(rules: readonly PlacementRule[], targets: readonly RuleTarget[]): RuleResult {
  const hits = rules.filter((r) => targets.some((t) => applies(r, t)));
  if (hits.length === 0) return null;
  const top = Math.max(...hits.map(specificity));
  const best = hits.filter((r) => specificity(r) === top);
  const grids = new Set(best.map((r) => `${r.gridL1}|${r.gridL2 ?? ''}`));
  return grids.size === 1 ? { rule: best.sort((a, b) => a.id - b.id)[0]! } : { conflict: best };
}
