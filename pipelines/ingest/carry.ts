import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { ENTITY_KINDS } from '../../schemas/feeds.ts';
import { copyLine } from './copy-text.ts';
import type { StagedRecord } from './staged-rows.ts';
import type { StagingConnection } from './staging-connection.ts';
import type { FileScope, LoadMethod } from './staging-writes.ts';

/** A row of the new file that re-delivers, unchanged, content a record of the previous snapshot holds. */
export interface CarriedRow {
  row: number;
  recordId: string;
}

/**
 * Splits a new snapshot's rows into those to stage and those to carry. Each file is its agency's full
 * register, so most of its rows repeat the previous snapshot; staging them again would make new records
 * that normalise, match and consolidate would have to treat as new. A row is carried when its content
 * (row_hash) is held by a record the previous snapshot delivered (staged or itself carried) and not yet
 * claimed by an earlier row of this file: the same content twice in a file needs two records.
 */
export interface Carry {
  /** The snapshot of the same kind this file follows (see previousSnapshot), if any. */
  readonly previousFileId: number | null;
  /** Whether this file's kind carries rows at all (employer-bearing kinds with a previous snapshot). */
  readonly carries: boolean;
  /** Rows carried so far. */
  readonly carried: number;
  /** Takes the rows this file re-delivers out of a batch; what is left is staged as usual. */
  split(records: readonly StagedRecord[]): { fresh: StagedRecord[]; carried: CarriedRow[] };
}

/**
 * The snapshot of the same kind a file follows: by snapshot date (files without one first), then by
 * arrival, among files loaded before it. The order of pipelines/snapshots.ts.
 */
export async function previousSnapshot(db: Kysely<DB>, conn: StagingConnection, file: { id: number; kind: string; snapshotDate: string | null }): Promise<number | null> {
  const [previous] = await conn.run(
    db
      .selectFrom('staging.file')
      .select('id')
      .where('kind', '=', file.kind)
      .where('status', '=', 'loaded')
      .where('id', '<', file.id)
      .where(sql<string>`coalesce(snapshot_date::text, '')`, '<=', file.snapshotDate ?? '')
      .orderBy(sql`coalesce(snapshot_date::text, '')`, 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .compile(),
  );
  return previous?.id ?? null;
}

/**
 * Only employer-bearing kinds carry: the labour bureau's own lists and the grid and division files are
 * read whole from their latest file (supervise, load-grids), so each of their files keeps all its rows.
 */
export async function prepareCarry(db: Kysely<DB>, conn: StagingConnection, file: { id: number; kind: string; snapshotDate: string | null }): Promise<Carry> {
  const previousFileId = await previousSnapshot(db, conn, file);
  // content hash → record ids still to be claimed (a string for one, an array for several)
  const available = new Map<string, string | string[]>();
  const carries = previousFileId !== null && (ENTITY_KINDS as readonly string[]).includes(file.kind);
  if (carries) {
    const held = await conn.run(
      sql<{ id: string; row_hash: string }>`
        select r.id, r.row_hash from staging.record r where r.file_id = ${previousFileId}
        union all
        select c.record_id, r.row_hash from staging.carried c join staging.record r on r.id = c.record_id where c.file_id = ${previousFileId}
        order by 1`.compile(db),
    );
    for (const { id, row_hash } of held) {
      const key = row_hash;
      const was = available.get(key);
      if (was === undefined) available.set(key, String(id));
      else if (typeof was === 'string') available.set(key, [was, String(id)]);
      else was.push(String(id));
    }
  }
  let carried = 0;
  return {
    previousFileId,
    carries,
    get carried() {
      return carried;
    },
    split(records) {
      if (available.size === 0) return { fresh: records as StagedRecord[], carried: [] };
      const fresh: StagedRecord[] = [];
      const out: CarriedRow[] = [];
      for (const r of records) {
        const held = available.get(r.rowHash);
        if (held === undefined) {
          fresh.push(r);
          continue;
        }
        // The earliest record of that content first, so which record a row is carried to never depends on batching.
        let recordId: string;
        if (typeof held === 'string') {
          recordId = held;
          available.delete(r.rowHash);
        } else {
          recordId = held.shift()!;
          if (held.length === 0) available.delete(r.rowHash);
        }
        out.push({ row: r.row, recordId });
      }
      carried += out.length;
      return { fresh, carried: out };
    },
  };
}

const CARRIED_COLUMNS = ['file_id', 'row', 'record_id'] as const;
const INSERT_ROWS = 5000;

export async function writeCarried(db: Kysely<DB>, conn: StagingConnection, method: LoadMethod, file: FileScope, rows: readonly CarriedRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (method === 'copy') {
    await conn.copy('staging.carried', CARRIED_COLUMNS, rows.map((r) => copyLine([file.id, r.row, r.recordId])));
    return;
  }
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const values = rows.slice(i, i + INSERT_ROWS).map((r) => ({ file_id: file.id, row: r.row, record_id: r.recordId }));
    await conn.run(db.insertInto('staging.carried').values(values).compile());
  }
}
