import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/connect.ts';
import { createThrowawayDatabase, engines } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';
import { spawnGridlink } from './support/gridlink-process.ts';

/** Drops the sample files into the inbox as an agency would (dated in the past, so they are taken at once). */
function deliver(inbox: string, files: [from: string, to: string][]): void {
  const past = new Date(Date.now() - 60_000);
  for (const [from, to] of files) {
    const target = path.join(inbox, to);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(SAMPLES, from), `${target}.part`);
    fs.utimesSync(`${target}.part`, past, past);
    fs.renameSync(`${target}.part`, target);
  }
}

describe.each(engines())('`gridlink schedule` as a service, on %s', (engine) => {
  let target: { env: Record<string, string | undefined>; open: () => Promise<Database>; drop: () => Promise<void> };

  beforeAll(async () => {
    if (engine === 'pglite') {
      const dataDir = tempDir('gl-service-data-');
      target = { env: { GRIDLINK_DATA: dataDir, DATABASE_URL: undefined }, open: () => openDatabase({ url: '', dataDir }), drop: async () => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }) };
    } else {
      const { url, drop } = await createThrowawayDatabase();
      target = { env: { DATABASE_URL: url }, open: () => openDatabase({ url, poolSize: 2 }), drop };
    }
  });
  afterAll(async () => target?.drop());

  it('answers /healthz (503 before any run, 200 after one), runs what arrives, and stops on SIGTERM after the stage in progress', async () => {
    const inbox = tempDir('gl-service-inbox-');
    for (const a of ['market', 'tax', 'labour']) fs.mkdirSync(path.join(inbox, a));
    const config = path.join(tempDir('gl-service-config-'), 'gridlink.json');
    // The nightly run is far away; the inbox is polled every second so the test does not wait minutes.
    fs.writeFileSync(config, JSON.stringify({ inbox, sync: { cron: '0 2 1 1 *' }, poll: { cron: '* * * * * *' }, health: { port: 0, maxAgeHours: 1 } }));
    const service = spawnGridlink(['schedule', '--config', config], target.env);
    try {
      const started = await service.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('scheduler started'));
      const healthz = `http://127.0.0.1:${started.healthPort as number}/healthz`;

      const before = await fetch(healthz);
      expect(before.status).toBe(503);
      expect(await before.json()).toMatchObject({ status: 'no_successful_run', last_success: null, max_age_seconds: 3600 });

      deliver(inbox, [
        ['market/market-20261127.csv', 'market/market-20261127.csv'],
        ['tax/tax-20261120.csv', 'tax/tax-20261120.csv'],
        ['labour/supervised-units-20261127.csv', 'labour/supervised-units-20261127.csv'],
      ]);
      // The job's line comes after the run's own and after the scheduler took note of it.
      const succeeded = await service.waitForLog((l) => l.msg === 'job poll succeeded');
      const runId = succeeded.runId as number;
      const after = await fetch(healthz);
      expect(after.status).toBe(200);
      const body = (await after.json()) as { status: string; last_success: { run_id: number; age_seconds: number } };
      expect(body.status).toBe('ok');
      expect(body.last_success.run_id).toBe(runId);
      expect(body.last_success.age_seconds).toBeLessThan(60);

      // A new delivery starts the next run; SIGTERM while it normalizes lets that stage finish, then stops.
      deliver(inbox, [['market/market-20261127.csv', 'market/market-20261128.csv']]);
      await service.waitForLog((l) => l.msg === 'stage normalize started' && l.run !== runId);
      service.child.kill('SIGTERM');
      const exit = await service.exited;
      expect(exit.signal).toBeNull();
      expect(exit.code, exit.stderr.slice(-1500)).toBe(0);
      expect(exit.stdout).toContain('调度已停止（SIGTERM）');
      expect(exit.stderr).toMatch(/Run #\d+ stopped \(by SIGTERM\) after stage (normalize|match|consolidate|place)/);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await service.exited;
    }

    const database = await target.open();
    try {
      const runs = await database.db.selectFrom('runs.run').select(['id', 'status', 'summary']).orderBy('id').execute();
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'stopped']);
      expect((runs[0]!.summary as { trigger: string }).trigger).toBe('poll');
      const poll = await database.db.selectFrom('runs.job').selectAll().where('name', '=', 'poll').executeTakeFirstOrThrow();
      expect(poll).toMatchObject({ kind: 'poll', cron: '* * * * * *', timezone: 'Asia/Shanghai', last_status: 'stopped', last_run_id: runs[1]!.id });
    } finally {
      await database.close();
    }
  }, 300_000);
});
