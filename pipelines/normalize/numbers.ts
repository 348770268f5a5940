/**
 * Counts (从业人员, 编制数, 欠薪月数 …) as the agencies write them: '1,200',
 * '１２', '12人', empty. Never NaN: a value that is not a count is null, and
 * parseCountResult says why.
 */

export type CountResult = { ok: true; value: number | null } | { ok: false; value: null; reason: string };

// Thousands separators must group by three ('1,200', '297,544'); '1,20' is
// more likely two numbers or a decimal comma than one hundred and twenty.
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.0+)?$/;
const PLAIN = /^\d+(?:\.0+)?$/;
// Units and markers people append to a count.
const UNIT = /\s*(?:个月|人|名|个|位|户|月|家)$/;
// What spreadsheets put in a cell that has no value.
const NOTHING = /^(?:-+|—+|－+|\/|无|空|N\/?A|NULL|none)$/i;

/**
 * Parses a non-negative whole count. Empty input and placeholders ('-', '无')
 * are { ok: true, value: null }; anything else that is not a whole count
 * fails with a reason in Chinese.
 */
export function parseCountResult(s: string | number | null | undefined): CountResult {
  if (s === null || s === undefined) return { ok: true, value: null };
  if (typeof s === 'number') {
    if (Number.isSafeInteger(s) && s >= 0) return { ok: true, value: s };
    return { ok: false, value: null, reason: `不是有效的人数或个数：${s}` };
  }
  const raw = String(s).normalize('NFKC').trim();
  if (raw === '' || NOTHING.test(raw)) return { ok: true, value: null };
  // Inner spaces are not thousands separators in these registers: '12 34' is two values.
  const t = raw.replace(UNIT, '');
  const digits = GROUPED.test(t) ? t.replace(/,/g, '') : PLAIN.test(t) ? t : null;
  if (digits === null) return { ok: false, value: null, reason: `不是有效的人数或个数：${raw}` };
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return { ok: false, value: null, reason: `数值过大：${raw}` };
  return { ok: true, value };
}

/**
 * The count, or null when the cell is empty or is not a count; use
 * parseCountResult to tell those two apart. Never returns NaN.
 */
export function parseCount(s: string | number | null | undefined): number | null {
  return parseCountResult(s).value;
}

export type AmountResult = { ok: true; value: number | null } | { ok: false; value: null; reason: string };

const AMOUNT = /^-?\d+(?:\.\d+)?$/;
const AMOUNT_GROUPED = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/**
 * Decimal amounts such as 注册资本(万元) '1,000.5' or '１０００'; same conventions
 * as parseCountResult. The unit is the column header's: a value carrying its
 * own unit word ('100万') fails rather than being silently rescaled.
 */
export function parseAmountResult(s: string | number | null | undefined): AmountResult {
  if (s === null || s === undefined) return { ok: true, value: null };
  if (typeof s === 'number') return Number.isFinite(s) ? { ok: true, value: s } : { ok: false, value: null, reason: `不是有效的金额：${s}` };
  const raw = String(s).normalize('NFKC').trim();
  if (raw === '' || NOTHING.test(raw)) return { ok: true, value: null };
  if (!AMOUNT.test(raw) && !AMOUNT_GROUPED.test(raw)) return { ok: false, value: null, reason: `不是有效的金额：${raw}` };
  return { ok: true, value: Number(raw.replace(/,/g, '')) };
}
