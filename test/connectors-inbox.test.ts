import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveFile, listInbox, quarantineFile, snapshotDateFromName } from '../connectors/inbox.ts';

function inbox(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-inbox-'));
  fs.mkdirSync(path.join(dir, 'market'));
  fs.mkdirSync(path.join(dir, 'tax'));
  return dir;
}

const old = (file: string) => fs.utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

describe('inbox transport', () => {
  it('lists agency files, skips temporary names and unknown folders, waits for growing files', async () => {
    const dir = inbox();
    fs.writeFileSync(path.join(dir, 'market', 'market-20261127.csv'), 'a');
    old(path.join(dir, 'market', 'market-20261127.csv'));
    fs.writeFileSync(path.join(dir, 'tax', 'tax.csv.part'), 'a');
    fs.mkdirSync(path.join(dir, 'police'));
    fs.writeFileSync(path.join(dir, 'police', 'x.csv'), 'a');
    const growing = path.join(dir, 'tax', 'tax-20261120.csv');
    fs.writeFileSync(growing, 'a');
    const pending = listInbox(dir, { settleMs: 300 });
    setTimeout(() => fs.appendFileSync(growing, 'more'), 50);
    const listing = await pending;
    expect(listing.files.map((f) => f.fileName)).toEqual(['market-20261127.csv']);
    expect(listing.unknownFolders).toEqual(['police']);
    expect(listing.skipped.map((s) => path.basename(s.path)).sort()).toEqual(['tax-20261120.csv', 'tax.csv.part']);
  });

  it('archives processed files and quarantines unreadable ones with a reason file', async () => {
    const dir = inbox();
    const a = path.join(dir, 'market', 'm.csv');
    fs.writeFileSync(a, 'x');
    const archived = archiveFile(dir, { agency: 'market', path: a, fileName: 'm.csv', byteSize: 1 }, 7);
    expect(archived).toBe(path.join(dir, '_archive', 'market', 'run-7', 'm.csv'));
    expect(fs.existsSync(a)).toBe(false);
    fs.writeFileSync(a, 'y');
    const q = quarantineFile(dir, { agency: 'market', path: a, fileName: 'm.csv', byteSize: 1 }, '无法识别表头');
    expect(fs.readFileSync(`${q}.reason`, 'utf8')).toBe('无法识别表头\n');
    const listing = await listInbox(dir);
    expect(listing.files).toEqual([]);
  });

  it('reads the snapshot date from a file name', () => {
    expect(snapshotDateFromName('market-20261127.csv')).toBe('2026-11-27');
    expect(snapshotDateFromName('基本单位名录-20260930.csv')).toBe('2026-09-30');
    expect(snapshotDateFromName('名录_2026-09-30.xlsx')).toBe('2026-09-30');
    expect(snapshotDateFromName('personnel-2026.xlsx')).toBeNull();
    expect(snapshotDateFromName('x-20260231.csv')).toBeNull();
  });
});
