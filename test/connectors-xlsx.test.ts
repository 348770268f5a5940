import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeedUnreadableError, openFeed, type OpenedFeed, type RowProblem, type SourceRow } from '../connectors/feed.ts';
import { cellText, formatExcelNumber } from '../connectors/xlsx-reader.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gridlink-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

async function readAll(feed: OpenedFeed): Promise<(SourceRow | RowProblem)[]> {
  const items: (SourceRow | RowProblem)[] = [];
  for await (const item of feed.rows) items.push(item);
  return items;
}

const utcDate = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/** An org-code register the way agencies export it: typed cells of every sort, then a notes sheet. */
async function writeOrgCodeWorkbook(file: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('组织机构代码');
  sheet.getCell('A1').value = '   '; // a blank first row: the header is the first non-empty one
  sheet.getRow(2).values = ['机构名称', ' 组织机构代码＊', '注册日期', '有效期至', '职工人数', '备注', '法定代表人', '网址', '校验'];
  sheet.getRow(3).values = [
    '扬州市甲有限公司',
    '12345678-9',
    utcDate(2019, 3, 5),
    utcDate(2020, 1, 31),
    1200,
    { richText: [{ text: '新', font: { bold: true } }, { text: '办' }] },
    { formula: '"张"&"三"', result: '张三' },
    { text: '官网', hyperlink: 'http://example.invalid' },
    { error: '#N/A' },
  ];
  sheet.getCell('C3').numFmt = 'yyyy-mm-dd';
  sheet.getCell('D3').numFmt = 'yyyy/m/d';
  sheet.getCell('A4').value = ''; // an empty row between data rows
  sheet.getRow(5).values = ['扬州市乙有限公司', 'MA1N0MQF-8', 43529, '2019年3月5日', 0.1 + 0.2];
  sheet.getRow(6).values = ['扬州市丙有限公司', '59881651-3', { formula: 'DATE(2021,1,2)', result: 44198 }, '20190305', 1e21];
  sheet.getCell('C6').numFmt = 'yyyy-mm-dd';
  const notes = workbook.addWorksheet('填报说明');
  notes.getRow(1).values = ['机构名称', '组织机构代码'];
  notes.getRow(2).values = ['说明：本表为示例', '不是数据'];
  await workbook.xlsx.writeFile(file);
}

