import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { format } from 'fast-csv';
import ExcelJS from 'exceljs';

export interface Column {
  key: string;
  /** Column title as people read it (Chinese in registers); the CSV contract columns use the key. */
  title: string;
  width?: number;
}

export interface TableOptions {
  columns: Column[];
  /** Use titles instead of keys as the header row. */
  titles?: boolean;
  /** Lines above the table (a register's grid name, inspector, phone). */
  heading?: string[];
  sheetName?: string;
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab/CR before them) as a formula: a company
 * name from an agency file must never do that in an inspector's Excel.
 */
export function neutralize(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export interface TableWriter {
  write(row: Record<string, unknown>): Promise<void>;
  close(): Promise<number>;
}

/** CSV (UTF-8 with BOM, for Excel) or XLSX by the file's extension; both streamed. */
export function openTable(file: string, options: TableOptions): TableWriter {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx') return openXlsx(file, options);
  if (ext === '.csv' || ext === '.txt') return openCsv(file, options);
  throw new Error(`Cannot write ${file}: use a .csv or .xlsx file name.`);
}

function openCsv(file: string, options: TableOptions): TableWriter {
  const out = fs.createWriteStream(file);
  const csv = format({ writeBOM: true, includeEndRowDelimiter: true });
  csv.pipe(out);
  let rows = 0;
  const push = async (cells: string[]) => {
    if (!csv.write(cells)) await once(csv, 'drain');
  };
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    for (const line of options.heading ?? []) await push([neutralize(line)]);
    await push(options.columns.map((c) => (options.titles ? c.title : c.key)));
  };
  return {
    async write(row) {
      await start();
      await push(options.columns.map((c) => neutralize(row[c.key])));
      rows++;
    },
    async close() {
      await start();
      csv.end();
      await once(out, 'finish');
      return rows;
    },
  };
}

function openXlsx(file: string, options: TableOptions): TableWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(options.sheetName ?? 'Sheet1');
  sheet.columns = options.columns.map((c) => ({ key: c.key, width: c.width ?? Math.max(10, c.title.length * 2 + 2) }));
  let rows = 0;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (const line of options.heading ?? []) sheet.addRow([neutralize(line)]).commit();
    const header = sheet.addRow(options.columns.map((c) => (options.titles ? c.title : c.key)));
    header.font = { bold: true };
    header.commit();
  };
  return {
    async write(row) {
      start();
      sheet.addRow(options.columns.map((c) => neutralize(row[c.key]))).commit();
      rows++;
    },
    async close() {
      start();
      sheet.commit();
      await workbook.commit();
      return rows;
    },
  };
}
