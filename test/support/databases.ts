import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type Engine } from '../../db/connect.ts';

/**
 * Every database test runs on the embedded engine, and on PostgreSQL too when DATABASE_URL is set (CI).
 * Use as: describe.each(engines())('…', (engine) => { … }).
 */
export function engines(): Engine[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends Database {
  /** Drops the throw-away database (PostgreSQL) or closes the in-memory one. */
  dispose(): Promise<void>;
}

/**
 * A fresh, empty, migrated database: in memory for PGlite, a new throw-away database on the
 * PostgreSQL server of DATABASE_URL (so suites running in parallel never see each other's rows).
 */
export async function freshDatabase(engine: Engine, options: { dataDir?: string } = {}): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await openDatabase({ url: '', dataDir: options.dataDir ?? 'memory://' });
    return { ...database, dispose: () => database.close() };
  }
  const { url, drop } = await createThrowawayDatabase();
  const database = await openDatabase({ url, poolSize: 2 });
  return {
    ...database,
    dispose: async () => {
      await database.close();
      await drop();
    },
  };
}

export async function createThrowawayDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `gridlink_t_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
