import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/connect.ts';
import type { DB } from '../db/types.ts';
import type { Logger } from './logger.ts';
import { ingest, type IngestOptions } from './ingest.ts';
import { loadGrids } from './load-grids.ts';
import { normalizeRecords } from './normalize-records.ts';
import { matchRecords } from './match/match-stage.ts';
import { consolidateUnits } from './consolidate.ts';
import { placeUnits } from './place.ts';
import { superviseUnits } from './supervise.ts';
import { refreshStatistics } from '../db/statistics.ts';
import { runStage, type StageContext, type StageCounts, type StageResult } from './stage.ts';
import { collectGarbageBetweenStages } from './memory.ts';
import { acquireRunLock, type RunLock } from '../jobs/run-lock.ts';
import { describePullFailures, pullAgencies, type PullPlan, type PullResult } from '../jobs/pull-agencies.ts';

export interface SyncOptions {
  inbox: string;
  /** Reports are relative to this date (YYYY-MM-DD); defaults to today in Asia/Shanghai. */
  asOf?: string;
  archive?: boolean;
  log: Logger;
  onProgress?: IngestOptions['onProgress'];
  /** Aborting stops the run at the next stage boundary: the stage in progress finishes, the run is marked stopped. */
  signal?: AbortSignal;
  /** Wait for a run in progress (in another process, or this one) instead of refusing at once. */
  wait?: boolean | { timeoutMs?: number; pollMs?: number };
  /** Agencies to pull over HTTP before ingesting; one failing agency is recorded and the run goes on. */
  pulls?: PullPlan;
  /** What started the run (manual, nightly, poll): logged and kept in the run's summary. */
  trigger?: string;
  /** Told the run's id as soon as it has one (the scheduler's health report names the run in progress). */
  onRunStarted?: (runId: number) => void;
}

export interface RunFailure {
  stage: string;
  agency?: string;
  error: string;
}

export interface SyncResult {
  runId: number;
  asOf: string;
  stages: StageResult[];
  seconds: number;
  /** 'partial' when every stage ran but something inside one failed (an agency's pull). */
  status: 'succeeded' | 'partial';
  failures: RunFailure[];
}

/** The run stopped at a stage boundary on request (SIGTERM/SIGINT): what was done is kept, the rest is for the next run. */
export class RunStoppedError extends Error {
  constructor(
    readonly runId: number,
    readonly afterStage: string | null,
    reason: string,
  ) {
    super(
      `Run #${runId} stopped (${reason}) ${afterStage ? `after stage ${afterStage}; the stages up to it are done and kept` : 'before its first stage'}. ` +
        'Run "gridlink sync" again to finish the work.',
    );
    this.name = 'RunStoppedError';
  }
}

export function todayInShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

type StageFn = (ctx: StageContext) => Promise<StageCounts>;

/**
 * One nightly run: every stage in order of the data flow, each reading what the one before wrote. One run
 * at a time (the run lock); every stage is safe to re-run, so a failed or killed run is repaired by the next.
 */
export async function runSync(database: Database, options: SyncOptions): Promise<SyncResult> {
  const wait = typeof options.wait === 'object' ? options.wait : {};
  const lock = await acquireRunLock(database, { wait: Boolean(options.wait), timeoutMs: wait.timeoutMs, pollMs: wait.pollMs, signal: options.signal, log: options.log });
  try {
    return await runLocked(database, options, lock);
  } finally {
    await lock.release().catch((err: Error) => options.log.warn({ err: err.message }, 'could not release the run lock cleanly (it goes with the connection)'));
  }
}

