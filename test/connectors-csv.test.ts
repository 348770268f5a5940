import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS, readCsvRecords } from '../connectors/csv-reader.ts';
import { SNIFF_BYTES } from '../connectors/encoding.ts';
import { openFeed, type OpenedFeed, type RowProblem, type SourceRow } from '../connectors/feed.ts';
import type { Agency } from '../schemas/feeds.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gridlink-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

async function readAll(feed: OpenedFeed): Promise<(SourceRow | RowProblem)[]> {
  const items: (SourceRow | RowProblem)[] = [];
  for await (const item of feed.rows) items.push(item);
  return items;
}

async function open(name: string, content: string | Buffer, agency: Agency) {
  const feed = await openFeed(await fixture(name, content), agency);
  return { feed, items: await readAll(feed) };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const rowsOf = (items: (SourceRow | RowProblem)[]) => items.filter((item): item is SourceRow => !('reason' in item));
const problemsOf = (items: (SourceRow | RowProblem)[]) => items.filter((item): item is RowProblem => 'reason' in item);

const STATS_HEADER = '统一社会信用代码,单位详细名称,区划代码,开业时间';
const STATS_ROW = '91321002MA1X0000A1,扬州市甲有限公司,321002001001,2019/3/5';

describe('encodings', () => {
  it('reads UTF-8 without BOM', async () => {
    const { feed, items } = await open('utf8.csv', `${STATS_HEADER}\n${STATS_ROW}\n`, 'statistics');
    expect(feed.encoding).toBe('utf-8');
    expect(items).toEqual([
      {
        row: 1,
        rawText: STATS_ROW,
        fields: { uscc: '91321002MA1X0000A1', name: '扬州市甲有限公司', division_code: '321002001001', established: '2019/3/5' },
        extras: {},
      },
    ]);
  });

  it('reads UTF-8 with BOM and drops the BOM from the first header', async () => {
    const { feed, items } = await open('bom.csv', `\ufeff${STATS_HEADER}\r\n${STATS_ROW}\r\n`, 'statistics');
    expect(feed.encoding).toBe('utf-8-bom');
    expect(feed.rawHeaders[0]).toBe('统一社会信用代码');
    expect(rowsOf(items)[0]!.fields.uscc).toBe('91321002MA1X0000A1');
  });

  it('reads GB18030, including characters outside GBK', async () => {
    const text = `${STATS_HEADER}\r\n91321002MA1X0000A1,扬州市𬌗口齿科诊所,321002001001,2019年3月5日\r\n`;
    const { feed, items } = await open('gb.csv', iconv.encode(text, 'gb18030'), 'statistics');
    expect(feed.encoding).toBe('gb18030');
    expect(rowsOf(items)[0]!.fields).toMatchObject({ name: '扬州市𬌗口齿科诊所', established: '2019年3月5日' });
  });

  it('keeps UTF-8 when a character straddles the end of the sniffed prefix', async () => {
    const header = `${STATS_HEADER}\n`;
    const filler = 'x'.repeat(SNIFF_BYTES - Buffer.byteLength(header) - Buffer.byteLength('91321002MA1X0000A1,') - 1);
    const text = `${header}91321002MA1X0000A1,${filler}扬州,321002,\n`;
    expect(Buffer.from(text).subarray(0, SNIFF_BYTES).toString('utf8').endsWith('\ufffd')).toBe(true);
    const { feed, items } = await open('straddle.csv', text, 'statistics');
    expect(feed.encoding).toBe('utf-8');
    expect(rowsOf(items)[0]!.fields.name).toBe(`${filler}扬州`);
  });

  it('reads UTF-16 text with a BOM (Excel "Unicode text" saved with commas)', async () => {
    const buffer = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${STATS_HEADER}\r\n${STATS_ROW}\r\n`, 'utf16le')]);
    const { feed, items } = await open('utf16.csv', buffer, 'statistics');
    expect(feed.encoding).toBe('utf-16le');
    expect(rowsOf(items)[0]!.fields.name).toBe('扬州市甲有限公司');
  });
});

describe('headers', () => {
  it('finds columns by name: shuffled, aliased, padded, full-width brackets, trailing * or ＊', async () => {
    const header = ' 经营场所 ,注册资本（万元）＊,名称*,负责人,　类型,统一社会信用代码 ,成立日期';
    const row = '扬州市广陵区某路1号,50,扬州乙商行,王五,个体工商户,92321002MA1Y0000B2,2020.01.02';
    const { feed, items } = await open('market-aliases.csv', `${header}\n${row}\n`, 'market');
    expect(feed.kind).toBe('market');
    expect(feed.headers).toEqual(['经营场所', '注册资本(万元)', '名称', '负责人', '类型', '统一社会信用代码', '成立日期']);
    expect(feed.unknownHeaders).toEqual([]);
    expect(rowsOf(items)[0]!.fields).toEqual({
      address: '扬州市广陵区某路1号',
      capital: '50',
      name: '扬州乙商行',
      legal_rep: '王五',
      company_type: '个体工商户',
      uscc: '92321002MA1Y0000B2',
      established: '2020.01.02',
    });
  });

  it('keeps unknown columns, blank-headed columns and cells past the header as extras', async () => {
    const header = '统一社会信用代码,备注,单位名称,,备注,联系人';
    const rows = [
      '91321002MA1X0000A1,新开业,扬州市甲有限公司,无名列,第二个备注,张三,多出来的',
      '91321002MA1X0000A2,,扬州市乙有限公司,,,,',
    ].join('\n');
    const { feed, items } = await open('extras.csv', `${header}\n${rows}\n`, 'statistics');
    expect(feed.unknownHeaders).toEqual(['备注', '第4列', '备注#2', '联系人']);
    const [first, second] = rowsOf(items);
    expect(first!.fields).toEqual({ uscc: '91321002MA1X0000A1', name: '扬州市甲有限公司' });
    expect(first!.extras).toEqual({ 备注: '新开业', 第4列: '无名列', '备注#2': '第二个备注', 联系人: '张三', 第7列: '多出来的' });
    expect(second!.extras).toEqual({});
  });

  it('fills a field from the preferred alias and keeps a differing second one in extras', async () => {
    const header = '单位名称,统一社会信用代码,单位详细名称';
    const rows = ['扬州甲,91321002MA1X0000A1,扬州市甲有限公司', '扬州乙,91321002MA1X0000A2,', '扬州丙,91321002MA1X0000A3,扬州丙'].join('\n');
    const { items } = await open('dup-alias.csv', `${header}\n${rows}\n`, 'statistics');
    const [a, b, c] = rowsOf(items);
    expect(a!.fields.name).toBe('扬州市甲有限公司');
    expect(a!.extras).toEqual({ 单位名称: '扬州甲' });
    expect(b!.fields.name).toBe('扬州乙');
    expect(c!.fields.name).toBe('扬州丙');
    expect(c!.extras).toEqual({});
  });

  it('maps a short record by position for the cells it has', async () => {
    const { items } = await open('ragged.csv', `${STATS_HEADER}\n91321002MA1X0000A1,扬州市甲有限公司\n`, 'statistics');
    expect(items).toEqual([
      { row: 1, rawText: '91321002MA1X0000A1,扬州市甲有限公司', fields: { uscc: '91321002MA1X0000A1', name: '扬州市甲有限公司' }, extras: {} },
    ]);
  });
});

describe('records', () => {
  it('keeps commas, doubled quotes and line breaks inside quoted fields, with the exact raw text', async () => {
    const header = '受理日期,诉求内容,单位名称,统一社会信用代码,类型';
    const r1 = '2026/6/22,"拖欠工资,要求支付","扬州""诚信""汽修店",92321002MA1X0000A1,投诉';
    const r2 = '2026/6/23,"1.拖欠工资\r\n2.未缴社保\n3.加班",扬州丙公司,,举报';
    const r3 = '2026/6/24,  "前有空格,仍是引号字段"  ,扬州丁公司,,投诉';
    const { items } = await open('quoted.txt', `${header}\r\n${r1}\r\n${r2}\n${r3}`, 'labour');
    expect(items.map((item) => item.row)).toEqual([1, 2, 3]);
    const [a, b, c] = rowsOf(items);
    expect(a!.rawText).toBe(r1);
    expect(a!.fields).toMatchObject({ content: '拖欠工资,要求支付', name: '扬州"诚信"汽修店' });
    expect(b!.rawText).toBe(r2);
    expect(b!.fields.content).toBe('1.拖欠工资\r\n2.未缴社保\n3.加班');
    expect(b!.fields.name).toBe('扬州丙公司');
    expect(c!.fields.content).toBe('前有空格,仍是引号字段');
  });

  it('takes the first non-empty line as the header; empty lines and comma-only rows are not records', async () => {
    const text = ['', '  ', '受理日期,单位名称,类型', '2026/1/1,扬州甲,投诉', '', ',,', '2026/1/2,扬州乙,举报', ''].join('\r\n');
    const { feed, items } = await open('blanks.txt', text, 'labour');
    expect(feed.kind).toBe('labour.complaints');
    expect(items.map((item) => [item.row, (item as SourceRow).fields.name])).toEqual([
      [1, '扬州甲'],
      [2, '扬州乙'],
    ]);
  });

  it('handles CRLF, LF and lone CR line ends in one file, and no final line break', async () => {
    const text = '受理日期,单位名称\r\n2026/1/1,甲\n2026/1/2,乙\r2026/1/3,丙\r\n2026/1/4,丁';
    const { items } = await open('mixed.csv', text, 'labour');
    expect(rowsOf(items).map((row) => [row.row, row.fields.name, row.rawText])).toEqual([
      [1, '甲', '2026/1/1,甲'],
      [2, '乙', '2026/1/2,乙'],
      [3, '丙', '2026/1/3,丙'],
      [4, '丁', '2026/1/4,丁'],
    ]);
  });

  it('reports an unterminated quote at end of file as a RowProblem and keeps the rows before it', async () => {
    const text = '受理日期,诉求内容,单位名称\n2026/1/1,正常,扬州甲\n2026/1/2,"没有右引号,扬州乙\n2026/1/3,被吞掉的行,扬州丙\n';
    const { items } = await open('unterminated.csv', text, 'labour');
    expect(rowsOf(items).map((row) => row.row)).toEqual([1]);
    const [problem] = problemsOf(items);
    expect(problem).toMatchObject({ row: 2, rawText: '2026/1/2,"没有右引号,扬州乙\n2026/1/3,被吞掉的行,扬州丙\n' });
    expect(problem!.reason).toMatch(/右引号/);
  });

  it('reports a field with text after its closing quote and goes on reading the next records', async () => {
    const text = '受理日期,诉求内容,单位名称\n2026/1/1,"诚信"汽修店,扬州甲\n2026/1/2,正常,扬州乙\n';
    const { items } = await open('bad-quote.csv', text, 'labour');
    expect(items[0]).toEqual({ row: 1, rawText: '2026/1/1,"诚信"汽修店,扬州甲', reason: expect.stringMatching(/双引号/) });
    expect(items[1]).toMatchObject({ row: 2, fields: { name: '扬州乙' } });
  });

  it('gives up on a quote still open after MAX_RECORD_CHARS, reporting its line and reading on', async () => {
    const lines = ['受理日期,诉求内容,单位名称', '2026/1/1,"引号没关,扬州甲'];
    const filler = `2026/1/2,${'很长的内容'.repeat(40)},扬州乙`;
    const count = Math.ceil(MAX_RECORD_CHARS / filler.length) + 10;
    for (let i = 0; i < count; i++) lines.push(filler);
    lines.push('2026/1/3,最后,扬州丙');
    const { items } = await open('runaway.csv', `${lines.join('\n')}\n`, 'labour');
    expect(items[0]).toMatchObject({ row: 1, rawText: '2026/1/1,"引号没关,扬州甲' });
    expect((items[0] as RowProblem).reason).toMatch(/右引号/);
    expect(items.length).toBe(count + 2);
    expect(problemsOf(items).length).toBe(1);
    expect(items.at(-1)).toMatchObject({ row: count + 2, fields: { name: '扬州丙' } });
  });

  it('frames records correctly whatever the chunking of the text', async () => {
    const text = '\ufeffa,b\r\n1,"x\r\ny"\r\n2,"q""\r\n"\r\n3,z';
    async function* chunks(size: number) {
      for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
    }
    const expected = await collect(readCsvRecords(chunks(text.length)));
    expect(expected).toEqual([
      { row: 1, rawText: 'a,b', cells: ['a', 'b'] },
      { row: 2, rawText: '1,"x\r\ny"', cells: ['1', 'x\r\ny'] },
      { row: 3, rawText: '2,"q""\r\n"', cells: ['2', 'q"\r\n'] },
      { row: 4, rawText: '3,z', cells: ['3', 'z'] },
    ]);
    for (const size of [1, 2, 3, 5]) expect(await collect(readCsvRecords(chunks(size)))).toEqual(expected);
  });
});
