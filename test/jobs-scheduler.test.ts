import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullAgency } from '../connectors/http-pull.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { parseSchedulerConfig, type SchedulerConfigInput } from '../schemas/config.ts';
import { startScheduler, type Scheduler } from '../jobs/scheduler.ts';
import { healthReport, newHealthState } from '../jobs/health.ts';
import type { PullFn } from '../jobs/pull-agencies.ts';
import { formatStatus } from '../cli/status.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

const MARKET_FILE = path.join(SAMPLES, 'market/market-20261127.csv');

/** A local agency server: the market export with an ETag, or nothing but 503 for a server that is down. */
async function agencyServer(kind: 'market' | 'down'): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const body = fs.readFileSync(MARKET_FILE);
  const server = http.createServer((req, res) => {
    hits++;
    if (kind === 'down') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
      return;
    }
    if (req.headers['if-none-match'] === '"m1"') {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv', etag: '"m1"', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/export`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

// The real HTTP transport, with quick retries so a test of a server that stays down takes milliseconds.
const quickPull: PullFn = (database, config, inbox, log) => pullAgency(database, config, inbox, log, { retries: 1, backoffMs: 10 });

async function getJson(url: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function emptyInbox(): string {
  const dir = tempDir('gl-sched-inbox-');
  for (const a of ['market', 'tax']) fs.mkdirSync(path.join(dir, a));
  return dir;
}

describe('the health report', () => {
  it('is 503 with no successful run, 200 while the last one is young enough, 503 once it is too old', () => {
    const state = newHealthState();
    const now = new Date('2026-11-28T03:00:00Z');
    expect(healthReport(state, 3600, now)).toMatchObject({ ok: false, body: { status: 'no_successful_run', last_success: null } });
    state.lastSuccess = { runId: 7, finishedAt: new Date('2026-11-28T02:30:00Z') };
    expect(healthReport(state, 3600, now)).toMatchObject({ ok: true, body: { status: 'ok', last_success: { run_id: 7, age_seconds: 1800 } } });
    expect(healthReport(state, 1200, now)).toMatchObject({ ok: false, body: { status: 'stale', last_success: { run_id: 7, age_seconds: 1800 } } });
  });
});

describe.each(engines())('the scheduler on %s', (engine) => {
  let database: TestDatabase;
  let market: Awaited<ReturnType<typeof agencyServer>>;
  let down: Awaited<ReturnType<typeof agencyServer>>;
  const schedulers: Scheduler[] = [];

  async function start(input: Partial<SchedulerConfigInput> & { inbox: string }): Promise<Scheduler> {
    // Crons far in the future: the test triggers the jobs itself, exactly as their cron would.
    const config = parseSchedulerConfig({ sync: { cron: '0 2 1 1 *' }, poll: { cron: '0 3 1 1 *' }, health: { port: 0 }, pullRetry: { attempts: 2, delaySeconds: 0 }, ...input });
    const scheduler = await startScheduler({ database, config, log: silentLogger, pull: quickPull, statusText: () => formatStatus(database, 3) });
    schedulers.push(scheduler);
    return scheduler;
  }

  beforeAll(async () => {
    database = await freshDatabase(engine);
    market = await agencyServer('market');
    down = await agencyServer('down');
  });
  afterAll(async () => {
    for (const s of schedulers) await s.stop();
    await market?.close();
    await down?.close();
    await database?.dispose();
  });

  it('a failing pull does not stop a healthy one: the run goes on, and says which agency failed and why', async () => {
    const inbox = emptyInbox();
    const scheduler = await start({
      inbox,
      pulls: [
        { agency: 'market', url: market.url, fileName: 'market-20261127.csv' },
        { agency: 'tax', url: down.url, cron: '30 1 1 1 *' },
      ],
    });
    const health = `http://127.0.0.1:${scheduler.healthPort}/healthz`;
    const before = await getJson(health);
    expect(before.status).toBe(503);
    expect(before.body.status).toBe('no_successful_run');

    const result = await scheduler.trigger('sync');
    expect(result.status).toBe('partial');
    expect(result.error).toMatch(/^tax: Pull of tax from http:\/\/127\.0\.0\.1:\d+\/export failed after 2 attempts: HTTP 503/);
    expect(result.error).toContain('gave up after 2 attempts');
    // Two scheduler attempts, each one request and one quick retry by the transport.
    expect(down.hits()).toBe(4);

    const run = await database.db.selectFrom('runs.run').selectAll().where('id', '=', result.runId!).executeTakeFirstOrThrow();
    expect(run.status).toBe('partial');
    expect(run.error).toMatch(/^pull tax: Pull of tax/);
    const pullStage = await database.db.selectFrom('runs.stage').selectAll().where('run_id', '=', run.id).where('stage', '=', 'pull').executeTakeFirstOrThrow();
    expect(pullStage.status).toBe('partial');
    expect(pullStage.counts).toMatchObject({ agencies: 2, new_files: 1, failed: 1, failed_agencies: { tax: 2 } });
    expect(pullStage.error).toMatch(/^tax: .*HTTP 503/);
    // The healthy agency's file was pulled, ingested and matched as in any run.
    const files = await database.db.selectFrom('staging.file').select(['agency', 'file_name', 'run_id']).execute();
    expect(files).toEqual([{ agency: 'market', file_name: 'market-20261127.csv', run_id: run.id }]);
    const units = await database.db.selectFrom('registry.unit').select('id').execute();
    expect(units.length).toBeGreaterThan(100);

    // A partial run is a run: the endpoint is healthy, and names what fails.
    const after = await getJson(health);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'ok', last_success: { run_id: run.id } });
    expect(after.body.failing).toEqual([expect.objectContaining({ job: 'sync', error: expect.stringMatching(/^tax: /) })]);

    // The agency's own schedule fails the same way, recorded for `gridlink status`.
    const own = await scheduler.trigger('pull:tax');
    expect(own.status).toBe('failed');
    const job = await database.db.selectFrom('runs.job').selectAll().where('name', '=', 'pull:tax').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ last_status: 'failed', kind: 'pull', agency: 'tax' });
    expect(job.failing_since).not.toBeNull();

    const status = await formatStatus(database, 3);
    expect(status).toContain(`批次 #${run.id}  部分失败`);
    expect(status).toMatch(/pull\s+部分失败 .*failed=1/);
    expect(status).toMatch(/错误：tax: Pull of tax/);
    expect(status).toMatch(/需要处理：\n\s+批次 #\d+ 部分失败：pull tax: /);
    expect(status).toMatch(/任务 pull:tax 失败（自 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 起）：tax: Pull of tax/);
    expect(status).toMatch(/pull:tax\s+30 1 1 1 \*\s+下次 \d{4}-01-01 01:30:00/);
    // /status serves the same text from the scheduler process (the only one that can open an embedded database).
    const served = await (await fetch(`http://127.0.0.1:${scheduler.healthPort}/status`)).text();
    expect(served).toContain(`批次 #${run.id}  部分失败`);

    // The agency's server is back: the next pull succeeds and the job is no longer failing.
    await scheduler.stop();
    const again = await start({ inbox, pulls: [{ agency: 'tax', url: market.url, cron: '30 1 1 1 *', fileName: 'tax-market-copy.csv' }] });
    expect((await again.trigger('pull:tax')).status).toBe('succeeded');
    const healed = await database.db.selectFrom('runs.job').selectAll().where('name', '=', 'pull:tax').executeTakeFirstOrThrow();
    expect(healed).toMatchObject({ last_status: 'succeeded', failing_since: null, last_error: null });
    expect(fs.readdirSync(path.join(inbox, 'tax'))).toEqual(['tax-market-copy.csv']);
    await again.stop();
  });

  it('the inbox poll runs only when files wait, and never at the same time as the nightly run', async () => {
    const inbox = copyInbox(SAMPLES);
    const scheduler = await start({ inbox, health: { port: null } });
    expect(scheduler.healthPort).toBeNull();
    const [nightly, poll] = await Promise.all([scheduler.trigger('sync'), scheduler.trigger('poll')]);
    // Whichever took the lock first ran; the nightly run waits for a poll's run, a poll skips a nightly one.
    expect(nightly.status).toBe('succeeded');
    expect(['succeeded', 'skipped']).toContain(poll.status);
    const runs = await database.db.selectFrom('runs.run').select(['id', 'started_at', 'finished_at']).where('inbox', '=', inbox).orderBy('id').execute();
    expect(runs.length).toBe(poll.status === 'skipped' ? 1 : 2);
    for (let i = 1; i < runs.length; i++) expect(new Date(runs[i]!.started_at).getTime()).toBeGreaterThanOrEqual(new Date(runs[i - 1]!.finished_at!).getTime());

    // Everything was loaded and archived: nothing for the poll to do.
    expect((await scheduler.trigger('poll')).status).toBe('skipped');
    fs.copyFileSync(MARKET_FILE, path.join(inbox, 'market', 'market-20261128.csv'));
    const polled = await scheduler.trigger('poll');
    expect(polled.status).toBe('succeeded');
    expect(fs.existsSync(path.join(inbox, 'market', 'market-20261128.csv'))).toBe(false);
    const job = await database.db.selectFrom('runs.job').selectAll().where('name', '=', 'poll').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ last_status: 'succeeded', last_run_id: polled.runId });
    await scheduler.stop();
  });

  it('stopping the scheduler during a run lets the stage finish, then stops the run', async () => {
    const inbox = copyInbox(SAMPLES);
    const scheduler = await start({ inbox, health: { port: null } });
    const running = scheduler.trigger('sync');
    // Stop as soon as the run's first stage is under way.
    for (let i = 0; i < 2000 && !scheduler.health.running?.runId; i++) await new Promise((r) => setTimeout(r, 5));
    const runId = scheduler.health.running!.runId!;
    for (let i = 0; i < 2000; i++) {
      if (await database.db.selectFrom('runs.stage').select('stage').where('run_id', '=', runId).executeTakeFirst()) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await scheduler.stop('SIGTERM');
    const result = await running;
    expect(result.status).toBe('stopped');
    expect(result.error).toMatch(new RegExp(`^Run #${runId} stopped \\(by SIGTERM\\) after stage \\w+`));
    const stages = await database.db.selectFrom('runs.stage').select(['stage', 'status']).where('run_id', '=', runId).execute();
    expect(stages.length).toBeGreaterThan(0);
    expect(stages.length).toBeLessThan(7);
    expect(stages.every((s) => s.status === 'succeeded')).toBe(true);
    const run = await database.db.selectFrom('runs.run').select('status').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.status).toBe('stopped');
    expect(await scheduler.trigger('sync')).toMatchObject({ status: 'skipped' });
  });
});
