import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { ENTITY_KINDS } from '../../schemas/feeds.ts';
import { copyLine } from './copy-text.ts';
import { rawTextHash, type StagedRecord } from './staged-rows.ts';
import type { StagingConnection } from './staging-connection.ts';
import type { FileScope, LoadMethod } from './staging-writes.ts';

/** A row of the new file that re-delivers, unchanged, content a record of the previous snapshot holds. */
export interface CarriedRow {
  row: number;
  recordId: string;
  /** rawTextHash of the row's text in this file; null when it is its record's own (most rows: nothing to store). */
  rawHash: string | null;
}

/**
 * Decides which of a new snapshot's rows to stage and which to carry. Each file is its agency's full
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
  /** Of those, rows recognised by their text (claimLine), not read into fields. */
  readonly claimedLines: number;
  /** The record a row of this file re-delivers, claimed for it (rows in file order); null: stage the row as usual. */
  take(record: StagedRecord): CarriedRow | null;
  /**
   * Whether lines can be recognised by their text (claimLine): the previous snapshot has the same
   * headers, so the same text reads into the same fields.
   */
  readonly claimsLines: boolean;
  /**
   * The record a line re-delivers, recognised by the line's exact text before it is read into fields,
   * claimed as take would claim it; undefined when the line must be read (and then go through take).
   */
  claimLine(rawText: string): { recordId: string; rawHash: string | null } | undefined;
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
export async function prepareCarry(db: Kysely<DB>, conn: StagingConnection, file: { id: number; kind: string; snapshotDate: string | null; headers: readonly string[] }): Promise<Carry> {
  const previousFileId = await previousSnapshot(db, conn, file);
  // content hash → record ids still to be claimed (a string for one, an array for several)
  const available = new Map<string, string | string[]>();
  // line hash → the record it delivered, for content the previous snapshot held once (see claimLine)
  // (own: the line is the one that first delivered the record, so its carried row need not repeat the hash)
  const lines = new Map<string, { recordId: string; rowHash: string; own: boolean }>();
  const carries = previousFileId !== null && (ENTITY_KINDS as readonly string[]).includes(file.kind);
  let claimsLines = false;
  if (carries) {
    const [previous] = await conn.run(db.selectFrom('staging.file').select('headers').where('id', '=', previousFileId).compile());
    claimsLines = JSON.stringify(previous?.headers) === JSON.stringify(file.headers);
    const held = await conn.run(
      sql<{ id: string; row_hash: string; raw_hash: string | null; record_raw: string | null }>`
        select r.id, r.row_hash, r.raw_hash, r.raw_hash as record_raw from staging.record r where r.file_id = ${previousFileId}
        union all
        select c.record_id, r.row_hash, coalesce(c.raw_hash, r.raw_hash), r.raw_hash from staging.carried c join staging.record r on r.id = c.record_id where c.file_id = ${previousFileId}
        order by 1`.compile(db),
    );
    for (const { id, row_hash, raw_hash, record_raw } of held) {
      const key = row_hash;
      const was = available.get(key);
      if (was === undefined) available.set(key, String(id));
      else if (typeof was === 'string') available.set(key, [was, String(id)]);
      else was.push(String(id));
      if (claimsLines && raw_hash) lines.set(raw_hash, { recordId: String(id), rowHash: row_hash, own: raw_hash === record_raw });
    }
  }
  let carried = 0;
  let claimedLines = 0;
  return {
    previousFileId,
    carries,
    claimsLines,
    get carried() {
      return carried;
    },
    get claimedLines() {
      return claimedLines;
    },
    claimLine(rawText) {
      if (lines.size === 0) return undefined;
      const rawHash = rawTextHash(rawText);
      const line = lines.get(rawHash);
      if (!line) return undefined;
      // Only content the previous snapshot held once and not yet claimed: take would give this line the
      // same record (content held twice is claimed in record order by take). One case differs: an
      // earlier line of this file spelling the same content differently (other quoting) would have
      // claimed it first; the content carried is the same either way, only which of the two rows is
      // the carried one changes. Lines are offered in file order, a reader's batch at a time.
      if (available.get(line.rowHash) !== line.recordId) return undefined;
      available.delete(line.rowHash);
      lines.delete(rawHash);
      carried++;
      claimedLines++;
      return { recordId: line.recordId, rawHash: line.own ? null : rawHash };
    },
    take(record) {
      const held = available.get(record.rowHash);
      if (held === undefined) return null;
      // The earliest record of that content first, so which record a row is carried to never depends on batching.
      let recordId: string;
      if (typeof held === 'string') {
        recordId = held;
        available.delete(record.rowHash);
      } else {
        recordId = held.shift()!;
        if (held.length === 0) available.delete(record.rowHash);
      }
      carried++;
      return { row: record.row, recordId, rawHash: record.rawHash };
    },
  };
}

const CARRIED_COLUMNS = ['file_id', 'row', 'record_id', 'raw_hash'] as const;
const INSERT_ROWS = 5000;

export async function writeCarried(db: Kysely<DB>, conn: StagingConnection, method: LoadMethod, file: FileScope, rows: readonly CarriedRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (method === 'copy') {
    await conn.copy('staging.carried', CARRIED_COLUMNS, rows.map((r) => copyLine([file.id, r.row, r.recordId, r.rawHash])));
    return;
  }
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const values = rows.slice(i, i + INSERT_ROWS).map((r) => ({ file_id: file.id, row: r.row, record_id: r.recordId, raw_hash: r.rawHash }));
    await conn.run(db.insertInto('staging.carried').values(values).compile());
  }
}
