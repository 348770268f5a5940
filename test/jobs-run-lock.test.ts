import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Engine } from '../db/connect.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { acquireRunLock, currentHolder } from '../jobs/run-lock.ts';
import { RunLockBusyError } from '../jobs/lock-holder.ts';
import { formatShanghai } from '../jobs/shanghai-time.ts';
import { createThrowawayDatabase, engines } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';
import { spawnGridlink } from './support/gridlink-process.ts';

/** An inbox with its agency folders and no files: a run goes through every stage in a moment. */
function emptyInbox(): string {
  const dir = tempDir('gl-lock-inbox-');
  for (const a of ['market', 'tax']) fs.mkdirSync(path.join(dir, a));
  return dir;
}

/**
 * Two handles on one database, as two processes would have: on PostgreSQL two pools (their own
 * connections); on PGlite the single handle of the one process that may open the folder.
 */
async function twoHandles(engine: Engine, dataDir?: string): Promise<{ first: Database; second: Database; env: Record<string, string | undefined>; dispose: () => Promise<void> }> {
  if (engine === 'pglite') {
    const dir = dataDir ?? 'memory://';
    const db = await openDatabase({ url: '', dataDir: dir });
    return { first: db, second: db, env: { GRIDLINK_DATA: dir, DATABASE_URL: undefined }, dispose: () => db.close() };
  }
  const { url, drop } = await createThrowawayDatabase();
  const first = await openDatabase({ url, poolSize: 2 });
  const second = await openDatabase({ url, poolSize: 2 });
  return {
    first,
    second,
    env: { DATABASE_URL: url },
    dispose: async () => {
      await first.close();
      await second.close();
      await drop();
    },
  };
}

/** Holds the lock as a run in progress does: the lock taken, then the run's row named in it. */
async function holdAsRun(database: Database) {
  const lock = await acquireRunLock(database);
  const startedAt = new Date();
  const { id } = await database.db.insertInto('runs.run').values({ as_of: '2026-11-27', inbox: 'elsewhere', started_at: startedAt, finished_at: null, error: null, summary: null }).returning('id').executeTakeFirstOrThrow();
  await lock.attachRun(id, startedAt);
  return { lock, runId: id, startedAt };
}

describe.each(engines())('one run at a time, on %s', (engine) => {
  let handles: Awaited<ReturnType<typeof twoHandles>>;
  beforeAll(async () => {
    handles = await twoHandles(engine);
  });
  afterAll(async () => handles?.dispose());

  it('refuses a second run while one holds the lock, naming the run and its start; runs once it is free', async () => {
    const { first, second } = handles;
    const held = await holdAsRun(first);
    const holder = await currentHolder(second);
    expect(holder).toMatchObject({ runId: held.runId, pid: process.pid });

    const refused = await runSync(second, { inbox: emptyInbox(), asOf: '2026-11-27', log: silentLogger }).then(
      () => null,
      (err: Error) => err,
    );
    expect(refused).toBeInstanceOf(RunLockBusyError);
    expect(refused!.message).toContain(`Run #${held.runId} is in progress (started ${formatShanghai(held.startedAt)} Asia/Shanghai`);
    expect(refused!.message).toContain('--wait');
    // Refused before doing anything: no run row of its own.
    const rows = await second.db.selectFrom('runs.run').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual([held.runId]);

    await held.lock.release();
    expect(await currentHolder(second)).toBeNull();
    const result = await runSync(second, { inbox: emptyInbox(), asOf: '2026-11-27', log: silentLogger });
    expect(result.status).toBe('succeeded');
    // The held run never finished (as if its process died): the next run marks it.
    const old = await second.db.selectFrom('runs.run').select(['status', 'error']).where('id', '=', held.runId).executeTakeFirstOrThrow();
    expect(old.status).toBe('interrupted');
    expect(old.error).toMatch(/process ended during this run/);
  });

  it('with wait, queues behind the run in progress and starts when it ends', async () => {
    const { first, second } = handles;
    const held = await holdAsRun(first);
    let finished = false;
    const waiting = runSync(second, { inbox: emptyInbox(), asOf: '2026-11-27', log: silentLogger, wait: { pollMs: 50 } }).then((r) => {
      finished = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(finished).toBe(false);
    await first.db.updateTable('runs.run').set({ status: 'succeeded', finished_at: new Date() }).where('id', '=', held.runId).execute();
    const releasedAt = Date.now();
    await held.lock.release();
    const result = await waiting;
    expect(result.status).toBe('succeeded');
    const run = await second.db.selectFrom('runs.run').select('started_at').where('id', '=', result.runId).executeTakeFirstOrThrow();
    expect(new Date(run.started_at).getTime()).toBeGreaterThanOrEqual(releasedAt - 5);
  });

  it.runIf(engine === 'postgres')('loses the lock with its connection (a killed holder frees it), and says so to the run', async () => {
    const { first, second } = handles;
    const lock = await acquireRunLock(first);
    // The dedicated connection is the one holding the advisory lock: end it from outside, as a crash would.
    const { rows } = await sql<{ n: number }>`
      select count(pg_terminate_backend(l.pid))::int as n from pg_locks l
      where l.locktype = 'advisory' and l.objid = 72403011 and l.granted
        and l.database = (select oid from pg_database where datname = current_database())`.execute(second.db);
    expect(rows[0]!.n).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(lock.lost.aborted).toBe(true);
    expect(await currentHolder(second)).toBeNull();
    const next = await acquireRunLock(second);
    await next.release();
    await lock.release();
  });
});

describe.each(engines())('gridlink sync beside a run in progress, on %s', (engine) => {
  let handles: Awaited<ReturnType<typeof twoHandles>>;
  beforeAll(async () => {
    // The embedded database must be a folder here: the child process has to find it held.
    handles = await twoHandles(engine, engine === 'pglite' ? tempDir('gl-lock-data-') : undefined);
  });
  afterAll(async () => handles?.dispose());

  it('exits non-zero naming the run that holds the lock, or waits for it with --wait', async () => {
    const held = await holdAsRun(handles.first);
    const inbox = emptyInbox();
    const refused = await spawnGridlink(['sync', '--inbox', inbox, '--as-of', '2026-11-27'], handles.env).exited;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`gridlink: Run #${held.runId} is in progress (started ${formatShanghai(held.startedAt)} Asia/Shanghai, process ${process.pid}`);

    const waiting = spawnGridlink(['sync', '--inbox', inbox, '--as-of', '2026-11-27', '--wait'], handles.env);
    await waiting.waitForLog((l) => l.msg === `waiting for run #${held.runId} to finish` || l.msg === `waiting for run #${held.runId} (process ${process.pid}) to finish`);
    await handles.first.db.updateTable('runs.run').set({ status: 'succeeded', finished_at: new Date() }).where('id', '=', held.runId).execute();
    await held.lock.release();
    // With the embedded database the folder itself is what the child waits for.
    if (engine === 'pglite') await handles.dispose();
    const done = await waiting.exited;
    expect(done.code, done.stderr.slice(-2000)).toBe(0);
    expect(done.stdout).toMatch(/同步完成 · 批次 #\d+/);
    if (engine === 'pglite') handles = await twoHandles(engine, handles.env.GRIDLINK_DATA);
    const runs = await handles.first.db.selectFrom('runs.run').select(['id', 'status']).orderBy('id').execute();
    expect(runs).toEqual([
      { id: held.runId, status: 'succeeded' },
      { id: held.runId + 1, status: 'succeeded' },
    ]);
  }, 300_000);
});
