import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { DataDirLock } from './data-dir-lock.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './types.ts';

// Dates stay 'YYYY-MM-DD' strings: a Date would shift with the process time zone.
pg.types.setTypeParser(1082, (v: string) => v);

export type Engine = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Where the data lives, for messages: the PGlite folder or the PostgreSQL URL without password. */
  location: string;
  /** The PGlite instance when embedded (for its own COPY from a blob); null on PostgreSQL. */
  pglite: PGlite | null;
  /** A pg.Pool on PostgreSQL, for COPY streams; null when embedded. */
  pool: pg.Pool | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… selects PostgreSQL; otherwise the embedded database. Defaults to $DATABASE_URL. */
  url?: string | undefined;
  /** Embedded database folder; defaults to $GRIDLINK_DATA or ./.gridlink. 'memory://' keeps it in memory (tests). */
  dataDir?: string | undefined;
  poolSize?: number;
  migrate?: boolean;
}

export function defaultDataDir(): string {
  return process.env.GRIDLINK_DATA || path.resolve('.gridlink');
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const url = options.url ?? process.env.DATABASE_URL;
  const database = url ? await openPostgres(url, options.poolSize ?? 4) : await openPglite(options.dataDir ?? defaultDataDir());
  if (options.migrate !== false) {
    try {
      await migrateToLatest(database.db);
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return database;
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const location = redact(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end();
    throw new Error(
      `Cannot connect to PostgreSQL at ${location}: ${(err as Error).message}. ` +
        'Check that the server is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded database.',
    );
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', location, pglite: null, pool, close: () => db.destroy() };
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  let lock: DataDirLock | null = null;
  if (!inMemory) {
    fs.mkdirSync(dataDir, { recursive: true });
    lock = DataDirLock.acquire(dataDir);
  }
  try {
    const pglite = await PGlite.create(inMemory ? dataDir : path.join(dataDir, 'pgdata'));
    // PGlite is one connection: a pool of one makes misuse of `db` inside a transaction visible in tests too.
    const pool = new pg.Pool(createPgConfig(pglite) as pg.PoolConfig);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      engine: 'pglite',
      location: inMemory ? dataDir : dataDir,
      pglite,
      pool: null,
      close: async () => {
        await db.destroy();
        await pglite.close();
        lock?.release();
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (unparseable)';
  }
}
