import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
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
  keepJsHeapTight();
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
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: postgresSessionOptions() });
  const location = redact(url);
  // An idle pooled connection that the server ends (a restart, an administrator, a dropped database) is
  // an 'error' event on the pool; unheard, Node would end the whole process for it. The pool has already
  // discarded that connection and the next query opens a new one, so there is nothing else to do.
  pool.on('error', () => {});
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
    const pglite = await PGlite.create(inMemory ? dataDir : path.join(dataDir, 'pgdata'), { startParams: pgliteStartParams() });
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

/**
 * PGlite runs PostgreSQL inside this process, and its WebAssembly memory only ever grows: every
 * buffer PostgreSQL touches stays resident until the process ends. PostgreSQL's defaults are sized
 * for a server of its own (128 MB of shared_buffers, zeroed at start-up, so all of it resident before
 * the first query); here the operating system's page cache already holds the data files, so a small
 * buffer pool costs little speed and keeps a million-row ingest within a few hundred MB
 * (bench/ingest.ts measures both).
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

function pgliteStartParams(): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/**
 * Session settings for gridlink's own connections to a PostgreSQL server. A sync is a batch job of a
 * few connections whose queries sort and hash hundreds of thousands of rows at once (the previous
 * snapshot's row hashes, the list rows with their staged records, anti-joins checking foreign keys by
 * set); with the server's default of 4 MB per sort or hash they spill to temporary files. 64 MB keeps
 * them in memory: on the 250,000-unit re-run (paired runs on copies of one database), ingest went from
 * 14.6–15.7 s to 11.6 s and supervise from 8.1–10.4 s to 6.9 s. Not applied to PGlite, whose memory is this process's and never
 * shrinks. PGOPTIONS, if set, comes after these and so wins; `options` in DATABASE_URL replaces them.
 */
export const POSTGRES_SESSION_SETTINGS: Readonly<Record<string, string>> = {
  work_mem: '64MB',
};

function postgresSessionOptions(): string {
  const ours = Object.entries(POSTGRES_SESSION_SETTINGS).map(([name, value]) => `-c ${name}=${value}`);
  return [...ours, process.env.PGOPTIONS ?? ''].join(' ').trim();
}

/**
 * V8 lets its old generation grow up to about four times what was live after the last full collection
 * before collecting again. A sync streams rows through the heap (ingest, normalise) and holds large
 * working sets (matching keeps every record), so most of its resident memory was garbage waiting:
 * 890 MB peak at 50,000 units on PostgreSQL, 2.8 GB at 250,000. Growing by half the live size instead
 * keeps the heap near what it holds (514 MB at 50,000); with PGlite, PostgreSQL's memory shares the
 * process too (a 1,000,000-row ingest: ~470 MB → 367 MB). It is a process-wide V8 setting and only
 * tightens collection, so it is set once, when the first database opens, unless the command line
 * already chose a value.
 */
export const HEAP_GROWING_PERCENT = 50;
let heapGrowthChosen = false;

function keepJsHeapTight(): void {
  if (heapGrowthChosen) return;
  heapGrowthChosen = true;
  if ([...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
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
