import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Database } from '../db/connect.ts';
import type { Logger } from './logger.ts';

/** What every stage gets: the database, the run it belongs to and the date reports are relative to. */
export interface StageContext {
  database: Database;
  db: Kysely<DB>;
  runId: number;
  asOf: string;
  log: Logger;
}

export type StageCounts = Record<string, number | Record<string, number>>;

export interface StageResult {
  stage: string;
  seconds: number;
  counts: StageCounts;
}

/** Runs one stage and records it in runs.stage, so a failed night shows which stage broke and why. */
export async function runStage(
  ctx: StageContext,
  stage: string,
  work: (ctx: StageContext) => Promise<StageCounts>,
): Promise<StageResult> {
  const started = performance.now();
  await ctx.db
    .insertInto('runs.stage')
    .values({ run_id: ctx.runId, stage, started_at: new Date(), finished_at: null, counts: null, error: null })
    .execute();
  ctx.log.info({ stage }, `stage ${stage} started`);
  try {
    const counts = await work(ctx);
    const seconds = (performance.now() - started) / 1000;
    await ctx.db
      .updateTable('runs.stage')
      .set({ status: 'succeeded', finished_at: new Date(), counts: JSON.stringify(counts) })
      .where('run_id', '=', ctx.runId)
      .where('stage', '=', stage)
      .execute();
    ctx.log.info({ stage, seconds: round(seconds), ...flatten(counts) }, `stage ${stage} done`);
    return { stage, seconds, counts };
  } catch (err) {
    await ctx.db
      .updateTable('runs.stage')
      .set({ status: 'failed', finished_at: new Date(), error: (err as Error).stack ?? String(err) })
      .where('run_id', '=', ctx.runId)
      .where('stage', '=', stage)
      .execute();
    throw err;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function flatten(counts: StageCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) {
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}
