/**
 * Streaming writers for feed files. They count data records as the
 * connectors must (header excluded, a quoted line break is not a record), so
 * the truth's row numbers come from the same place the rows do.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { csvLine } from './csv-text.ts';

export type CsvEncoding = 'utf8' | 'utf8-bom' | 'gb18030';

const FLUSH_AT = 1 << 16;

async function writeChunk(stream: fs.WriteStream, chunk: Buffer): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export class CsvFeedWriter {
  private buffer = '';
  private records = 0;
  private readonly stream: fs.WriteStream;
  private headerWritten = false;

  constructor(
    readonly file: string,
    private readonly opts: { encoding: CsvEncoding; eol: '\n' | '\r\n'; leadingBlankLine?: boolean },
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.stream = fs.createWriteStream(file);
    if (opts.encoding === 'utf8-bom') this.buffer = '\ufeff';
    // Some desk exports start with an empty line before the header.
    if (opts.leadingBlankLine) this.buffer += opts.eol;
  }

  get name(): string {
    return path.basename(this.file);
  }

  /** Ordinal the next data record will get. */
  get nextRow(): number {
    return this.records + 1;
  }

  async header(cells: readonly string[]): Promise<void> {
    if (this.headerWritten) throw new Error(`${this.file}: header written twice`);
    this.headerWritten = true;
    await this.push(csvLine(cells, this.opts.eol));
  }

  /** Appends one data record; returns its 1-based ordinal. */
  async row(cells: readonly string[]): Promise<number> {
    if (!this.headerWritten) throw new Error(`${this.file}: row before header`);
    // Inside a quoted field a line break is a bare LF, whatever the file's record separator.
    await this.push(csvLine(cells.map((c) => c.replace(/\r\n?/g, '\n')), this.opts.eol));
    this.records += 1;
    return this.records;
  }

  private async push(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer === '') return;
    const chunk = this.opts.encoding === 'gb18030' ? iconv.encode(this.buffer, 'gb18030') : Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    await writeChunk(this.stream, chunk);
  }

  async close(): Promise<number> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    return this.records;
  }
}

export type XlsxCell = string | number | Date | null;

const FIXED_ZIP_DATE = new Date(Date.UTC(2000, 0, 1));

/**
 * exceljs stamps every zip entry with the current time; pinning it keeps two
 * generations of the same world byte-identical. The base constructor calls
 * addThemes before anything else is zipped, so the pin is in place first.
 */
class PinnedWorkbookWriter extends ExcelJS.stream.xlsx.WorkbookWriter {
  override addThemes(): Promise<void> {
    const zip = (this as unknown as { zip: { append: (source: unknown, data: Record<string, unknown>) => unknown } }).zip;
    const append = zip.append.bind(zip);
    zip.append = (source, data) => append(source, { ...data, date: FIXED_ZIP_DATE });
    return super.addThemes();
  }
}

export class XlsxFeedWriter {
  private records = 0;
  private readonly workbook: PinnedWorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;

  constructor(
    readonly file: string,
    sheetName: string,
    private readonly notes: { sheetName: string; lines: readonly string[] },
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.workbook = new PinnedWorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
    this.workbook.creator = 'gridlink demo';
    this.workbook.lastModifiedBy = 'gridlink demo';
    this.workbook.created = FIXED_ZIP_DATE;
    this.workbook.modified = FIXED_ZIP_DATE;
    this.sheet = this.workbook.addWorksheet(sheetName);
  }

  get name(): string {
    return path.basename(this.file);
  }

  get nextRow(): number {
    return this.records + 1;
  }

  header(cells: readonly string[]): void {
    this.sheet.addRow([...cells]).commit();
  }

  /** Dates become real date cells (shown as yyyy-mm-dd); returns the record's 1-based ordinal. */
  row(cells: readonly XlsxCell[]): number {
    const row = this.sheet.addRow(cells.map((c) => (c === null ? '' : c)));
    cells.forEach((c, i) => {
      if (c instanceof Date) row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
    row.commit();
    this.records += 1;
    return this.records;
  }

  async close(): Promise<number> {
    this.sheet.commit();
    const notes = this.workbook.addWorksheet(this.notes.sheetName);
    for (const line of this.notes.lines) notes.addRow([line]).commit();
    notes.commit();
    await this.workbook.commit();
    return this.records;
  }
}
