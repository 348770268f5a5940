import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from '../db/connect.ts';
import type { Logger } from '../pipelines/logger.ts';
import { clearEmbeddedRun, writeEmbeddedRun } from './embedded-holder.ts';
import { RunLockBusyError, type LockHolder } from './lock-holder.ts';
import { sleep } from './retry.ts';

/** The advisory lock key every gridlink process uses for "one pipeline run at a time". */
export const RUN_LOCK_KEY = 72_403_011;
const LOCK_NAME = 'sync';

export interface RunLock {
  readonly holder: LockHolder;
  /** Aborts if the lock is lost while held (its connection dropped): the run must stop at the next stage. */
  readonly lost: AbortSignal;
  /** Names the run that holds the lock, so a second process can say which run it is waiting for. */
  attachRun(runId: number, startedAt: Date): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Wait for the holder to finish instead of failing at once. */
  wait?: boolean;
  /** Give up waiting after this long (default: wait as long as it takes). */
  timeoutMs?: number;
  pollMs?: number;
  /** Stops the waiting (SIGTERM while queued). */
  signal?: AbortSignal;
  log?: Logger;
}

/**
 * Takes the run lock: a PostgreSQL advisory lock held by a connection that lives as long as the run, so a
 * killed run's lock goes with its connection and never has to be cleaned up by hand. On PGlite the data
 * folder is open in one process only; inside that process (scheduler, web server, sync) the lock is
 * taken on its single connection and guarded in memory, since PGlite's advisory locks are per session.
 */
export async function acquireRunLock(database: Database, options: AcquireOptions = {}): Promise<RunLock> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 1000;
  let told = false;
  for (;;) {
    const lock = database.engine === 'postgres' ? await tryPostgres(database) : await tryPglite(database);
    if (lock) return lock;
    const holder = await currentHolder(database);
    const where = database.engine === 'postgres' ? `database ${database.location}` : `embedded database ${database.location}`;
    if (!options.wait) throw new RunLockBusyError(holder, where);
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) throw new RunLockBusyError(holder, where);
    if (options.signal?.aborted) throw new Error(`Stopped while waiting for the run lock (${holder?.runId ? `run #${holder.runId}` : 'another process'} held it); nothing was done.`);
    if (!told) {
      options.log?.info({ holder }, holder?.runId ? `waiting for run #${holder.runId} to finish` : 'waiting for the run lock');
      told = true;
    }
    await sleep(pollMs, options.signal);
  }
}

function me(): LockHolder {
  return { runId: null, runStartedAt: null, pid: process.pid, host: os.hostname(), acquiredAt: new Date() };
}

async function tryPostgres(database: Database): Promise<RunLock | null> {
  if (!database.pool) throw new Error('PostgreSQL database without a pool: cannot take the run lock');
  const holder = me();
  // A dedicated connection, not one of the pool's: the lock must outlive every query of the run.
  const client = new pg.Client({ ...database.pool.options, application_name: `gridlink run ${holder.pid}@${holder.host}`.slice(0, 63) });
  const lost = new AbortController();
  client.on('error', (err) => lost.abort(new Error(`lost the database connection that holds the run lock: ${err.message}`)));
  await client.connect();
  let released = false;
  try {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [RUN_LOCK_KEY]);
    if (!rows[0]?.ok) {
      await client.end();
      return null;
    }
    await client.query(
      `insert into runs.lock (name, run_id, run_started_at, pid, host, acquired_at) values ($1, null, null, $2, $3, $4)
       on conflict (name) do update set run_id = null, run_started_at = null, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at`,
      [LOCK_NAME, holder.pid, holder.host, holder.acquiredAt],
    );
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  client.on('end', () => {
    if (!released) lost.abort(new Error('the database connection that holds the run lock closed'));
  });
  return {
    holder,
    lost: lost.signal,
    async attachRun(runId, startedAt) {
      holder.runId = runId;
      holder.runStartedAt = startedAt;
      await client.query('update runs.lock set run_id = $2, run_started_at = $3 where name = $1 and pid = $4 and host = $5', [LOCK_NAME, runId, startedAt, holder.pid, holder.host]);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        // A lost connection took the lock with it; its row is overwritten by the next holder.
        if (!lost.signal.aborted) {
          await client.query('delete from runs.lock where name = $1 and pid = $2 and host = $3', [LOCK_NAME, holder.pid, holder.host]);
          await client.query('select pg_advisory_unlock($1)', [RUN_LOCK_KEY]);
        }
      } finally {
        // Closing the connection releases the advisory lock even if the queries above failed.
        await client.end().catch(() => undefined);
      }
    },
  };
}

