import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { StagingConnection } from './staging-connection.ts';

export interface SnapshotDelta {
  previousFileId: number | null;
  rowsUnchanged: number;
}

/**
 * Compares a just-staged snapshot with the previous snapshot of the same kind (the order of
 * pipelines/snapshots.ts: snapshot date, files without one first, then arrival) and records how
 * many of its rows were re-delivered unchanged, in staging.snapshot_delta. Runs inside the file's
 * transaction, so the delta commits with the rows it describes.
 */
export async function recordSnapshotDelta(
  db: Kysely<DB>,
  conn: StagingConnection,
  file: { id: number; kind: string; snapshotDate: string | null },
): Promise<SnapshotDelta> {
  const date = file.snapshotDate ?? '';
  const [previous] = await conn.run(
    db
      .selectFrom('staging.file')
      .select('id')
      .where('kind', '=', file.kind)
      .where('status', '=', 'loaded')
      .where('id', '<', file.id)
      .where(sql<string>`coalesce(snapshot_date::text, '')`, '<=', date)
      .orderBy(sql`coalesce(snapshot_date::text, '')`, 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .compile(),
  );
  let rowsUnchanged = 0;
  if (previous) {
    const [counted] = await conn.run(
      db
        .selectFrom('staging.record as r')
        .select(sql<string>`count(*)`.as('n'))
        .where('r.file_id', '=', file.id)
        .where('r.row_hash', 'in', (eb) => eb.selectFrom('staging.record as p').select('p.row_hash').where('p.file_id', '=', previous.id))
        .compile(),
    );
    rowsUnchanged = Number(counted?.n ?? 0);
  }
  await conn.run(
    db
      .insertInto('staging.snapshot_delta')
      .values({ file_id: file.id, kind: file.kind, previous_file_id: previous?.id ?? null, rows_unchanged: rowsUnchanged })
      .compile(),
  );
  return { previousFileId: previous?.id ?? null, rowsUnchanged };
}
