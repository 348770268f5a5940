import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { MIGRATIONS } from '../db/migrations/index.ts';
import { createThrowawayDatabase, engines, freshDatabase } from './support/databases.ts';

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

describe.each(engines())('migration 011 on %s', (engine) => {
  it('moves every golden record out of registry.unit into registry.unit_golden, and back down', async () => {
    const throwaway = engine === 'postgres' ? await createThrowawayDatabase() : null;
    const database = await openDatabase({ url: throwaway?.url ?? '', dataDir: 'memory://', migrate: false });
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => MIGRATIONS } });
      expect((await migrator.migrateTo('010-list-link-state')).error).toBeUndefined();
      await sql`insert into runs.run (id, as_of) values (1, '2026-11-27')`.execute(database.db);
      await sql`insert into registry.unit (id, created_run, updated_run, golden) values
        ('U0000001', 1, 1, '{"name": {"value": "扬州鑫源电子有限公司", "row": 3}}'), ('U0000002', 1, 1, '{}')`.execute(database.db);
      expect((await migrator.migrateTo('011-unit-golden')).results?.map((r) => r.migrationName)).toEqual(['011-unit-golden']);
      const golden = await sql<{ unit_id: string; golden: unknown }>`select unit_id, golden from registry.unit_golden order by unit_id`.execute(database.db);
      // A unit never consolidated has no golden record to move.
      expect(golden.rows).toEqual([{ unit_id: 'U0000001', golden: { name: { value: '扬州鑫源电子有限公司', row: 3 } } }]);
      const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = 'registry' and table_name = 'unit'`.execute(database.db);
      expect(columns.rows.map((c) => c.column_name)).not.toContain('golden');

      expect((await migrator.migrateDown()).error).toBeUndefined();
      const back = await sql<{ id: string; golden: unknown }>`select id, golden from registry.unit order by id`.execute(database.db);
      expect(back.rows).toEqual([
        { id: 'U0000001', golden: { name: { value: '扬州鑫源电子有限公司', row: 3 } } },
        { id: 'U0000002', golden: {} },
      ]);
    } finally {
      await database.close();
      await throwaway?.drop();
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
