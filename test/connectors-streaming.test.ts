import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openFeed } from '../connectors/feed.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gridlink-stream-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROWS = 1_000_000;

// Retained memory is only measurable right after a full collection.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

it(`streams a ${ROWS.toLocaleString('en')}-row CSV without holding it in memory`, async () => {
  const file = path.join(dir, '基本单位名录-big.csv');
  const out = createWriteStream(file);
  out.write('统一社会信用代码,单位详细名称,区划代码,单位地址,备注\r\n');
  for (let i = 1; i <= ROWS; i++) {
    const line = `91321000MA${String(i).padStart(8, '0')},扬州市测试${i}有限公司,321002001001,"广陵区某路${i}号,2幢",${i % 1000 === 0 ? '"多行\n备注"' : ''}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const { size } = await stat(file);

  const baseline = retainedHeap();
  const feed = await openFeed(file, 'statistics');
  let count = 0;
  let peakHeap = 0;
  let last = 0;
  for await (const item of feed.rows) {
    count++;
    if ('reason' in item) throw new Error(item.reason);
    if (item.row !== count) throw new Error(`row ${item.row} at position ${count}`);
    last = item.row;
    if (count % 100_000 === 0) peakHeap = Math.max(peakHeap, retainedHeap() - baseline);
  }
  expect(count).toBe(ROWS);
  expect(last).toBe(ROWS);
  expect(size).toBeGreaterThan(80 * 1024 * 1024);
  // Held whole, the rows (or the file's text) would retain hundreds of MB; streamed, only a batch.
  expect(peakHeap).toBeLessThan(32 * 1024 * 1024);
});