async function runLocked(database: Database, options: SyncOptions, lock: RunLock): Promise<SyncResult> {
  const asOf = options.asOf ?? todayInShanghai();
  const started = performance.now();
  const { db } = database;
  await repairUnfinishedRuns(db, options.log);
  const startedAt = new Date();
  const { id: runId } = await db
    .insertInto('runs.run')
    .values({ as_of: asOf, inbox: options.inbox, started_at: startedAt, finished_at: null, error: null, summary: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await lock.attachRun(runId, startedAt);
  options.onRunStarted?.(runId);
  const log = options.log.child({ run: runId });
  const ctx: StageContext = { database, db, runId, asOf, log };
  const trigger = options.trigger ?? 'manual';
  log.info({ inbox: options.inbox, asOf, engine: database.engine, trigger }, `run ${runId} started`);

  const stop = AbortSignal.any([options.signal, lock.lost].filter((s): s is AbortSignal => s !== undefined));
  const plan: [string, StageFn][] = [
    ['ingest', analyzing((c) => ingest(c, { inbox: options.inbox, archive: options.archive, onProgress: options.onProgress }), {
      'staging.file': (n) => n('files_loaded'),
      'staging.record': (n) => n('rows_staged') - n('rows_unchanged'),
    })],
    ['grids', loadGrids],
    ['normalize', analyzing(normalizeRecords, {
      'registry.record': (n) => n('records'),
      'inspection.supervised': (n) => n('supervised'),
      'inspection.complaint': (n) => n('complaints'),
      'inspection.arrears': (n) => n('arrears'),
      'inspection.credit': (n) => n('credit'),
    })],
    ['match', analyzing(matchRecords, {
      'registry.unit': (n) => n('fresh') + n('units_created') + n('units_merged') + n('units_split') + n('units_retired'),
      'registry.unit_member': (n) => n('fresh') + n('repeats'),
      'registry.link': (_, counts) => Object.values((counts.links_by_rule ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0),
    })],
    ['consolidate', consolidateUnits],
    ['place', analyzing(placeUnits, { 'grid.placement': (n) => n('placements_written') })],
    ['supervise', superviseUnits],
  ];
  let pulled: PullResult[] = [];
  const pulls = options.pulls;
  if (pulls && pulls.configs.length > 0) {
    plan.unshift(['pull', async (c) => pullCounts((pulled = await pullAgencies(c.database, pulls, options.inbox, c.log, stop)))]);
  }

  const stages: StageResult[] = [];
  const failures: RunFailure[] = [];
  try {
    for (const [name, work] of plan) {
      await yieldToEventLoop();
      collectGarbageBetweenStages();
      if (stop.aborted) throw new RunStoppedError(runId, stages.at(-1)?.stage ?? null, stopReason(stop.reason));
      const result = await runStage(ctx, name, work);
      stages.push(result);
      if (name === 'pull') failures.push(...(await recordPullFailures(db, runId, pulled)));
    }
  } catch (err) {
    const stopped = err instanceof RunStoppedError;
    const summary = JSON.stringify({ seconds: (performance.now() - started) / 1000, trigger, failures, stages: stages.map((s) => ({ stage: s.stage, seconds: s.seconds, counts: s.counts })) });
    await db
      .updateTable('runs.run')
      .set({ status: stopped ? 'stopped' : 'failed', finished_at: new Date(), error: (err as Error).message, summary })
      .where('id', '=', runId)
      .execute();
    if (stopped) log.warn({ afterStage: err.afterStage }, err.message);
    else log.error({ err }, `run ${runId} failed`);
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  const status = failures.length > 0 ? 'partial' : 'succeeded';
  await db
    .updateTable('runs.run')
    .set({
      status,
      finished_at: new Date(),
      error: failures.length ? failures.map((f) => `${f.stage}${f.agency ? ` ${f.agency}` : ''}: ${f.error}`).join('\n') : null,
      summary: JSON.stringify({ seconds, trigger, failures, stages: stages.map((s) => ({ stage: s.stage, seconds: s.seconds, counts: s.counts })) }),
    })
    .where('id', '=', runId)
    .execute();
  if (status === 'partial') log.warn({ seconds: round(seconds), failures }, `run ${runId} finished, but ${failures.map((f) => f.agency ?? f.stage).join(', ')} failed`);
  else log.info({ seconds: round(seconds) }, `run ${runId} succeeded`);
  return { runId, asOf, stages, seconds, status, failures };
}

/** Rows a stage wrote to a table, from its counts; `n` reads a numeric count (0 when absent). */
type ChangedRows = (n: (key: string) => number, counts: StageCounts) => number;

/**
 * Runs a stage, then refreshes the planner statistics of the tables it bulk-writes before the next stage
 * reads them, where it changed enough of them to matter (db/statistics.ts).
 */
function analyzing(work: StageFn, tables: Record<string, ChangedRows>): StageFn {
  return async (ctx) => {
    const counts = await work(ctx);
    const n = (key: string) => (typeof counts[key] === 'number' ? (counts[key] as number) : 0);
    for (const [table, changed] of Object.entries(tables)) await refreshStatistics(ctx.db, ctx.log, table, changed(n, counts));
    return counts;
  };
}

function pullCounts(results: PullResult[]): StageCounts {
  const failed = results.filter((r) => r.status === 'failed');
  return {
    agencies: results.length,
    new_files: results.filter((r) => r.status === 'new_file').length,
    not_modified: results.filter((r) => r.status === 'not_modified').length,
    failed: failed.length,
    // Attempts per failed agency: the stage row alone says which agencies failed; its error column says why.
    failed_agencies: Object.fromEntries(failed.map((r) => [r.agency, r.attempts])),
  };
}

/** A pull stage whose agencies partly failed is 'partial', with one line per failed agency and why. */
async function recordPullFailures(db: Kysely<DB>, runId: number, results: PullResult[]): Promise<RunFailure[]> {
  const error = describePullFailures(results);
  if (error) await db.updateTable('runs.stage').set({ status: 'partial', error }).where('run_id', '=', runId).where('stage', '=', 'pull').execute();
  return results.flatMap((r) => (r.status === 'failed' ? [{ stage: 'pull', agency: r.agency, error: r.error }] : []));
}

/**
 * Under the run lock no other run is going on, so a run still marked 'running' died with its process
 * (kill -9, power cut). Mark it, so history tells the truth; its committed work stays, the rest is redone.
 */
async function repairUnfinishedRuns(db: Kysely<DB>, log: Logger): Promise<void> {
  const dead = await db
    .updateTable('runs.run')
    .set({ status: 'interrupted', error: 'The process ended during this run (killed, crashed or the machine stopped); the next run redid its unfinished work.' })
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  if (dead.length > 0) {
    const ids = dead.map((r) => r.id);
    await db
      .updateTable('runs.stage')
      .set({ status: 'interrupted', error: 'The process ended during this stage; its uncommitted work was rolled back.' })
      .where('status', '=', 'running')
      .where('run_id', 'in', ids)
      .execute();
    log.warn({ runs: ids }, `run ${ids.map((id) => `#${id}`).join(', ')} ended without finishing (process killed?): marked interrupted; this run completes its work`);
  }
  const last = await db.selectFrom('runs.run').select('status').orderBy('id', 'desc').executeTakeFirst();
  if (last && last.status !== 'succeeded' && last.status !== 'partial') await reclaimStagingIds(db);
}

/**
 * A load rolled back by a crash still used up sequence numbers, and a crash makes PostgreSQL skip ahead
 * (it logs sequences 32 values at a time). Runs and staging rows are written only under the run lock, so
 * the numbers after the highest committed id are free: give them back, and a resumed run numbers its
 * records exactly as an uninterrupted one would (the crosswalk's record_id stays comparable).
 */
async function reclaimStagingIds(db: Kysely<DB>): Promise<void> {
  for (const table of ['runs.run', 'staging.file', 'staging.record', 'staging.reject']) {
    const [schema, name] = table.split('.') as [string, string];
    await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(`${schema}.${name}`)}), 0) + 1, false)`.execute(db);
  }
}

/**
 * Embedded PGlite answers queries without real I/O, so a stage can run from start to end in microtasks and
 * the event loop never gets to SIGTERM/SIGINT (or timers, or HTTP requests). Letting one loop turn pass
 * at each stage boundary is what makes a stop request reach the check below.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function stopReason(reason: unknown): string {
  if (typeof reason === 'string') return `by ${reason}`;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'on request';
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
