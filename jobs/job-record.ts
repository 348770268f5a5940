import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';

export type JobKind = 'sync' | 'poll' | 'pull';
export type JobStatus = 'succeeded' | 'partial' | 'failed' | 'skipped' | 'stopped';

export interface JobDefinition {
  name: string;
  kind: JobKind;
  cron: string;
  timezone: string;
  agency: string | null;
}

/**
 * Writes the scheduler's jobs to runs.job so `gridlink status`, from any process, shows their crons, next
 * times and last outcomes. Jobs no longer in the config are kept for their history but marked inactive.
 */
export async function registerJobs(db: Kysely<DB>, jobs: JobDefinition[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('runs.job').set({ active: false }).execute();
    for (const j of jobs) {
      const row = { ...j, active: true, scheduler_pid: process.pid, scheduler_host: os.hostname(), registered_at: new Date() };
      await trx
        .insertInto('runs.job')
        .values(row)
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            kind: row.kind,
            cron: row.cron,
            timezone: row.timezone,
            agency: row.agency,
            active: true,
            scheduler_pid: row.scheduler_pid,
            scheduler_host: row.scheduler_host,
            registered_at: row.registered_at,
          }),
        )
        .execute();
    }
  });
}

export async function recordJobStart(db: Kysely<DB>, name: string): Promise<void> {
  await db.updateTable('runs.job').set({ last_started: new Date() }).where('name', '=', name).execute();
}

/**
 * A skipped execution (a poll with nothing new, or a run already going on) only says the job is alive: it
 * keeps the last real outcome, which is what `gridlink status` and alerts are about.
 */
export async function recordJobEnd(db: Kysely<DB>, name: string, outcome: { status: JobStatus; error?: string | null; runId?: number | null }): Promise<void> {
  if (outcome.status === 'skipped') {
    await db.updateTable('runs.job').set({ last_finished: new Date() }).where('name', '=', name).execute();
    return;
  }
  const failed = outcome.status === 'failed' || outcome.status === 'partial';
  await db
    .updateTable('runs.job')
    .set({
      last_finished: new Date(),
      last_status: outcome.status,
      last_error: outcome.error ?? null,
      last_run_id: outcome.runId ?? null,
      failing_since: failed ? sql<Date>`coalesce(failing_since, now())` : null,
    })
    .where('name', '=', name)
    .execute();
}
