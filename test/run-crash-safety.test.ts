import fs from 'node:fs';
import path from 'node:path';
import { parseString } from 'fast-csv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/connect.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { exportCrosswalk, exportReports } from '../pipelines/publish/exports.ts';
import { createThrowawayDatabase, engines, freshDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';
import { nth, spawnGridlink, type LogLine } from './support/gridlink-process.ts';

const AS_OF = '2026-11-27';

interface Exports {
  crosswalk: string;
  reports: string;
}

async function exportsOf(database: Database): Promise<Exports> {
  const dir = tempDir('gl-crash-');
  await exportCrosswalk(database.db, path.join(dir, 'crosswalk.csv'));
  await exportReports(database.db, path.join(dir, 'reports.csv'));
  return { crosswalk: fs.readFileSync(path.join(dir, 'crosswalk.csv'), 'utf8'), reports: fs.readFileSync(path.join(dir, 'reports.csv'), 'utf8') };
}

function parseCsv(text: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  return new Promise((resolve, reject) =>
    parseString(text.replace(/^\ufeff/, ''), { headers: true })
      .on('data', (r: Record<string, string>) => rows.push(r))
      .on('end', () => resolve(rows))
      .on('error', reject),
  );
}

/**
 * The exports with surrogate numbers taken out: each source row with where it went, a unit named by its
 * first source row, each report under that name. On PostgreSQL agencies load two at a time, so record
 * ids (and the unit numbers minted from their order) depend on timing even in a run nobody killed; what
 * must not change is which rows make which unit and what is reported about it.
 */
async function canonical(e: Exports): Promise<{ crosswalk: string[]; reports: string[] }> {
  const crosswalk = await parseCsv(e.crosswalk);
  const name = new Map<string, string>();
  for (const r of crosswalk) {
    if (!r.unit_id) continue;
    const key = `${r.source}/${r.file}#${r.row}`;
    if (!name.has(r.unit_id) || key < name.get(r.unit_id)!) name.set(r.unit_id, key);
  }
  const unit = (id: string | undefined) => (id ? (name.get(id) ?? `unknown unit ${id}`) : '');
  return {
    crosswalk: crosswalk.map((r) => [r.source, r.file, r.row, r.kind, r.status, r.reason ?? '', unit(r.unit_id)].join('|')).sort(),
    reports: (await parseCsv(e.reports)).map((r) => JSON.stringify({ ...r, unit_id: unit(r.unit_id) })).sort(),
  };
}

const stageStarted = (stage: string) => (l: LogLine) => l.msg === `stage ${stage} started`;

// Where each successive run is killed: in the middle of ingest (after some files are committed, while the
// next one's transaction is open), then at the start of later stages. Each rerun resumes from what the
// killed one left, so one chain of kills covers every stage boundary and the work inside it.
// A function: the "third file" predicate counts lines, so each chain needs its own.
const killPoints = (): { where: string; when: (l: LogLine) => boolean }[] => [
  { where: 'ingest, after the third file', when: nth(3, (l) => l.msg === 'file loaded') },
  { where: 'normalize', when: stageStarted('normalize') },
  { where: 'match', when: stageStarted('match') },
  { where: 'consolidate', when: stageStarted('consolidate') },
  { where: 'supervise', when: stageStarted('supervise') },
];

describe.each(engines())('a sync killed with SIGKILL and run again, on %s', (engine) => {
  let uninterrupted: Exports;
  let target: { env: Record<string, string | undefined>; open: () => Promise<Database>; drop: () => Promise<void> };

  beforeAll(async () => {
    const database = await freshDatabase(engine);
    try {
      await runSync(database, { inbox: copyInbox(SAMPLES), asOf: AS_OF, archive: false, log: silentLogger });
      uninterrupted = await exportsOf(database);
    } finally {
      await database.dispose();
    }
    if (engine === 'pglite') {
      const dataDir = tempDir('gl-crash-data-');
      target = { env: { GRIDLINK_DATA: dataDir, DATABASE_URL: undefined }, open: () => openDatabase({ url: '', dataDir }), drop: async () => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }) };
    } else {
      const { url, drop } = await createThrowawayDatabase();
      target = { env: { DATABASE_URL: url }, open: () => openDatabase({ url, poolSize: 2 }), drop };
    }
  }, 300_000);
  afterAll(async () => target?.drop());

  it('ends with the same crosswalk and reports as a run never killed, and marks the killed runs interrupted', async () => {
    const inbox = copyInbox(SAMPLES);
    const args = ['sync', '--inbox', inbox, '--as-of', AS_OF, '--no-archive'];
    const points = killPoints();
    for (const point of points) {
      const child = spawnGridlink(args, target.env);
      await child.waitForLog(point.when);
      child.child.kill('SIGKILL');
      const exit = await child.exited;
      expect(exit.signal, `killed in ${point.where}`).toBe('SIGKILL');
    }
    const last = spawnGridlink(args, target.env);
    const exit = await last.exited;
    expect(exit.code, exit.stderr.slice(-2000)).toBe(0);
    expect(exit.stderr).toContain('marked interrupted');

    const database = await target.open();
    try {
      const runs = await database.db.selectFrom('runs.run').select(['id', 'status']).orderBy('id').execute();
      expect(runs.map((r) => r.status)).toEqual([...points.map(() => 'interrupted'), 'succeeded']);
      const stuck = await database.db.selectFrom('runs.stage').select(['run_id', 'stage']).where('status', '=', 'running').execute();
      expect(stuck).toEqual([]);
      // A kill lands inside the stage whose start it followed, or (on a slow machine) a little later: every
      // stage left unfinished belongs to a killed run and is marked so.
      const interruptedStages = await database.db.selectFrom('runs.stage').select(['run_id', 'stage']).where('status', '=', 'interrupted').orderBy('run_id').execute();
      const killedRuns = runs.slice(0, points.length).map((r) => r.id);
      expect(interruptedStages.length).toBeGreaterThan(0);
      for (const s of interruptedStages) expect(killedRuns).toContain(s.run_id);
      console.info(`${engine}: killed inside ${interruptedStages.map((s) => `#${s.run_id} ${s.stage}`).join(', ')}`);

      const resumed = await exportsOf(database);
      const [got, want] = [await canonical(resumed), await canonical(uninterrupted)];
      expect(got.crosswalk.length).toBe(want.crosswalk.length);
      expect(got.crosswalk).toEqual(want.crosswalk);
      expect(got.reports.length).toBeGreaterThan(0);
      expect(got.reports).toEqual(want.reports);
      // One loader at a time on PGlite: there even the numbers are those of the run never killed.
      if (engine === 'pglite') {
        expect(resumed.crosswalk).toEqual(uninterrupted.crosswalk);
        expect(resumed.reports).toEqual(uninterrupted.reports);
      }
    } finally {
      await database.close();
    }
  }, 600_000);
});
