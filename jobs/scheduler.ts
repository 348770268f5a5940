import fs from 'node:fs';
import { schedule, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Database } from '../db/connect.ts';
import type { Logger } from '../pipelines/logger.ts';
import { RunStoppedError, runSync, type SyncOptions, type SyncResult } from '../pipelines/run.ts';
import { AGENCIES } from '../schemas/feeds.ts';
import type { PullConfig, SchedulerConfig } from '../schemas/config.ts';
import { healthReport, newHealthState, type HealthState } from './health.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import { InboxWatch } from './inbox-watch.ts';
import { recordJobEnd, recordJobStart, registerJobs, type JobDefinition, type JobStatus } from './job-record.ts';
import { RunLockBusyError } from './lock-holder.ts';
import { pullAgencies, type PullFn } from './pull-agencies.ts';
import type { RetryPolicy } from './retry.ts';

export interface SchedulerOptions {
  database: Database;
  config: SchedulerConfig;
  log: Logger;
  /** The HTTP transport (connectors/http-pull.ts `pullAgency`); needed when the config lists pulls. */
  pull?: PullFn;
  /** Text of `gridlink status`, served on /status (the embedded database is not readable from another process). */
  statusText?: () => Promise<string>;
}

export interface JobResult {
  status: JobStatus;
  error?: string | null;
  runId?: number | null;
}

export interface Scheduler {
  readonly jobs: (JobDefinition & { nextRun: () => Date | null })[];
  readonly health: HealthState;
  /** The port /healthz listens on, or null when the endpoint is off. */
  readonly healthPort: number | null;
  /** Runs a job now, exactly as its cron would. */
  trigger(name: string): Promise<JobResult>;
  /** Stops the crons; a run in progress finishes its stage and stops; resolves when every job has ended. */
  stop(reason?: string): Promise<void>;
}

