import crypto from 'node:crypto';
import type { RowProblem, SourceRow } from '../../connectors/feed.ts';
import type { FeedKind } from '../../schemas/feeds.ts';

// One call per row: the one-shot form costs half of a Hash object's (same digest).
const sha1 = (text: string): string => crypto.hash('sha1', text, 'hex');

/** A source record ready for staging.record: fields and extras already as JSON text. */
export interface StagedRecord {
  row: number;
  rowHash: string;
  /** rawTextHash of the row's text as delivered. */
  rawHash: string;
  fields: string;
  extras: string | null;
}

/** A record that cannot be used, for staging.reject; `reason` is for the operator, in Chinese. */
export interface StagedReject {
  row: number | null;
  rawText: string | null;
  reason: string;
}

export type StagedItem = { record: StagedRecord } | { reject: StagedReject };

const CODE_FIELDS = ['uscc', 'org_code', 'reg_no', 'tax_id', 'code'] as const;

/** Decides what one feed item becomes in staging: a record, or a reject with its reason. */
export function stageItem(kind: FeedKind, item: SourceRow | RowProblem): StagedItem {
  const problem = 'reason' in item ? item : unusable(kind, item);
  if (problem) return { reject: { row: problem.row, rawText: withoutNul(problem.rawText), reason: problem.reason } };
  const row = item as SourceRow;
  // PostgreSQL text and jsonb cannot hold U+0000; it never means anything in a register, so it goes.
  const clean = row.rawText.includes('\0') ? withoutNulValues(row) : row;
  const fields = canonicalJson(clean.fields);
  return {
    record: {
      row: clean.row,
      rowHash: sha1(fields),
      rawHash: rawTextHash(row.rawText),
      fields,
      extras: Object.keys(clean.extras).length ? JSON.stringify(clean.extras) : null,
    },
  };
}

/** A row nobody can attribute to an employer (or a grid) is a reject, kept with the reason. */
export function unusable(kind: FeedKind, row: SourceRow): RowProblem | null {
  const f = row.fields;
  if (kind === 'labour.grids') {
    return f.grid_code ? null : { row: row.row, rawText: row.rawText, reason: '网格编码为空，无法识别网格' };
  }
  if (kind === 'civil-affairs.divisions') {
    return f.division_code ? null : { row: row.row, rawText: row.rawText, reason: '区划代码为空，无法识别区划' };
  }
  const hasCode = CODE_FIELDS.some((c) => (f[c] ?? '').trim() !== '');
  if (!hasCode && !(f.name ?? '').trim()) {
    return { row: row.row, rawText: row.rawText, reason: '既无单位名称也无任何代码，无法识别是哪个单位' };
  }
  return null;
}

/**
 * The fields as JSON with their keys in sorted order: the same canonical fields give the same text
 * whatever the column order of the file, so its hash (row_hash) recognises an unchanged re-delivered
 * row. Unknown columns (extras) are left out: an agency adding a column does not change its units.
 */
export function canonicalJson(fields: Record<string, string>): string {
  // An array replacer makes JSON.stringify write exactly these keys, in this order (values are strings: nothing nests).
  return JSON.stringify(fields, sortedKeys(Object.keys(fields)));
}

// Every row of a file has the same keys in the same order: sort them once, not once a row.
let lastKeys: string[] = [];
let lastSorted: string[] = [];

function sortedKeys(keys: string[]): string[] {
  if (keys.length !== lastKeys.length || keys.some((k, i) => k !== lastKeys[i])) {
    lastKeys = keys;
    lastSorted = [...keys].sort();
  }
  return lastSorted;
}

// Bump when reading a line into fields changes (connectors/feed.ts, csv-reader.ts, stageItem): a line
// recognised by its text is carried without being read again, so old hashes must stop matching.
const RAW_READING_VERSION = 1;

/**
 * Hash of a row's exact text (and of how it is read). Within one file layout (the same headers), equal
 * text gives equal fields: the previous snapshot's raw hashes recognise a re-delivered line before it is
 * split into fields (carry.ts).
 */
export function rawTextHash(rawText: string): string {
  return sha1(`${RAW_READING_VERSION}\n${rawText}`);
}

export function rowHash(fields: Record<string, string>): string {
  return sha1(canonicalJson(fields));
}

function withoutNul(text: string): string;
function withoutNul(text: string | null): string | null;
function withoutNul(text: string | null): string | null {
  return text === null || !text.includes('\0') ? text : text.replaceAll('\0', '');
}

function withoutNulValues(row: SourceRow): SourceRow {
  const strip = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [withoutNul(k), withoutNul(v)]));
  return { ...row, fields: strip(row.fields), extras: strip(row.extras) };
}
