import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

export interface StageRow {
  runId: number;
  stage: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  counts: Record<string, unknown> | null;
  error: string | null;
}

/** The latest runs, each with its stages in the order they ran and how many files it quarantined. */
export async function recentRuns(db: Kysely<DB>, limit: number) {
  const runs = await db.selectFrom('runs.run').select(['id', 'started_at', 'finished_at', 'status', 'as_of', 'inbox', 'error']).orderBy('id', 'desc').limit(limit).execute();
  const ids = runs.map((r) => r.id);
  const stages = ids.length ? await db.selectFrom('runs.stage').selectAll().where('run_id', 'in', ids).orderBy('started_at').execute() : [];
  const files = ids.length
    ? await db
        .selectFrom('staging.file')
        .select(['run_id', sql<string>`count(*) filter (where status = 'loaded')`.as('loaded'), sql<string>`count(*) filter (where status = 'quarantined')`.as('quarantined'), sql<string>`coalesce(sum(reject_count), 0)`.as('rejects')])
        .where('run_id', 'in', ids)
        .groupBy('run_id')
        .execute()
    : [];
  return runs.map((r) => {
    const f = files.find((x) => x.run_id === r.id);
    return {
      ...r,
      filesLoaded: Number(f?.loaded ?? 0),
      filesQuarantined: Number(f?.quarantined ?? 0),
      rejects: Number(f?.rejects ?? 0),
      stages: stages.filter((s) => s.run_id === r.id).map(toStage),
    };
  });
}

function toStage(s: { run_id: number; stage: string; status: string; started_at: Date; finished_at: Date | null; counts: unknown; error: string | null }): StageRow {
  return { runId: s.run_id, stage: s.stage, status: s.status, startedAt: s.started_at, finishedAt: s.finished_at, counts: (s.counts as Record<string, unknown> | null) ?? null, error: s.error };
}

/** One run: its stages, the files it read (loaded and quarantined) and the rows it rejected. */
export async function runDetail(db: Kysely<DB>, runId: number, rejectLimit = 500) {
  const run = await db.selectFrom('runs.run').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!run) return null;
  const stages = (await db.selectFrom('runs.stage').selectAll().where('run_id', '=', runId).orderBy('started_at').execute()).map(toStage);
  const files = await db
    .selectFrom('staging.file')
    .select(['id', 'agency', 'kind', 'file_name', 'status', 'reason', 'format', 'encoding', 'snapshot_date', 'row_count', 'reject_count', 'byte_size'])
    .where('run_id', '=', runId)
    .orderBy('agency')
    .orderBy('file_name')
    .execute();
  const rejectTotal = await db
    .selectFrom('staging.reject as j')
    .innerJoin('staging.file as f', 'f.id', 'j.file_id')
    .select(sql<string>`count(*)`.as('n'))
    .where('f.run_id', '=', runId)
    .executeTakeFirstOrThrow();
  const rejects = await db
    .selectFrom('staging.reject as j')
    .innerJoin('staging.file as f', 'f.id', 'j.file_id')
    .select(['j.id', 'f.agency', 'f.file_name', 'j.row', 'j.reason', 'j.raw_text'])
    .where('f.run_id', '=', runId)
    .orderBy('j.id')
    .limit(rejectLimit)
    .execute();
  return { run, stages, files, rejects, rejectTotal: Number(rejectTotal.n) };
}
