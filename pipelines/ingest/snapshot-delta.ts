import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Carry } from './carry.ts';
import type { StagingConnection } from './staging-connection.ts';

export interface SnapshotDelta {
  previousFileId: number | null;
  rowsUnchanged: number;
}

/**
 * Records how a just-loaded snapshot relates to the previous snapshot of the same kind (carry.ts
 * chose it): how many of its rows were re-delivered unchanged, in staging.snapshot_delta. For the
 * employer-bearing kinds those are exactly the rows carried instead of staged; the other kinds stage
 * every row, and their unchanged rows are counted by content. Runs inside the file's transaction, so
 * the delta commits with the rows it describes.
 */
export async function recordSnapshotDelta(db: Kysely<DB>, conn: StagingConnection, file: { id: number; kind: string }, carry: Carry): Promise<SnapshotDelta> {
  const previousFileId = carry.previousFileId;
  let rowsUnchanged = carry.carried;
  if (previousFileId !== null && !carry.carries) {
    const [counted] = await conn.run(
      db
        .selectFrom('staging.record as r')
        .select(sql<string>`count(*)`.as('n'))
        .where('r.file_id', '=', file.id)
        .where('r.row_hash', 'in', (eb) => eb.selectFrom('staging.record as p').select('p.row_hash').where('p.file_id', '=', previousFileId))
        .compile(),
    );
    rowsUnchanged = Number(counted?.n ?? 0);
  }
  await conn.run(
    db
      .insertInto('staging.snapshot_delta')
      .values({ file_id: file.id, kind: file.kind, previous_file_id: previousFileId, rows_unchanged: rowsUnchanged })
      .compile(),
  );
  return { previousFileId, rowsUnchanged };
}
