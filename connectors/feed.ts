import { stat } from 'node:fs/promises';
import path from 'node:path';
import { KINDS_BY_AGENCY, agencyOfKind, type Agency, type FeedKind } from '../schemas/feeds.ts';
import { openCsv, type CsvClaimedRecord, type CsvItem, type CsvReadOptions } from './csv-reader.ts';
import { readPrefix } from './encoding.ts';
import { FeedUnreadableError } from './errors.ts';
import { KIND_SPECS, cleanHeader, detectKind, matchHeader, rankKinds } from './headers.ts';
import { AGENCY_LABELS } from './kind-spec.ts';
import { openXlsx, type XlsxRecord } from './xlsx-reader.ts';

export { FeedUnreadableError } from './errors.ts';

/** One source record, its values by canonical field and its unknown columns by header. */
export interface SourceRow {
  /** 1-based data-record ordinal: header excluded, a quoted line break does not start a record. */
  row: number;
  /** The record as read (CSV: the exact text; XLSX: the cells re-joined as a CSV line). */
  rawText: string;
  /** Canonical field → trimmed cell text; empty cells are left out. */
  fields: Record<string, string>;
  /** Unknown column (cleaned header, see OpenedFeed.unknownHeaders) → trimmed cell text, non-empty only. */
  extras: Record<string, string>;
}

/** A record that could not be split into fields; `reason` is for the operator, in Chinese. */
export interface RowProblem {
  row: number;
  rawText: string;
  reason: string;
}

/** A record taken by its exact text (OpenedFeed.rowsClaiming): not split into fields, `claimed` is what the claim returned. */
export interface ClaimedRow<T> {
  row: number;
  rawText: string;
  claimed: T;
}

export interface OpenedFeed {
  agency: Agency;
  kind: FeedKind;
  format: 'csv' | 'xlsx';
  /** CSV: 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be'; XLSX: 'xlsx'. */
  encoding: string;
  /** Header cells, cleaned (cleanHeader), in file order; blank ones named 第N列. */
  headers: string[];
  /** Header cells as they are in the file. */
  rawHeaders: string[];
  /** Headers of the columns that feed no canonical field; their cells go to SourceRow.extras. */
  unknownHeaders: string[];
  /** Data records in file order; tell them apart with `'reason' in item`. Iterate once (this or rowsClaiming). */
  rows: AsyncIterable<SourceRow | RowProblem>;
  /**
   * The same records, except that each one `claim` takes by its exact text (returns a value other than
   * undefined for) comes as a ClaimedRow without its fields being split or mapped: the cost of a line
   * the caller already knows. Rows keep their numbers. Empty lines and records whose framing is broken
   * (an unclosed quote) are never offered; claim only texts known to be records (a line of empty cells
   * such as ",," is not one: it is skipped, unnumbered).
   */
  rowsClaiming<T>(claim: (rawText: string) => T | undefined): AsyncIterable<SourceRow | RowProblem | ClaimedRow<T>>;
  /** Releases the file when `rows` is not read to the end. */
  close(): Promise<void>;
}

const FORMATS: Readonly<Record<string, 'csv' | 'xlsx'>> = { '.csv': 'csv', '.txt': 'csv', '.xlsx': 'xlsx' };

const columnName = (index: number) => `第${index + 1}列`;

interface Column {
  index: number;
  key: string;
  field: string | null;
  rank: number;
}

interface ColumnPlan {
  headers: string[];
  unknownHeaders: string[];
  /** Mapped columns by preference (so the preferred alias fills a field first), then unknown ones. */
  columns: Column[];
  width: number;
}

