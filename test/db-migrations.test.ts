import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { engines, freshDatabase } from './support/databases.ts';

describe.each(engines())('database on %s', (engine) => {
  it('has one schema per layer, and migrating again changes nothing', async () => {
    const database = await freshDatabase(engine);
    try {
      const { rows } = await sql<{ schema_name: string }>`select schema_name from information_schema.schemata where schema_name in ('runs','staging','registry','grid','inspection') order by 1`.execute(database.db);
      expect(rows.map((r) => r.schema_name)).toEqual(['grid', 'inspection', 'registry', 'runs', 'staging']);
      expect(await migrateToLatest(database.db)).toEqual([]);
    } finally {
      await database.dispose();
    }
  });

  it('returns dates as YYYY-MM-DD strings and jsonb as objects', async () => {
    const database = await freshDatabase(engine);
    try {
      const run = await database.db
        .insertInto('runs.run')
        .values({ as_of: '2026-11-27', inbox: null, started_at: new Date(), finished_at: null, error: null, summary: JSON.stringify({ a: [1] }) })
        .returning(['as_of', 'summary'])
        .executeTakeFirstOrThrow();
      expect(run).toEqual({ as_of: '2026-11-27', summary: { a: [1] } });
    } finally {
      await database.dispose();
    }
  });
});

describe('embedded data directory', () => {
  it('keeps data across opens and refuses a second process on the same folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-data-'));
    const first = await openDatabase({ url: '', dataDir: dir });
    await first.db.insertInto('runs.run').values({ as_of: '2026-11-27', inbox: 'x', started_at: new Date(), finished_at: null, error: null, summary: null }).execute();
    // Another live process holding the folder: our own parent stands in for it.
    fs.writeFileSync(path.join(dir, 'gridlink.pid'), String(process.ppid));
    await expect(openDatabase({ url: '', dataDir: dir })).rejects.toThrow(/in use by process/);
    await first.close();
    const again = await openDatabase({ url: '', dataDir: dir });
    const runs = await again.db.selectFrom('runs.run').select('inbox').execute();
    expect(runs).toEqual([{ inbox: 'x' }]);
    await again.close();
  });
});
