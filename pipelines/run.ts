import type { Database } from '../db/connect.ts';
import type { Logger } from './logger.ts';
import { ingest, type IngestOptions } from './ingest.ts';
import { loadGrids } from './load-grids.ts';
import { normalizeRecords } from './normalize-records.ts';
import { matchRecords } from './match/match-stage.ts';
import { consolidateUnits } from './consolidate.ts';
import { placeUnits } from './place.ts';
import { superviseUnits } from './supervise.ts';
import { runStage, type StageContext, type StageResult } from './stage.ts';

export interface SyncOptions {
  inbox: string;
  /** Reports are relative to this date (YYYY-MM-DD); defaults to today in Asia/Shanghai. */
  asOf?: string;
  archive?: boolean;
  log: Logger;
  onProgress?: IngestOptions['onProgress'];
}

export interface SyncResult {
  runId: number;
  asOf: string;
  stages: StageResult[];
  seconds: number;
}

export function todayInShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/**
 * One nightly run: every stage in order of the data flow, each reading what the one before wrote.
 * Every stage is safe to re-run, so a failed run is repaired by running again.
 */
export async function runSync(database: Database, options: SyncOptions): Promise<SyncResult> {
  const asOf = options.asOf ?? todayInShanghai();
  const started = performance.now();
  const { db } = database;
  const { id: runId } = await db
    .insertInto('runs.run')
    .values({ as_of: asOf, inbox: options.inbox, started_at: new Date(), finished_at: null, error: null, summary: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const log = options.log.child({ run: runId });
  const ctx: StageContext = { database, db, runId, asOf, log };
  log.info({ inbox: options.inbox, asOf, engine: database.engine }, `run ${runId} started`);

  const stages: StageResult[] = [];
  try {
    stages.push(await runStage(ctx, 'ingest', (c) => ingest(c, { inbox: options.inbox, archive: options.archive, onProgress: options.onProgress })));
    stages.push(await runStage(ctx, 'grids', loadGrids));
    stages.push(await runStage(ctx, 'normalize', normalizeRecords));
    stages.push(await runStage(ctx, 'match', matchRecords));
    stages.push(await runStage(ctx, 'consolidate', consolidateUnits));
    stages.push(await runStage(ctx, 'place', placeUnits));
    stages.push(await runStage(ctx, 'supervise', superviseUnits));
  } catch (err) {
    await db.updateTable('runs.run').set({ status: 'failed', finished_at: new Date(), error: (err as Error).message }).where('id', '=', runId).execute();
    log.error({ err }, `run ${runId} failed`);
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  await db
    .updateTable('runs.run')
    .set({ status: 'succeeded', finished_at: new Date(), summary: JSON.stringify({ seconds, stages: stages.map((s) => ({ stage: s.stage, seconds: s.seconds, counts: s.counts })) }) })
    .where('id', '=', runId)
    .execute();
  log.info({ seconds: Math.round(seconds * 10) / 10 }, `run ${runId} succeeded`);
  return { runId, asOf, stages, seconds };
}
