/**
 * Calendar dates as whole days since 1970-01-01 (UTC), so nothing the world
 * generator computes depends on the machine's time zone or clock.
 */

const DAY_MS = 86_400_000;

export function parseIsoDate(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`expected YYYY-MM-DD, got ${iso}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new Error(`not a calendar date: ${iso}`);
  }
  return ms / DAY_MS;
}

export function toIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function ymd(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * DAY_MS);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function dayOf(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** The same date shifted by whole years, clamped to the month's end (29 Feb → 28 Feb). */
export function addYears(day: number, years: number): number {
  const { y, m, d } = ymd(day);
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return dayOf(y + years, m, Math.min(d, last));
}

/** A Date at UTC midnight: exceljs turns it into the same serial number on every machine. */
export function utcDate(day: number): Date {
  return new Date(day * DAY_MS);
}

/** Excel's 1900 date system serial number. */
export function excelSerial(day: number): number {
  return day + 25569;
}

export type DateStyle = 'iso' | 'slash' | 'compact' | 'dot' | 'chinese';

export const DATE_STYLES: readonly DateStyle[] = ['iso', 'slash', 'compact', 'dot', 'chinese'];

/** The five spellings agencies use: 2019-03-05, 2019/3/5, 20190305, 2019.03.05, 2019年3月5日. */
export function formatDate(day: number, style: DateStyle): string {
  const { y, m, d } = ymd(day);
  const mm = String(m).padStart(2, '0');
  const dd = String(d).padStart(2, '0');
  switch (style) {
    case 'iso':
      return `${y}-${mm}-${dd}`;
    case 'slash':
      return `${y}/${m}/${d}`;
    case 'compact':
      return `${y}${mm}${dd}`;
    case 'dot':
      return `${y}.${mm}.${dd}`;
    case 'chinese':
      return `${y}年${m}月${d}日`;
  }
}

export function compactDate(day: number): string {
  return formatDate(day, 'compact');
}
