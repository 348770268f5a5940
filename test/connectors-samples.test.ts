import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openFeed, type OpenedFeed, type RowProblem, type SourceRow } from '../connectors/feed.ts';
import type { Agency, FeedKind } from '../schemas/feeds.ts';
import { SAMPLES } from './support/paths.ts';

interface Expected {
  file: string;
  agency: Agency;
  kind: FeedKind;
  encoding: string;
  rows: number;
  unknown: string[];
}

const EXPECTED: Expected[] = [
  { file: 'statistics/基本单位名录-20260930.csv', agency: 'statistics', kind: 'statistics', encoding: 'gb18030', rows: 194, unknown: ['备注'] },
  { file: 'market/market-20261127.csv', agency: 'market', kind: 'market', encoding: 'utf-8', rows: 256, unknown: ['邮政编码'] },
  { file: 'tax/tax-20261120.csv', agency: 'tax', kind: 'tax', encoding: 'utf-8-bom', rows: 196, unknown: ['财务负责人'] },
  { file: 'civil-affairs/social-orgs-20261115.csv', agency: 'civil-affairs', kind: 'civil-affairs.social-orgs', encoding: 'utf-8', rows: 22, unknown: ['活动资金(万元)'] },
  { file: 'civil-affairs/divisions-2026.csv', agency: 'civil-affairs', kind: 'civil-affairs.divisions', encoding: 'utf-8', rows: 1542, unknown: [] },
  { file: 'personnel/personnel-2026.xlsx', agency: 'personnel', kind: 'personnel', encoding: 'xlsx', rows: 19, unknown: ['备注'] },
  { file: 'org-code/org-code-20180630.xlsx', agency: 'org-code', kind: 'org-code', encoding: 'xlsx', rows: 98, unknown: ['数据来源'] },
  { file: 'labour/grids-20261127.csv', agency: 'labour', kind: 'labour.grids', encoding: 'utf-8-bom', rows: 405, unknown: [] },
  { file: 'labour/supervised-units-20261127.csv', agency: 'labour', kind: 'labour.supervised', encoding: 'utf-8', rows: 167, unknown: [] },
  { file: 'labour/举报投诉登记-20261127.txt', agency: 'labour', kind: 'labour.complaints', encoding: 'utf-8', rows: 102, unknown: [] },
  { file: 'labour/arrears-20261127.csv', agency: 'labour', kind: 'labour.arrears', encoding: 'gb18030', rows: 4, unknown: [] },
  { file: 'labour/credit-grades-20261127.csv', agency: 'labour', kind: 'labour.credit', encoding: 'utf-8', rows: 116, unknown: [] },
];

/**
 * An independent count of data records: a bare quote-toggling scan (enough for well-formed files),
 * not the connector's framing. Records with no content at all are not counted; the first is the header.
 */
function countDataRecords(text: string): number {
  let inQuotes = false;
  let hasContent = false;
  let records = 0;
  for (const ch of text.replace(/^\ufeff/, '')) {
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && ch === '\n') {
      if (hasContent) records++;
      hasContent = false;
    } else if (!/[\s,"]/.test(ch)) {
      hasContent = true;
    }
  }
  if (hasContent) records++;
  return records - 1;
}

/** The same count for a workbook, read whole with exceljs's non-streaming reader. */
async function countSheetRows(file: string): Promise<number> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  let rows = 0;
  workbook.worksheets[0]!.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    if (values.some((value) => value !== null && value !== undefined && String(value).trim() !== '')) rows++;
  });
  return rows - 1;
}

async function readAll(feed: OpenedFeed): Promise<{ rows: SourceRow[]; problems: RowProblem[]; order: number[] }> {
  const rows: SourceRow[] = [];
  const problems: RowProblem[] = [];
  const order: number[] = [];
  for await (const item of feed.rows) {
    order.push(item.row);
    if ('reason' in item) problems.push(item);
    else rows.push(item);
  }
  return { rows, problems, order };
}