// PGlite advisory locks are re-entrant within its one session: the in-process guard is what refuses a
// second run started by the same process (a poll while the nightly sync runs).
const embeddedHolders = new WeakMap<PGlite, LockHolder>();

async function tryPglite(database: Database): Promise<RunLock | null> {
  const pglite = database.pglite!;
  if (embeddedHolders.has(pglite)) return null;
  const holder = me();
  embeddedHolders.set(pglite, holder);
  const dataDir = database.location.startsWith('memory://') ? null : database.location;
  try {
    await sql`select pg_try_advisory_lock(${RUN_LOCK_KEY})`.execute(database.db);
    await database.db
      .insertInto('runs.lock')
      .values({ name: LOCK_NAME, run_id: null, run_started_at: null, pid: holder.pid, host: holder.host, acquired_at: holder.acquiredAt })
      .onConflict((oc) => oc.column('name').doUpdateSet({ run_id: null, run_started_at: null, pid: holder.pid, host: holder.host, acquired_at: holder.acquiredAt }))
      .execute();
    if (dataDir) writeEmbeddedRun(dataDir, holder);
  } catch (err) {
    embeddedHolders.delete(pglite);
    throw err;
  }
  let released = false;
  return {
    holder,
    lost: new AbortController().signal,
    async attachRun(runId, startedAt) {
      holder.runId = runId;
      holder.runStartedAt = startedAt;
      await database.db.updateTable('runs.lock').set({ run_id: runId, run_started_at: startedAt }).where('name', '=', LOCK_NAME).execute();
      if (dataDir) writeEmbeddedRun(dataDir, holder);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await database.db.deleteFrom('runs.lock').where('name', '=', LOCK_NAME).where('pid', '=', holder.pid).execute();
        await sql`select pg_advisory_unlock(${RUN_LOCK_KEY})`.execute(database.db);
      } finally {
        if (dataDir) clearEmbeddedRun(dataDir);
        embeddedHolders.delete(pglite);
      }
    },
  };
}

/**
 * The holder of the run lock right now, or null when nobody holds it. On PostgreSQL the lock row is
 * trusted only while the advisory lock is really held (a killed holder leaves its row behind).
 */
export async function currentHolder(database: Database): Promise<LockHolder | null> {
  if (database.engine === 'pglite') {
    const inProcess = database.pglite ? embeddedHolders.get(database.pglite) : undefined;
    return inProcess ? { ...inProcess } : null;
  }
  const { rows } = await sql<{ held: boolean }>`
    select exists (
      select 1 from pg_locks
      where locktype = 'advisory' and granted and classid = 0 and objid = ${RUN_LOCK_KEY} and objsubid = 1
        and database = (select oid from pg_database where datname = current_database())) as held`.execute(database.db);
  if (!rows[0]?.held) return null;
  const row = await database.db.selectFrom('runs.lock').selectAll().where('name', '=', LOCK_NAME).executeTakeFirst();
  if (!row) return { runId: null, runStartedAt: null, pid: 0, host: 'unknown host', acquiredAt: new Date() };
  return { runId: row.run_id, runStartedAt: row.run_started_at ? new Date(row.run_started_at) : null, pid: row.pid, host: row.host, acquiredAt: new Date(row.acquired_at) };
}
