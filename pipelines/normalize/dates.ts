/**
 * Calendar dates as the agencies write them: 2019-03-05, 2019/3/5, 20190305,
 * 2019.03.05, 2019年3月5日, Excel serial numbers and spreadsheet date cells.
 * Failure reasons are shown to the people who fix the source data, so they
 * are in Simplified Chinese.
 */

export type DateResult = { ok: true; date: string | null } | { ok: false; reason: string };

/** Dates outside these years are typing errors, not registrations. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

// Excel's 1900 date system counts 1899-12-30 as day 0 for every serial
// after its fictitious 1900-02-29 (serial 60); all serials accepted here are.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
// Five-digit serials only: 10000 is 1927-05-18, 73415 is 2100-12-31.
// Smaller numbers are far likelier to be a year, a count or a code.
const MIN_SERIAL = 10_000;
const MAX_SERIAL = 73_415;

const YMD_SEP = /^(\d{4})\s*([-/.年])\s*(\d{1,2})\s*([-/.月])\s*(\d{1,2})\s*日?(?:[T\s]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const YMD_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SERIAL = /^\d{5}(?:\.\d+)?$/;
const YEAR_ONLY = /^(\d{4})\s*年?$/;
const YEAR_MONTH = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function fromParts(y: number, m: number, d: number, raw: string): DateResult {
  const shown = `${y}-${pad2(m)}-${pad2(d)}`;
  if (y < MIN_YEAR || y > MAX_YEAR) return { ok: false, reason: `日期超出合理范围（${MIN_YEAR}–${MAX_YEAR}年）：${raw}` };
  if (m < 1 || m > 12) return { ok: false, reason: `日期无效：月份 ${m} 不存在（${raw}）` };
  if (d < 1 || d > daysInMonth(y, m)) return { ok: false, reason: `日期无效：${shown} 不存在` };
  return { ok: true, date: shown };
}

function fromSerial(serial: number, raw: string): DateResult {
  const whole = Math.floor(serial);
  if (whole < MIN_SERIAL || whole > MAX_SERIAL) {
    return { ok: false, reason: `无法识别的日期：数字 ${raw} 不是合理范围内的 Excel 日期序号` };
  }
  return { ok: true, date: new Date(EXCEL_EPOCH_MS + whole * DAY_MS).toISOString().slice(0, 10) };
}

function fromDate(d: Date): DateResult {
  const t = d.getTime();
  if (Number.isNaN(t)) return { ok: false, reason: '日期无效：无法识别的日期值' };
  // Spreadsheet readers (exceljs, SheetJS) hand over a date cell as UTC
  // midnight of the calendar day, so the UTC fields are the day the agency typed.
  return fromParts(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.toISOString().slice(0, 10));
}

/**
 * Parses one date value to ISO 'YYYY-MM-DD'. Empty input is a valid "no
 * date" ({ ok: true, date: null }); anything that is not a whole, existing
 * calendar day fails with a reason, never with a guessed date.
 */
export function parseDate(s: string | number | Date | null | undefined): DateResult {
  if (s === null || s === undefined) return { ok: true, date: null };
  if (s instanceof Date) return fromDate(s);
  if (typeof s === 'number') {
    if (!Number.isFinite(s)) return { ok: false, reason: '日期无效：无法识别的数字' };
    if (Number.isInteger(s) && s >= 10_000_000 && s <= 99_999_999) return parseDate(String(s));
    if (Number.isInteger(s) && s >= 1000 && s <= 9999) return { ok: false, reason: `日期不完整：只有年份“${s}”，缺少月和日` };
    return fromSerial(s, String(s));
  }
  const raw = String(s).normalize('NFKC').trim();
  if (raw === '') return { ok: true, date: null };

  let m = YMD_SEP.exec(raw);
  if (m) {
    // One separator throughout, or 年…月…日: 2019-3/5 is more likely two values run together.
    const [a, b] = [m[2]!, m[4]!];
    if (a !== b && !(a === '年' && b === '月')) return { ok: false, reason: `无法识别的日期格式：${raw}` };
    return fromParts(Number(m[1]), Number(m[3]), Number(m[5]), raw);
  }
  m = YMD_COMPACT.exec(raw);
  if (m) return fromParts(Number(m[1]), Number(m[2]), Number(m[3]), raw);
  if (SERIAL.test(raw)) return fromSerial(Number(raw), raw);
  m = YEAR_ONLY.exec(raw);
  if (m) return { ok: false, reason: `日期不完整：只有年份“${raw}”，缺少月和日` };
  m = YEAR_MONTH.exec(raw);
  if (m) return { ok: false, reason: `日期不完整：“${raw}”缺少日` };
  return { ok: false, reason: `无法识别的日期格式：${raw}` };
}

/** A year on its own ('2023', '2023年', 2023) within 1900–2100, else null. */
export function parseYear(s: string | number | null | undefined): number | null {
  if (s === null || s === undefined) return null;
  if (typeof s === 'number') return Number.isInteger(s) && s >= MIN_YEAR && s <= MAX_YEAR ? s : null;
  const m = YEAR_ONLY.exec(String(s).normalize('NFKC').trim());
  if (!m) return null;
  const y = Number(m[1]);
  return y >= MIN_YEAR && y <= MAX_YEAR ? y : null;
}