describe('xlsx', () => {
  it('reads the first worksheet: header after a blank row, typed cells as text, notes sheet ignored', async () => {
    const file = path.join(dir, 'org-code.xlsx');
    await writeOrgCodeWorkbook(file);
    // The calendar date must not depend on where the server runs (exceljs dates are UTC midnights).
    for (const tz of ['America/Los_Angeles', 'Asia/Shanghai', 'UTC']) {
      process.env.TZ = tz;
      const feed = await openFeed(file, 'org-code');
      expect(feed.kind).toBe('org-code');
      expect(feed.format).toBe('xlsx');
      expect(feed.encoding).toBe('xlsx');
      expect(feed.unknownHeaders).toEqual(['备注', '网址', '校验']);
      const items = await readAll(feed);
      expect(items).toEqual([
        {
          row: 1,
          rawText: '扬州市甲有限公司,12345678-9,2019-03-05,2020-01-31,1200,新办,张三,官网,', // the #N/A cell is empty
          fields: {
            name: '扬州市甲有限公司',
            org_code: '12345678-9',
            established: '2019-03-05',
            valid_until: '2020-01-31',
            employees: '1200',
            legal_rep: '张三',
          },
          extras: { 备注: '新办', 网址: '官网' },
        },
        {
          row: 2,
          rawText: '扬州市乙有限公司,MA1N0MQF-8,43529,2019年3月5日,0.3',
          // A serial number in a General cell stays a number string; normalisation converts it.
          fields: { name: '扬州市乙有限公司', org_code: 'MA1N0MQF-8', established: '43529', valid_until: '2019年3月5日', employees: '0.3' },
          extras: {},
        },
        {
          row: 3,
          rawText: '扬州市丙有限公司,59881651-3,2021-01-02,20190305,1000000000000000000000',
          fields: {
            name: '扬州市丙有限公司',
            org_code: '59881651-3',
            established: '2021-01-02',
            valid_until: '20190305',
            employees: '1000000000000000000000',
          },
          extras: {},
        },
      ]);
    }
  });

  it('takes the first sheet in workbook order, not the first sheet file', async () => {
    const workbook = new ExcelJS.Workbook();
    const notes = workbook.addWorksheet('说明');
    notes.getRow(1).values = ['说明'];
    const data = workbook.addWorksheet('人员');
    data.getRow(1).values = ['统一社会信用代码', '单位名称', '编制数'];
    data.getRow(2).values = ['12321000421100069X', '扬州市技师学院', 53];
    // exceljs numbers sheet files by creation, but lists them in workbook.xml by orderNo.
    (notes as ExcelJS.Worksheet & { orderNo: number }).orderNo = 2;
    (data as ExcelJS.Worksheet & { orderNo: number }).orderNo = 1;
    const file = path.join(dir, 'order.xlsx');
    await workbook.xlsx.writeFile(file);
    const feed = await openFeed(file, 'personnel');
    expect(await readAll(feed)).toMatchObject([{ row: 1, fields: { name: '扬州市技师学院', quota: '53' } }]);
  });

  it('rejects a first sheet that is empty, with a reason', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('空表');
    workbook.addWorksheet('数据').getRow(1).values = ['统一社会信用代码', '单位名称'];
    const file = path.join(dir, 'empty-first.xlsx');
    await workbook.xlsx.writeFile(file);
    await expect(openFeed(file, 'personnel')).rejects.toThrow(/第一个工作表/);
  });

  it('rejects an .xlsx that is not a zip workbook', async () => {
    const file = path.join(dir, 'not-zip.xlsx');
    await writeFile(file, '统一社会信用代码,单位名称\n12321000421100069X,扬州市技师学院\n');
    const error = await openFeed(file, 'personnel').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedUnreadableError);
    expect((error as FeedUnreadableError).reason).toMatch(/不是 zip/);
  });

  it('rejects a truncated or corrupt workbook instead of hanging', async () => {
    const source = path.join(dir, 'big.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('组织机构代码');
    sheet.getRow(1).values = ['机构名称', '组织机构代码'];
    for (let i = 2; i < 3000; i++) sheet.getRow(i).values = [`扬州市第${i}有限公司`, `${String(i).padStart(8, '0')}-X`];
    await workbook.xlsx.writeFile(source);
    const bytes = await readFile(source);

    const truncated = path.join(dir, 'truncated.xlsx');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(openFeed(truncated, 'org-code')).rejects.toBeInstanceOf(FeedUnreadableError);

    // Garble the compressed sheet data, past the zip entry's local header.
    const sheetEntry = bytes.indexOf('xl/worksheets/sheet1.xml');
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0x5a, sheetEntry + 200, sheetEntry + 1200);
    const corruptFile = path.join(dir, 'corrupt.xlsx');
    await writeFile(corruptFile, corrupt);
    const outcome = await openFeed(corruptFile, 'org-code').then(readAll).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(FeedUnreadableError);
    expect((outcome as FeedUnreadableError).reason).toMatch(/损坏/);
  });
});

describe('cell values', () => {
  it('formats numbers as Excel shows them, never with an exponent', () => {
    expect(formatExcelNumber(44617)).toBe('44617');
    expect(formatExcelNumber(1200.0000000000002)).toBe('1200');
    expect(formatExcelNumber(1e21)).toBe('1000000000000000000000');
    expect(formatExcelNumber(1.5e-7)).toBe('0.00000015');
    expect(formatExcelNumber(-2.5e22)).toBe('-25000000000000000000000');
    expect(formatExcelNumber(-0)).toBe('0');
  });

  it('turns every cell value kind into text', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(true)).toBe('TRUE');
    expect(cellText(utcDate(2019, 3, 5))).toBe('2019-03-05');
    expect(cellText({ richText: [{ text: '扬州' }, { text: '市' }] })).toBe('扬州市');
    expect(cellText({ formula: 'A1', result: 44198 }, 'yyyy-mm-dd')).toBe('2021-01-02');
    expect(cellText({ formula: 'A1', result: 44198 })).toBe('44198');
    expect(cellText({ formula: 'A1', result: { error: '#DIV/0!' } })).toBe('');
    expect(cellText({ error: '#N/A' })).toBe('');
  });
});
