import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { FeedUnreadableError } from './errors.ts';

/** One data row of the first worksheet. */
export interface XlsxRecord {
  /** 1-based data-record ordinal: header and empty rows excluded. */
  row: number;
  /** The row's cells as CSV text; a workbook has no raw line to keep, and this is what Excel would export. */
  rawText: string;
  cells: string[];
  /** Row number as Excel shows it, for pointing operators at the sheet. */
  sheetRow: number;
}

export interface XlsxSheet {
  sheetName: string;
  header: string[];
  headerRawText: string;
  /** Data rows, iterate once. Throws FeedUnreadableError if the workbook turns out corrupt midway. */
  records: AsyncIterable<XlsxRecord>;
  close(): Promise<void>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * exceljs builds date cells as UTC midnights (serial − 25569 days since the epoch), so the UTC
 * fields are the calendar date Excel shows; local-time getters would shift it a day west of UTC.
 */
export function formatExcelDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/**
 * A number as Excel displays it in a General cell: at most 15 significant digits (Excel's own
 * precision, which also drops binary noise like 1200.0000000000002), never with an exponent.
 */
export function formatExcelNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  const shown = Number(value.toPrecision(15));
  const text = String(shown === 0 ? 0 : shown);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '', exponent] = match;
  const digits = whole! + fraction;
  const point = whole!.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

// Same test as exceljs's own: a format showing y/m/d/h/s outside literals and [colour] tags.
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  return /[ymdhsb]/i.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

function excelSerialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

/** The text of a cell value as the agency sees it in Excel. */
export function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatExcelNumber(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return formatExcelDate(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result = value.result;
    // Streaming exceljs does not apply date formats to formula results.
    if (typeof result === 'number' && isDateFormat(numFmt)) return formatExcelDate(excelSerialToDate(result));
    if (result !== null && typeof result === 'object' && 'error' in result) return '';
    return cellText(result as ExcelJS.CellValue, numFmt);
  }
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue);
  // #N/A, #REF! and the like carry no data.
  if ('error' in value) return '';
  return '';
}

function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');
}

function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    while (cells.length < column - 1) cells.push('');
    cells[column - 1] = cellText(cell.value, cell.numFmt);
  });
  return cells;
}

// exceljs's WorkbookReader state that the typings do not describe.
interface ReaderInternals {
  model?: { sheets?: { name: string }[] };
  properties?: unknown;
}

interface SheetRow {
  sheetRow: number;
  cells: string[];
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function unreadable(detail: string, cause?: unknown): FeedUnreadableError {
  return new FeedUnreadableError(detail, { cause });
}

/**
 * Streams the rows of the first worksheet (in workbook order; later sheets are the agencies'
 * notes). Shared strings are cached in memory by exceljs, as the format requires; rows are not.
 */
async function* firstSheetRows(filePath: string, onSheet: (name: string) => void): AsyncGenerator<SheetRow> {
  const input = createReadStream(filePath);
  // exceljs waits forever on a sheet whose compressed data is corrupt: the inflate error is emitted
  // on its unzip stream, which nobody is listening to at that point. Listening to it here turns the
  // hang into an error.
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  const pipe = input.pipe.bind(input);
  input.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }) => {
    destination.on('error', fail);
    return pipe(destination, options);
  }) as typeof input.pipe;
  input.on('error', fail);
  const guarded = <T>(step: Promise<T>) => Promise.race([step, failed]);

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Needed to recognise date cells by their number format.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const internals = reader as unknown as ReaderInternals;
  // exceljs dereferences both unguarded when a sheet is parsed before workbook.xml is read; the
  // real ones replace these as soon as workbook.xml comes by.
  internals.properties ??= { model: { date1904: false } };
  internals.model ??= { sheets: [] };
  const sheets = reader[Symbol.asyncIterator]();
  let sheetRow = 0;
  let found = false;
  try {
    for (;;) {
      const next = await guarded(sheets.next());
      if (next.done) break;
      const sheet = next.value as unknown as ExcelJS.stream.xlsx.WorksheetReader & { name: string };
      const first = internals.model.sheets?.[0]?.name;
      // Without workbook.xml read yet there is no order to go by; the zip's first sheet is the best guess.
      if (first !== undefined && sheet.name !== first) continue;
      found = true;
      onSheet(sheet.name);
      const rows = sheet[Symbol.asyncIterator]();
      for (;;) {
        const row = await guarded(rows.next());
        if (row.done) break;
        sheetRow = row.value.number;
        yield { sheetRow, cells: rowCells(row.value) };
      }
      break;
    }
  } catch (error) {
    throw unreadable(
      sheetRow === 0
        ? 'Excel 文件已损坏或不是有效的 .xlsx 工作簿，无法读取；请用 Excel 打开确认后重新另存为 .xlsx 再投递'
        : `Excel 文件在第 ${sheetRow} 行之后损坏，无法继续读取；请用 Excel 打开确认后重新另存为 .xlsx 再投递`,
      error,
    );
  } finally {
    input.destroy();
    // Not awaited: after a failure exceljs may never settle.
    void sheets.return(undefined).catch(() => {});
  }
  if (!found) throw unreadable('Excel 工作簿中没有任何工作表；请确认数据在第一个工作表中后重新投递');
}

/**
 * Opens an .xlsx export: reads up to the header (first non-empty row of the first worksheet) and
 * leaves the data rows to be pulled. Cell values become text: date cells 'YYYY-MM-DD', numbers
 * plain (a serial number in a General cell stays a number string), rich text flattened, formulas
 * their cached result.
 */
export async function openXlsx(filePath: string, magic?: Uint8Array): Promise<XlsxSheet> {
  if (magic && !ZIP_MAGIC.every((byte, i) => magic[i] === byte)) {
    throw unreadable('文件扩展名是 .xlsx，但内容不是 Excel 2007 及以上版本的工作簿（不是 zip 格式）；请用 Excel 打开后另存为 .xlsx 或 CSV 再投递');
  }
  let sheetName = '';
  const iterator = firstSheetRows(filePath, (name) => (sheetName = name));
  const close = async () => {
    await iterator.return(undefined);
  };
  let header: SheetRow | undefined;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.cells.some((cell) => cell.trim() !== '')) {
        header = next.value;
        break;
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  if (!header) {
    await close();
    throw unreadable(`Excel 第一个工作表${sheetName ? `“${sheetName}”` : ''}是空的，找不到表头；数据应放在第一个工作表，第一行为列名，请调整后重新投递`);
  }
  let started = false;
  const records: AsyncIterable<XlsxRecord> = {
    [Symbol.asyncIterator]() {
      if (started) throw new Error('XLSX records can be iterated only once');
      started = true;
      return (async function* () {
        let ordinal = 0;
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done) return;
            const { cells, sheetRow } = next.value;
            if (cells.every((cell) => cell.trim() === '')) continue;
            yield { row: ++ordinal, rawText: csvLine(cells), cells, sheetRow };
          }
        } finally {
          await close();
        }
      })();
    },
  };
  return { sheetName, header: header.cells, headerRawText: csvLine(header.cells), records, close };
}
