/**
 * PostgreSQL COPY text format: tab between columns, newline after a row, `\N` for NULL, and
 * backslash, tab, newline and carriage return escaped inside a value. Shared by pg-copy-streams on
 * PostgreSQL and PGlite's COPY from a blob, so both engines read exactly the same bytes.
 */
export type CopyValue = string | number | null;

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyValue(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}

export function copyLine(values: readonly CopyValue[]): string {
  let line = copyValue(values[0] ?? null);
  for (let i = 1; i < values.length; i++) line += `\t${copyValue(values[i]!)}`;
  return `${line}\n`;
}
