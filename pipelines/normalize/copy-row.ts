/**
 * A row as one line of COPY text, typed for its columns. Kept apart from copy-writer.ts, which talks to
 * the database: the normalise worker thread (entity-worker.ts) encodes rows without loading a driver.
 */
import { copyLine, type CopyValue } from '../ingest/copy-text.ts';

export type ColumnValue = string | number | boolean | null | undefined | readonly string[];

/** A value as PostgreSQL's COPY text input reads it for the column's type (text, int, boolean, date, text[]). */
export function copyCell(value: ColumnValue): CopyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'string' || typeof value === 'number') return value;
  return `{${value.map(arrayElement).join(',')}}`;
}

function arrayElement(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function copyRow(columns: readonly string[], row: Readonly<Record<string, unknown>>): string {
  return copyLine(columns.map((c) => copyCell(row[c] as ColumnValue)));
}
