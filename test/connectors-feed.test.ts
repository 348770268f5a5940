import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedUnreadableError, openFeed } from '../connectors/feed.ts';
import type { Agency } from '../schemas/feeds.ts';
import { SAMPLES } from './support/paths.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gridlink-feed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/** The quarantine reason openFeed gives, failing the test if it opens the file instead. */
async function reasonFor(file: string, agency: Agency): Promise<string> {
  const error = await openFeed(file, agency).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FeedUnreadableError);
  const reason = (error as FeedUnreadableError).reason;
  expect(reason).toMatch(/[\u4e00-\u9fff]/);
  expect((error as FeedUnreadableError).message).toBe(reason);
  return reason;
}

describe('files that cannot be read go to quarantine with a reason', () => {
  it('an unsupported format', async () => {
    expect(await reasonFor(await fixture('名录.pdf', '%PDF-1.4'), 'statistics')).toMatch(/不支持的文件格式“\.pdf”/);
    expect(await reasonFor(await fixture('名录.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0])), 'statistics')).toMatch(/\.xlsx/);
    expect(await reasonFor(await fixture('名录', 'a,b'), 'statistics')).toMatch(/无扩展名/);
  });

  it('an empty file or one with only blank lines', async () => {
    expect(await reasonFor(await fixture('empty.csv', ''), 'tax')).toMatch(/空/);
    expect(await reasonFor(await fixture('blank.csv', '\r\n  \r\n,,,\r\n'), 'tax')).toMatch(/找不到表头/);
  });

  it('text with no recognisable header', async () => {
    const reason = await reasonFor(await fixture('garbage.csv', 'hello world\nfoo,bar\n1,2\n'), 'tax');
    expect(reason).toContain('“hello world”');
    expect(reason).toContain('纳税人识别号');
  });

  it('a header line with an unclosed quote', async () => {
    expect(await reasonFor(await fixture('bad-header.csv', '"纳税人识别号,纳税人名称\n1,2\n'), 'tax')).toMatch(/表头/);
  });

  it('binary content or a workbook under a .csv name', async () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(await reasonFor(await fixture('random.csv', binary), 'tax')).toMatch(/二进制/);
    const workbook = await readFile(path.join(SAMPLES, 'personnel/personnel-2026.xlsx'));
    expect(await reasonFor(await fixture('personnel.csv', workbook), 'personnel')).toMatch(/扩展名改为 \.xlsx/);
  });

  it('a tab-separated export, with a hint to save as comma-separated', async () => {
    const text = '纳税人识别号\t纳税人名称\n91321000MA26B3EL5R\t扬州甲\n';
    expect(await reasonFor(await fixture('tabs.txt', iconv.encode(text, 'gb18030')), 'tax')).toMatch(/制表符/);
  });

  it('another agency\'s file dropped into the wrong folder', async () => {
    const market = path.join(SAMPLES, 'market/market-20261127.csv');
    const inLabour = await reasonFor(market, 'labour');
    expect(inLabour).toContain('市场监管部门企业登记');
    expect(inLabour).toContain('inbox/market/');
    // Shares 统一社会信用代码 and an address column with statistics, but is a market register.
    expect(await reasonFor(market, 'statistics')).toContain('inbox/market/');
    expect(await reasonFor(path.join(SAMPLES, 'labour/credit-grades-20261127.csv'), 'personnel')).toContain('诚信等级评定');
    expect(await reasonFor(path.join(SAMPLES, 'civil-affairs/divisions-2026.csv'), 'statistics')).toContain('inbox/civil-affairs/');
    const grids = path.join(SAMPLES, 'labour/grids-20261127.csv');
    expect(await reasonFor(grids, 'civil-affairs')).toContain('inbox/labour/');
  });
});

describe('OpenedFeed', () => {
  it('can be closed without reading its rows, and its rows are read once', async () => {
    const file = path.join(SAMPLES, 'labour/credit-grades-20261127.csv');
    const unread = await openFeed(file, 'labour');
    await unread.close();

    const feed = await openFeed(file, 'labour');
    let seen = 0;
    for await (const item of feed.rows) {
      expect('reason' in item).toBe(false);
      if (++seen === 3) break;
    }
    expect(() => feed.rows[Symbol.asyncIterator]()).toThrow(/once/);
  });
});
