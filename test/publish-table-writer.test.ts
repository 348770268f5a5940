import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { neutralize, openTable } from '../pipelines/publish/table-writer.ts';

describe('exported tables', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(neutralize('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(neutralize('+86 123')).toBe(`'+86 123`);
    expect(neutralize('-1')).toBe(`'-1`);
    expect(neutralize('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(neutralize('扬州市=公司')).toBe('扬州市=公司');
    expect(neutralize(null)).toBe('');
  });

  it('writes CSV as UTF-8 with BOM and XLSX with heading and Chinese titles', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-table-'));
    const columns = [
      { key: 'name', title: '单位名称' },
      { key: 'n', title: '人数' },
    ];
    const csv = openTable(path.join(dir, 'a.csv'), { columns });
    await csv.write({ name: '扬州,"某"公司', n: 3 });
    await csv.write({ name: '=cmd', n: null });
    expect(await csv.close()).toBe(2);
    const bytes = fs.readFileSync(path.join(dir, 'a.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('name,n\n"扬州,""某""公司",3\n\'=cmd,\n');

    const xlsx = openTable(path.join(dir, 'a.xlsx'), { columns, titles: true, heading: ['网格：东关街道网格'] });
    await xlsx.write({ name: '扬州某公司', n: 3 });
    await xlsx.close();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'a.xlsx'));
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('网格：东关街道网格');
    expect(sheet.getRow(2).values).toEqual([undefined, '单位名称', '人数']);
    expect(sheet.getRow(3).values).toEqual([undefined, '扬州某公司', '3']);
  });
});
