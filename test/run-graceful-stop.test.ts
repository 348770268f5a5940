import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/connect.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { createThrowawayDatabase, engines } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';
import { spawnGridlink } from './support/gridlink-process.ts';

const STAGES = ['ingest', 'grids', 'normalize', 'match', 'consolidate', 'place', 'supervise'];

describe.each(engines())('SIGTERM during `gridlink sync`, on %s', (engine) => {
  let target: { env: Record<string, string | undefined>; open: () => Promise<Database>; drop: () => Promise<void> };

  beforeAll(async () => {
    if (engine === 'pglite') {
      const dataDir = tempDir('gl-stop-data-');
      target = { env: { GRIDLINK_DATA: dataDir, DATABASE_URL: undefined }, open: () => openDatabase({ url: '', dataDir }), drop: async () => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }) };
    } else {
      const { url, drop } = await createThrowawayDatabase();
      target = { env: { DATABASE_URL: url }, open: () => openDatabase({ url, poolSize: 2 }), drop };
    }
  });
  afterAll(async () => target?.drop());

  it('finishes the stage in progress, marks the run stopped, exits non-zero saying so; the next run completes', async () => {
    const inbox = copyInbox(SAMPLES);
    const child = spawnGridlink(['sync', '--inbox', inbox, '--as-of', '2026-11-27'], target.env);
    await child.waitForLog((l) => l.msg === 'stage normalize started');
    child.child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('SIGTERM received: finishing the current stage, then stopping');
    const said = /gridlink: Run #(\d+) stopped \(by SIGTERM\) after stage (\w+); the stages up to it are done and kept\. Run "gridlink sync" again/.exec(exit.stderr);
    expect(said, exit.stderr.slice(-1500)).not.toBeNull();
    const [, runId, lastStage] = said!;

    const database = await target.open();
    try {
      const run = await database.db.selectFrom('runs.run').selectAll().where('id', '=', Number(runId)).executeTakeFirstOrThrow();
      expect(run.status).toBe('stopped');
      expect(run.finished_at).not.toBeNull();
      const stages = await database.db.selectFrom('runs.stage').select(['stage', 'status']).where('run_id', '=', run.id).orderBy('started_at').execute();
      // Every stage it began, it finished; it began none after the signal (normalize was running then, or,
      // on a slow machine, a stage just after it).
      expect(stages.every((s) => s.status === 'succeeded')).toBe(true);
      expect(stages.map((s) => s.stage)).toEqual(STAGES.slice(0, STAGES.indexOf(lastStage!) + 1));
      expect(STAGES.indexOf(lastStage!)).toBeGreaterThanOrEqual(STAGES.indexOf('normalize'));
      expect(STAGES.indexOf(lastStage!)).toBeLessThan(STAGES.length - 1);

      const next = await runSync(database, { inbox, asOf: '2026-11-27', log: silentLogger });
      expect(next.status).toBe('succeeded');
      expect(next.stages.map((s) => s.stage)).toEqual(STAGES);
      const reports = await database.db.selectFrom('inspection.report').select('id').execute();
      expect(reports.length).toBeGreaterThan(0);
      // The stopped run is history, not a run to repair.
      const after = await database.db.selectFrom('runs.run').select('status').where('id', '=', run.id).executeTakeFirstOrThrow();
      expect(after.status).toBe('stopped');
    } finally {
      await database.close();
    }
  }, 300_000);
});