function planColumns(kind: FeedKind, rawHeaders: readonly string[]): ColumnPlan {
  const headers: string[] = [];
  const seen = new Map<string, number>();
  const columns: Column[] = rawHeaders.map((raw, index) => {
    const cleaned = cleanHeader(raw);
    let key = cleaned === '' ? columnName(index) : cleaned;
    // Two columns with one header must not overwrite each other in extras.
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count > 1) key = `${key}#${count}`;
    headers.push(key);
    const match = cleaned === '' ? null : matchHeader(kind, cleaned);
    return { index, key, field: match?.field ?? null, rank: match?.rank ?? Number.POSITIVE_INFINITY };
  });
  const unknownHeaders = columns.filter((column) => column.field === null).map((column) => column.key);
  columns.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return { headers, unknownHeaders, columns, width: rawHeaders.length };
}

function toSourceRow(plan: ColumnPlan, row: number, rawText: string, cells: readonly string[]): SourceRow {
  const fields: Record<string, string> = {};
  const extras: Record<string, string> = {};
  for (const column of plan.columns) {
    const text = (cells[column.index] ?? '').trim();
    if (text === '') continue;
    if (column.field === null) {
      extras[column.key] = text;
    } else if (!(column.field in fields)) {
      fields[column.field] = text;
    } else if (fields[column.field] !== text) {
      // A second column for the same field (e.g. 单位名称 beside 单位详细名称) keeps its differing value.
      extras[column.key] = text;
    }
  }
  // Cells past the header's last column are still data someone typed.
  for (let index = plan.width; index < cells.length; index++) {
    const text = cells[index]!.trim();
    if (text !== '') extras[columnName(index)] = text;
  }
  return { row, rawText, fields, extras };
}

function preview(rawHeaders: readonly string[]): string {
  const shown = rawHeaders.slice(0, 8).map((h) => h.trim()).join('，');
  const text = shown.length > 120 ? `${shown.slice(0, 120)}…` : shown;
  return `“${text}${rawHeaders.length > 8 ? '，…' : ''}”`;
}

function unrecognisedReason(agency: Agency, format: 'csv' | 'xlsx', rawHeaders: readonly string[]): string {
  const cleaned = rawHeaders.map(cleanHeader);
  const elsewhere = rankKinds(cleaned).find((match) => agencyOfKind(match.kind) !== agency);
  const folder = `inbox/${agency}/`;
  if (elsewhere) {
    const other = agencyOfKind(elsewhere.kind);
    return (
      `表头看起来是${KIND_SPECS[elsewhere.kind].label}文件，却投递在${AGENCY_LABELS[agency]}的目录 ${folder}；` +
      `请确认文件来源，属于${AGENCY_LABELS[other]}的请放入 inbox/${other}/ 后重新投递`
    );
  }
  const expected = KINDS_BY_AGENCY[agency]
    .map((kind) => `${KIND_SPECS[kind].label}需有${KIND_SPECS[kind].requirement}`)
    .join('；');
  let hint = '';
  if (format === 'csv' && rawHeaders.length === 1 && /[\t;|]/.test(rawHeaders[0]!)) {
    hint = '该文件似乎不是以逗号分隔（表头中有制表符、分号或竖线），请另存为“CSV（逗号分隔）”；';
  }
  return (
    `找不到可识别的表头：第一个非空行是${preview(rawHeaders)}，不符合${AGENCY_LABELS[agency]}的文件格式（${expected}）。` +
    `${hint}请确认第一行是列名、文件放在正确的部门目录后重新投递`
  );
}

const looksLikeZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
const looksLikeOle = (bytes: Uint8Array) => bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;

/** Catches binaries handed in under a text extension before they are read as garbage text. */
function checkTextContent(prefix: Uint8Array, ext: string): void {
  if (looksLikeZip(prefix)) {
    throw new FeedUnreadableError(`文件扩展名是 ${ext}，但内容是 Excel 工作簿（.xlsx）或其他压缩包；如是 Excel 文件，请把扩展名改为 .xlsx 后重新投递`);
  }
  if (looksLikeOle(prefix)) {
    throw new FeedUnreadableError(`文件扩展名是 ${ext}，但内容是旧版 Excel（.xls）等二进制文件；请用 Excel 另存为 .xlsx 或“CSV（逗号分隔）”后重新投递`);
  }
  const utf16 = (prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff);
  if (!utf16 && prefix.subarray(0, 8192).includes(0)) {
    throw new FeedUnreadableError(`文件扩展名是 ${ext}，但内容是二进制数据而不是文本；请导出为“CSV（逗号分隔）”或 .xlsx 后重新投递`);
  }
}

