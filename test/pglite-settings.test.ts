import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, PGLITE_SETTINGS, type Database } from '../db/connect.ts';
import { copyLine } from '../pipelines/ingest/copy-text.ts';
import { copyBlobs, openPgliteConnection } from '../pipelines/ingest/pglite-connection.ts';

async function setting(database: Database, name: string): Promise<string> {
  const { rows } = await sql<Record<string, string>>`select current_setting(${name}) as value`.execute(database.db);
  return rows[0]!.value!;
}

describe('embedded database settings', () => {
  it('uses a small buffer pool, in memory and on disk, and again when reopened', async () => {
    expect(PGLITE_SETTINGS.shared_buffers).toBe('16MB');
    const memory = await openDatabase({ url: '', dataDir: 'memory://' });
    try {
      expect(await setting(memory, 'shared_buffers')).toBe('16MB');
    } finally {
      await memory.close();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-pglite-settings-'));
    try {
      for (let open = 0; open < 2; open++) {
        const disk = await openDatabase({ url: '', dataDir: dir });
        try {
          expect(await setting(disk, 'shared_buffers')).toBe('16MB');
          // PGlite's own start-up settings are kept next to ours.
          expect(await setting(disk, 'search_path')).toBe('public');
          expect(await setting(disk, 'max_parallel_workers')).toBe('0');
        } finally {
          await disk.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('COPY blobs on PGlite', () => {
  it('cuts lines into pieces of at most the given bytes, never inside a line', () => {
    const lines = ['a\t甲\n', 'bb\t乙乙\n', `${'丙'.repeat(20)}\n`, 'd\n'];
    const pieces = [...copyBlobs(lines, 16)];
    expect(Buffer.concat(pieces).toString('utf8')).toBe(lines.join(''));
    expect(pieces.map((p) => p.toString('utf8'))).toEqual(['a\t甲\nbb\t乙乙\n', `${'丙'.repeat(20)}\n`, 'd\n']);
    // A line wider than the limit goes alone; the others stay within it.
    for (const p of pieces) expect(p.length <= 16 || p.toString('utf8').split('\n').length === 2).toBe(true);
    expect([...copyBlobs([], 16)]).toEqual([]);
    expect([...copyBlobs(lines, 1 << 20)]).toHaveLength(1);
  });

  it('loads every row when a batch is sent as several blobs, inside the one transaction', async () => {
    const database = await openDatabase({ url: '', dataDir: 'memory://' });
    try {
      await sql`create table copy_probe (n int not null, t text)`.execute(database.db);
      const values = Array.from({ length: 300 }, (_, n) => [n, n % 7 === 0 ? null : `扬州市${n}号\t"引号"\\反斜杠\r\n第二行`] as const);
      const lines = values.map((v) => copyLine(v));
      const loaded = await openPgliteConnection(database.db, database.pglite!, 1024);
      await loaded.copy('copy_probe', ['n', 't'], lines);
      await loaded.commit();
      const { rows } = await sql<{ n: number; t: string | null }>`select n, t from copy_probe order by n`.execute(database.db);
      expect(rows).toEqual(values.map(([n, t]) => ({ n, t })));

      const abandoned = await openPgliteConnection(database.db, database.pglite!, 1024);
      await abandoned.copy('copy_probe', ['n', 't'], lines);
      await abandoned.rollback();
      const { rows: count } = await sql<{ c: string }>`select count(*) as c from copy_probe`.execute(database.db);
      expect(Number(count[0]!.c)).toBe(300);
    } finally {
      await database.close();
    }
  });
});
