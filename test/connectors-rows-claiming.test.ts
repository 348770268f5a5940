import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeed, type ClaimedRow, type RowProblem, type SourceRow } from '../connectors/feed.ts';
import { SAMPLES } from './support/paths.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gridlink-claim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Item = SourceRow | RowProblem | ClaimedRow<string>;
async function collect(rows: AsyncIterable<Item>): Promise<Item[]> {
  const out: Item[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe('rows claimed by their exact text are not read into fields', () => {
  it('CSV: claimed lines keep their numbers, the rest are read as usual, empty lines are never offered', async () => {
    const header = '统一社会信用代码,企业名称,住所';
    const lines = [
      '91321000MA0000001X,扬州甲商贸有限公司,文昌路1号',
      '',
      '91321000MA0000002X,"扬州乙商贸有限公司","文昌路2号,东"',
      ',,',
      '91321000MA0000003X,"扬州丙"商贸有限公司,文昌路3号',
      '91321000MA0000004X,扬州丁商贸有限公司,文昌路4号',
    ];
    // Several reader batches (one per chunk of text read), so claims are consulted batch after batch.
    const filler = Array.from({ length: 5000 }, (_, i) => `91321000MB${String(i).padStart(7, '0')}X,扬州填充${i}有限公司,文昌路${i}号`);
    const file = path.join(dir, 'market-20261201.csv');
    await writeFile(file, `${[header, ...filler, ...lines].join('\r\n')}\r\n`);

    const plain = await collect((await openFeed(file, 'market')).rows);
    const offered: string[] = [];
    const feed = await openFeed(file, 'market');
    const claimed = await collect(
      feed.rowsClaiming((text) => {
        offered.push(text);
        return text.includes('扬州乙') || text.includes('扬州丁') || text.endsWith('7号') ? `known:${text.slice(0, 18)}` : undefined;
      }),
    );
    expect(claimed.map((r) => r.row)).toEqual(plain.map((r) => r.row));
    expect(claimed.length).toBe(4 + 5000);
    const byRow = new Map(claimed.map((r) => [r.row, r]));
    // Blank records are not numbered: the four data lines are rows 5001 to 5004.
    expect(byRow.get(5002)).toEqual({ row: 5002, rawText: lines[2], claimed: 'known:91321000MA0000002X' });
    expect(byRow.get(5004)).toMatchObject({ row: 5004, claimed: 'known:91321000MA0000004X' });
    // Unclaimed rows are exactly what `rows` gives; one with a stray quote is still a problem with its reason.
    expect(byRow.get(5001)).toEqual(plain[5000]);
    expect(byRow.get(5003)).toMatchObject({ reason: expect.stringMatching(/双引号/) });
    expect(offered.some((t) => t.trim() === '')).toBe(false);
    // Every line after the header is offered, in file order, even those read with it; each one the claim took is claimed.
    expect(offered).toEqual([...filler, lines[0], lines[2], lines[3], lines[4], lines[5]]);
    const claimedFiller = claimed.filter((r) => 'claimed' in r && r.rawText.includes('填充')).map((r) => r.rawText);
    expect(claimedFiller).toEqual(filler.filter((l) => l.endsWith('7号')));
    for (const r of claimed) if (!('claimed' in r)) expect(r).toEqual(plain[r.row - 1]);
    // The header is never offered: it is read before the claim is set.
    expect(offered).not.toContain(header);
  });

  it('XLSX: a claimed row comes with the text `rows` gives it, the rest with their fields', async () => {
    const file = path.join(SAMPLES, 'org-code/org-code-20180630.xlsx');
    const plain = await collect((await openFeed(file, 'org-code')).rows);
    const take = new Set(plain.filter((_, i) => i % 3 === 0).map((r) => r.rawText));
    const claimed = await collect((await openFeed(file, 'org-code')).rowsClaiming((text) => (take.has(text) ? 'x' : undefined)));
    expect(claimed.map((r) => r.row)).toEqual(plain.map((r) => r.row));
    claimed.forEach((r, i) => {
      if (take.has(plain[i]!.rawText) && !('reason' in plain[i]!)) expect(r).toEqual({ row: plain[i]!.row, rawText: plain[i]!.rawText, claimed: 'x' });
      else expect(r).toEqual(plain[i]);
    });
    expect(claimed.filter((r) => 'claimed' in r).length).toBeGreaterThan(2);
  });
});