/**
 * Opens an agency file for streaming ingest: picks the reader by extension, reads the header,
 * decides which of the agency's layouts it is and maps columns to canonical fields by header
 * name. Throws FeedUnreadableError (→ quarantine) for an unsupported format, a non-workbook
 * .xlsx, an empty file or a header that is not one of the agency's layouts.
 */
export async function openFeed(filePath: string, agency: Agency): Promise<OpenedFeed> {
  const ext = path.extname(filePath).toLowerCase();
  const format = FORMATS[ext];
  if (!format) {
    const advice =
      ext === '.xls' || ext === '.et'
        ? '旧版 Excel（.xls）等格式不受支持，请用 Excel 另存为 .xlsx 或“CSV（逗号分隔）”后重新投递'
        : '只接收 .csv、.txt（逗号分隔文本）或 .xlsx 文件，请转换格式后重新投递';
    throw new FeedUnreadableError(`不支持的文件格式“${ext || '无扩展名'}”：${advice}`);
  }
  const { size } = await stat(filePath);
  if (size === 0) throw new FeedUnreadableError('文件是空的（0 字节）；请确认导出是否成功，重新导出后再投递');
  const { prefix } = await readPrefix(filePath, 8192);

  let encoding: string;
  let rawHeaders: string[];
  let items: AsyncIterable<CsvItem | CsvClaimedRecord | XlsxRecord>;
  let close: () => Promise<void>;
  // The CSV reader consults the claim before splitting fields; a workbook's cells are read anyway.
  const csvOptions: CsvReadOptions = {};
  if (format === 'csv') {
    checkTextContent(prefix, ext);
    const sheet = await openCsv(filePath, csvOptions);
    ({ encoding, header: rawHeaders, records: items, close } = sheet);
  } else {
    const sheet = await openXlsx(filePath, prefix);
    encoding = 'xlsx';
    ({ header: rawHeaders, records: items, close } = sheet);
  }

  const kind = detectKind(agency, rawHeaders.map(cleanHeader));
  if (!kind) {
    await close();
    throw new FeedUnreadableError(unrecognisedReason(agency, format, rawHeaders));
  }
  const plan = planColumns(kind, rawHeaders);

  let started = false;
  function iterate<T>(claim: ((rawText: string) => T | undefined) | undefined): AsyncIterable<SourceRow | RowProblem | ClaimedRow<T>> {
    return {
      [Symbol.asyncIterator]() {
        if (started) throw new Error('OpenedFeed.rows can be iterated only once');
        started = true;
        csvOptions.claim = claim;
        return (async function* () {
          for await (const item of items) {
            if ('error' in item) {
              yield { row: item.row, rawText: item.rawText, reason: item.error };
            } else if ('claimed' in item) {
              yield { row: item.row, rawText: item.rawText, claimed: item.claimed as T };
            } else {
              const claimed = format === 'xlsx' ? claim?.(item.rawText) : undefined;
              if (claimed !== undefined) yield { row: item.row, rawText: item.rawText, claimed };
              else yield toSourceRow(plan, item.row, item.rawText, item.cells);
            }
          }
        })();
      },
    };
  }
  const rows = iterate<never>(undefined) as AsyncIterable<SourceRow | RowProblem>;
  return {
    agency,
    kind,
    format,
    encoding,
    headers: plan.headers,
    rawHeaders,
    unknownHeaders: plan.unknownHeaders,
    rows,
    rowsClaiming: (claim) => iterate(claim),
    close,
  };
}
