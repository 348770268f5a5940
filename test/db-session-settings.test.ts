import { CompiledQuery, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, POSTGRES_SESSION_SETTINGS, type Database } from '../db/connect.ts';
import { openStagingConnection } from '../pipelines/ingest/staging-connection.ts';

const url = process.env.DATABASE_URL;

async function workMem(database: Database): Promise<string> {
  const { rows } = await sql<{ value: string }>`select current_setting('work_mem') as value`.execute(database.db);
  return rows[0]!.value;
}

describe.runIf(url)('PostgreSQL session settings', () => {
  const savedOptions = process.env.PGOPTIONS;
  afterEach(() => {
    if (savedOptions === undefined) delete process.env.PGOPTIONS;
    else process.env.PGOPTIONS = savedOptions;
  });

  it('every connection of the pool, the COPY connections included, sorts and hashes in 64 MB', async () => {
    delete process.env.PGOPTIONS;
    expect(POSTGRES_SESSION_SETTINGS.work_mem).toBe('64MB');
    const database = await openDatabase({ url, poolSize: 3, migrate: false });
    try {
      // Three at once, so the pool opens three connections rather than reusing one.
      const held = await Promise.all([0, 1, 2].map(() => database.pool!.connect()));
      const pids = new Set<number>();
      for (const client of held) {
        const { rows } = await client.query<{ value: string; pid: number }>(`select current_setting('work_mem') as value, pg_backend_pid() as pid`);
        expect(rows[0]!.value).toBe('64MB');
        pids.add(rows[0]!.pid);
      }
      for (const client of held) client.release();
      expect(pids.size).toBe(3);
      const conn = await openStagingConnection(database);
      const [row] = (await conn.run(CompiledQuery.raw(`select current_setting('work_mem') as value`))) as { value: string }[];
      await conn.rollback();
      expect(row!.value).toBe('64MB');
    } finally {
      await database.close();
    }
  });

  it("an administrator's PGOPTIONS comes after gridlink's settings and wins", async () => {
    process.env.PGOPTIONS = '-c work_mem=8MB';
    const database = await openDatabase({ url, poolSize: 1, migrate: false });
    try {
      expect(await workMem(database)).toBe('8MB');
    } finally {
      await database.close();
    }
  });
});

describe('embedded database', () => {
  it("keeps PostgreSQL's own work_mem: its memory is this process's and never shrinks", async () => {
    const database = await openDatabase({ url: '', dataDir: 'memory://' });
    try {
      expect(await workMem(database)).toBe('4MB');
    } finally {
      await database.close();
    }
  });
});