const cache = new Map<string, Promise<{ feed: OpenedFeed; rows: SourceRow[]; problems: RowProblem[]; order: number[] }>>();
function load(file: string, agency: Agency) {
  let entry = cache.get(file);
  if (!entry) {
    entry = openFeed(path.join(SAMPLES, file), agency).then(async (feed) => ({ feed, ...(await readAll(feed)) }));
    cache.set(file, entry);
  }
  return entry;
}

function byRow(rows: SourceRow[], row: number): SourceRow {
  const found = rows.find((r) => r.row === row);
  if (!found) throw new Error(`no row ${row}`);
  return found;
}

describe('agency samples', () => {
  it.each(EXPECTED)('$file opens as $kind with its rows numbered 1..n', async (expected) => {
    const { feed, rows, problems, order } = await load(expected.file, expected.agency);
    expect(feed.kind).toBe(expected.kind);
    expect(feed.encoding).toBe(expected.encoding);
    expect(feed.format).toBe(expected.file.endsWith('.xlsx') ? 'xlsx' : 'csv');
    expect(feed.unknownHeaders).toEqual(expected.unknown);
    expect(problems).toEqual([]);
    expect(rows.length).toBe(expected.rows);
    expect(order).toEqual(Array.from({ length: expected.rows }, (_, i) => i + 1));

    const full = path.join(SAMPLES, expected.file);
    const independent = expected.file.endsWith('.xlsx')
      ? await countSheetRows(full)
      : countDataRecords(iconv.decode(await readFile(full), expected.encoding === 'gb18030' ? 'gb18030' : 'utf-8'));
    expect(rows.length).toBe(independent);
    // Every row is attributable to something: no fragments of multi-line fields posing as records.
    for (const row of rows) expect(Object.keys(row.fields).length).toBeGreaterThan(0);
  });

  it('complaints (.txt, blank first line, CRLF): a quoted line break stays inside its record', async () => {
    const { feed, rows } = await load('labour/举报投诉登记-20261127.txt', 'labour');
    expect(feed.headers).toEqual(['受理日期', '诉求内容', '单位名称', '处理结果', '统一社会信用代码', '类型']);
    expect(byRow(rows, 3)).toEqual({
      row: 3,
      rawText: '2023/11/29,"1.拖欠工资\n2.未缴社保",扬州市展鑫休闲有限公司,已办结,91321091MA1XLM687W,投诉',
      fields: {
        received: '2023/11/29',
        content: '1.拖欠工资\n2.未缴社保',
        name: '扬州市展鑫休闲有限公司',
        result: '已办结',
        uscc: '91321091MA1XLM687W',
        complaint_type: '投诉',
      },
      extras: {},
    });
    expect(byRow(rows, 1).fields.content).toBe('未依法缴纳社会保险费,要求补缴');
    // Had a line break started a record, some row would begin with the continuation text.
    for (const row of rows) {
      expect(row.fields.received).toMatch(/^\d{4}\D/);
      expect(row.fields.complaint_type).toMatch(/^(投诉|举报|集体上访)$/);
    }
    expect(rows.filter((row) => row.fields.content?.includes('\n')).length).toBe(18);
  });

  it('market: quoted commas and multi-line business scope stay in one field', async () => {
    const { rows } = await load('market/market-20261127.csv', 'market');
    const withComma = rows.find((row) => row.fields.name === '扬州帆威商业有限公司')!;
    expect(withComma.fields.address).toBe('扬州市邗江区大学北路263号,2幢');
    expect(withComma.fields.uscc).toBe('91321000MA26X54724');
    expect(withComma.extras).toEqual({ 邮政编码: '225009' });
    const multiLine = byRow(rows, 2);
    expect(multiLine.fields.business_scope).toMatch(/^许可项目：.*\n一般项目：/s);
    expect(multiLine.fields.name).toBe('扬州东方 红建设有限公司');
    expect(byRow(rows, 1).fields.capital).toBe('１０００');
  });

  it('statistics (GB18030): Chinese text decodes and the starred header maps', async () => {
    const { feed, rows } = await load('statistics/基本单位名录-20260930.csv', 'statistics');
    expect(feed.rawHeaders.at(-1)).toBe('开业时间*');
    expect(feed.headers.at(-1)).toBe('开业时间');
    expect(byRow(rows, 1).fields).toMatchObject({
      uscc: '92321091MA25TNMP0N',
      name: '扬州经济技术开发区展星家电商行',
      division_code: '321071152205',
      established: '2021年8月16日',
      employees: '1',
    });
  });

  it('arrears (GB18030): a quoted thousands separator is one cell', async () => {
    const { rows } = await load('labour/arrears-20261127.csv', 'labour');
    expect(byRow(rows, 2).fields).toMatchObject({ name: '扬州明诺市政工程有限公司', amount: '297,544', workers: '52' });
    expect(byRow(rows, 4).fields.uscc).toBeUndefined();
  });

  it('grids (UTF-8 BOM): the BOM does not stick to the first header', async () => {
    const { feed, rows } = await load('labour/grids-20261127.csv', 'labour');
    expect(feed.rawHeaders[0]).toBe('协理员');
    expect(byRow(rows, 1).fields).toEqual({
      assistant: '徐国平',
      parent_grid_code: 'YZ-HJ-17',
      phone: '13778046786',
      division_codes: '321003110001',
      grid_level: '2',
      grid_code: 'YZ-HJ-17-001',
      grid_name: '杨庙社区网格',
    });
  });

  it('supervised units: the code column keeps organisation codes as they are', async () => {
    const { rows } = await load('labour/supervised-units-20261127.csv', 'labour');
    const codes = rows.map((row) => row.fields.code).filter((code): code is string => code !== undefined);
    expect(codes).toContain('691677810');
    expect(codes).toContain('71341487-9');
    expect(rows.filter((row) => row.fields.code === undefined).length).toBe(16);
  });

  it('tax: a row with neither name nor code is still delivered (the ingest stage rejects it)', async () => {
    const { rows } = await load('tax/tax-20261120.csv', 'tax');
    expect(byRow(rows, 2).fields).toEqual({ tax_authority: '国家税务总局扬州市邗江区税务局', tax_status: '正常', established: '2020/1/1' });
  });

  it('org-code (xlsx): date cells, serial numbers and text dates come out as Excel shows them', async () => {
    const { feed, rows } = await load('org-code/org-code-20180630.xlsx', 'org-code');
    expect(feed.headers).toContain('有效期至');
    expect(byRow(rows, 1).fields).toMatchObject({ valid_until: '2021-02-04', org_code: '71341 4879', employees: '5' });
    expect(byRow(rows, 3).fields.valid_until).toBe('2019.05.04');
    expect(byRow(rows, 4).fields.valid_until).toBe('44617');
    expect(byRow(rows, 6).fields.valid_until).toBe('2021-01-02');
    expect(byRow(rows, 8).fields).toMatchObject({ established: '41932', org_code: '７７７５１８７６５' });
    expect(byRow(rows, 2).rawText).toBe(
      '扬州市万福环保科技有限公司,企业法人,321002,扬州市广陵区杭集镇杭集工业园路257号2幢,2021-09-10,新办,59881651-3,2017-09-11,6,贾桂婷',
    );
  });

  it('personnel (xlsx): numbers are plain strings and the notes sheet is ignored', async () => {
    const { rows } = await load('personnel/personnel-2026.xlsx', 'personnel');
    expect(byRow(rows, 1).fields).toEqual({
      dispatched_staff: '2',
      quota: '54',
      uscc: '123210034158307517',
      supervisor: '扬州市教育局',
      name: '扬州市弘扬中学',
      contract_staff: '8',
      address: '邗江区大学北路113号1号楼',
      unit_category: '事业单位',
      staff: '52',
    });
  });
});