/**
 * The long-running process behind `gridlink schedule`: the nightly full sync (pulling every configured
 * agency first), an inbox poll that runs a sync when files arrive, and each agency's own pull schedule.
 * Every schedule reads on Beijing time. Runs never overlap: the run lock decides, in this process and across
 * processes and machines.
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { database, config, log } = options;
  const { db } = database;
  if (config.pulls.length > 0 && !options.pull) {
    throw new Error('The scheduler config lists HTTP pulls, but no pull transport is available (connectors/http-pull.ts). Remove "pulls" from the config or install a gridlink with HTTP pulls.');
  }
  if (!fs.existsSync(config.inbox)) {
    throw new Error(`Inbox folder ${config.inbox} does not exist. Create it with one sub-folder per agency (${AGENCIES.join(', ')}), or set "inbox" in the scheduler config.`);
  }

  const definitions: JobDefinition[] = [{ name: 'sync', kind: 'sync', cron: config.sync.cron, timezone: config.timezone, agency: null }];
  if (config.poll.enabled) definitions.push({ name: 'poll', kind: 'poll', cron: config.poll.cron, timezone: config.timezone, agency: null });
  for (const p of config.pulls) {
    if (p.cron) definitions.push({ name: `pull:${p.agency}`, kind: 'pull', cron: p.cron, timezone: config.timezone, agency: p.agency });
  }
  await registerJobs(db, definitions);

  const health = newHealthState();
  const last = await db
    .selectFrom('runs.run')
    .select(['id', 'finished_at'])
    .where('status', 'in', ['succeeded', 'partial'])
    .where('finished_at', 'is not', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (last?.finished_at) health.lastSuccess = { runId: last.id, finishedAt: new Date(last.finished_at) };

  const stopping = new AbortController();
  const inflight = new Set<Promise<JobResult>>();
  const watch = new InboxWatch(config.inbox);
  const retry: RetryPolicy = { attempts: config.pullRetry.attempts, initialDelayMs: config.pullRetry.delaySeconds * 1000, factor: 2, maxDelayMs: 30 * 60_000 };

  const sync = async (job: string, extra: Partial<SyncOptions>): Promise<SyncResult> => {
    health.running = { job, runId: null, startedAt: new Date() };
    try {
      const result = await runSync(database, {
        inbox: config.inbox,
        archive: config.archive,
        log,
        signal: stopping.signal,
        trigger: job,
        onRunStarted: (runId) => {
          if (health.running) health.running.runId = runId;
        },
        ...extra,
      });
      health.lastSuccess = { runId: result.runId, finishedAt: new Date() };
      return result;
    } finally {
      health.running = null;
    }
  };
  const outcome = (r: SyncResult): JobResult => ({
    status: r.status,
    runId: r.runId,
    error: r.failures.length ? r.failures.map((f) => `${f.agency ?? f.stage}: ${f.error}`).join('\n') : null,
  });

  const handlers = new Map<string, () => Promise<JobResult>>();
  // Nightly: fresh files from every agency, then a full run even with nothing new, since report reasons
  // (new in the last 90 days, complaints in the last year) move with the date.
  handlers.set('sync', async () => {
    const pulls = config.pulls.length > 0 ? { configs: config.pulls, pull: options.pull!, concurrency: config.pullConcurrency, retry } : undefined;
    return outcome(await sync('sync', { wait: true, pulls }));
  });
  handlers.set('poll', async () => {
    const pending = await watch.pending();
    if (pending.length === 0) return { status: 'skipped' };
    try {
      const result = await sync('poll', { wait: false });
      watch.remember(pending);
      return outcome(result);
    } catch (err) {
      // A run is going on: it may already take these files; if not, the next poll will.
      if (err instanceof RunLockBusyError) return { status: 'skipped' };
      throw err;
    }
  });
  for (const p of config.pulls) {
    if (p.cron) handlers.set(`pull:${p.agency}`, () => pullOne(p));
  }
  async function pullOne(p: PullConfig): Promise<JobResult> {
    const [result] = await pullAgencies(database, { configs: [p], pull: options.pull!, concurrency: 1, retry }, config.inbox, log, stopping.signal);
    // The file waits in the inbox; the next poll (or the nightly run) loads it.
    return result?.status === 'failed' ? { status: 'failed', error: `${p.agency}: ${result.error}` } : { status: 'succeeded' };
  }

  const trigger = (name: string): Promise<JobResult> => {
    const handler = handlers.get(name);
    if (!handler) return Promise.reject(new Error(`No scheduled job "${name}"; jobs: ${[...handlers.keys()].join(', ')}`));
    if (stopping.signal.aborted) return Promise.resolve({ status: 'skipped', error: 'the scheduler is stopping' });
    const jobLog = log.child({ job: name });
    const run = (async (): Promise<JobResult> => {
      await recordJobStart(db, name).catch((err: Error) => jobLog.warn({ err: err.message }, 'could not record the job start'));
      let result: JobResult;
      try {
        result = await handler();
      } catch (err) {
        result = err instanceof RunStoppedError ? { status: 'stopped', error: err.message, runId: err.runId } : { status: 'failed', error: (err as Error).message };
      }
      if (result.status === 'failed' || result.status === 'partial') {
        health.failing.set(name, { error: result.error ?? result.status, since: health.failing.get(name)?.since ?? new Date() });
        jobLog.error({ status: result.status, runId: result.runId }, `job ${name} ${result.status}: ${result.error}`);
      } else if (result.status !== 'skipped') {
        health.failing.delete(name);
        jobLog.info({ status: result.status, runId: result.runId }, `job ${name} ${result.status}`);
      } else {
        jobLog.debug(`job ${name}: nothing to do`);
      }
      await recordJobEnd(db, name, result).catch((err: Error) => jobLog.warn({ err: err.message }, 'could not record the job outcome'));
      return result;
    })();
    inflight.add(run);
    void run.finally(() => inflight.delete(run));
    return run;
  };

  const cronLog = cronLogger(log);
  const tasks: ScheduledTask[] = definitions.map((d) =>
    schedule(
      d.cron,
      async () => {
        await trigger(d.name);
      },
      { timezone: d.timezone, name: d.name, noOverlap: true, logger: cronLog },
    ),
  );

  let server: HealthServer | null = null;
  if (config.health.port !== null) {
    try {
      server = await startHealthServer({
        port: config.health.port,
        host: config.health.host,
        report: () => healthReport(health, config.health.maxAgeHours * 3600),
        statusText: options.statusText,
      });
    } catch (err) {
      for (const t of tasks) await t.destroy();
      throw err;
    }
  }
  const jobs = definitions.map((d, i) => ({ ...d, nextRun: () => tasks[i]!.getNextRun() }));
  log.info(
    { jobs: jobs.map((j) => ({ job: j.name, cron: j.cron, next: j.nextRun()?.toISOString() })), healthPort: server?.port ?? null, inbox: config.inbox },
    `scheduler started (${config.timezone}): ${jobs.map((j) => `${j.name} "${j.cron}"`).join(', ')}`,
  );

  return {
    jobs,
    health,
    healthPort: server?.port ?? null,
    trigger,
    async stop(reason = 'scheduler stopping') {
      stopping.abort(reason);
      for (const t of tasks) await t.destroy();
      await Promise.allSettled([...inflight]);
      await server?.close();
      log.info('scheduler stopped');
    },
  };
}

/** node-cron's own messages (missed runs, skipped overlaps) into the structured log. */
function cronLogger(log: Logger): CronLogger {
  const child = log.child({ component: 'node-cron' });
  return {
    info: (m) => child.debug(m),
    warn: (m) => child.warn(m),
    error: (m, err) => child.error({ err }, String(m)),
    debug: (m) => child.debug(String(m)),
  };
}
