import type { Database } from '../../db/connect.ts';
import type { OpenedFeed } from '../../connectors/feed.ts';
import { prepareCarry, type CarriedRow } from './carry.ts';
import { recordSnapshotDelta, type SnapshotDelta } from './snapshot-delta.ts';
import { stageItem, type StagedRecord, type StagedReject } from './staged-rows.ts';
import { withForeignKeysCheckedBySet } from '../../db/foreign-keys-by-set.ts';
import { openStagingConnection } from './staging-connection.ts';
import { writeRecords, writeRejects, type LoadMethod } from './staging-writes.ts';

/** The staging.file row of a file about to be loaded (lineage: agency, name, hash, load time). */
export interface FileToLoad {
  agency: string;
  fileName: string;
  sourcePath: string;
  contentHash: string;
  byteSize: number;
  snapshotDate: string | null;
  runId: number;
}

export interface LoadFeedOptions {
  method: LoadMethod;
  /** Records parsed before they are written; one batch is written while the next is parsed. */
  batchRows: number;
  onProgress?: ((p: { file: string; rows: number }) => void) | undefined;
}

export interface LoadedFeed extends SnapshotDelta {
  fileId: number;
  rows: number;
  rejects: number;
  /** Unchanged rows recognised by their text alone (carry.ts claimLine). */
  knownByText: number;
}

interface Batch {
  records: StagedRecord[];
  rejects: StagedReject[];
  /** Rows the carry took: re-delivered unchanged, some recognised by their text without being read. */
  carried: CarriedRow[];
}

/**
 * Streams an opened feed into staging in one transaction: file row, records, rejects, counts and
 * the snapshot delta commit together. Memory holds at most two batches whatever the file's size.
 */
export async function loadFeed(database: Database, feed: OpenedFeed, file: FileToLoad, options: LoadFeedOptions): Promise<LoadedFeed> {
  const { db } = database;
  let conn;
  try {
    conn = await openStagingConnection(database);
  } catch (err) {
    await feed.close().catch(() => {});
    throw err;
  }
  let writing: Promise<void> = Promise.resolve();
  try {
    const [inserted] = await conn.run(
      db
        .insertInto('staging.file')
        .values({
          agency: file.agency,
          kind: feed.kind,
          file_name: file.fileName,
          source_path: file.sourcePath,
          content_hash: file.contentHash,
          byte_size: file.byteSize,
          format: feed.format,
          encoding: feed.encoding,
          snapshot_date: file.snapshotDate,
          status: 'loaded',
          reason: null,
          headers: JSON.stringify(feed.headers),
          run_id: file.runId,
          loaded_at: new Date(),
        })
        .returning('id')
        .compile(),
    );
    const scope = { id: inserted!.id, agency: file.agency, kind: feed.kind };
    // A file's rows carry its id: their foreign keys are checked by set when the file is in (see db/foreign-keys-by-set.ts).
    const ofFile = (table: string) => ({ table, where: 't.file_id = $1', parameters: [scope.id] });
    const { rows, rejects, delta, knownByText } = await withForeignKeysCheckedBySet(conn, ['staging.record', 'staging.reject', 'staging.carried', 'staging.snapshot_delta'].map(ofFile), async () => {
      const carry = await prepareCarry(db, conn, { id: scope.id, kind: feed.kind, snapshotDate: file.snapshotDate, headers: feed.headers });
      let rows = 0;
      let rejects = 0;
      const write = async (batch: Batch) => {
        await writeRecords(db, conn, options.method, scope, batch.records, batch.carried);
        await writeRejects(db, conn, options.method, scope.id, batch.rejects);
        options.onProgress?.({ file: file.fileName, rows: rows + rejects });
      };
      // Parsing the next batch overlaps writing this one; a failed write is raised at the next await.
      const submit = (batch: Batch) => {
        writing = writing.then(() => write(batch));
        writing.catch(() => {});
      };

      let batch: Batch = { records: [], rejects: [], carried: [] };
      // A re-delivered register in the previous snapshot's layout: its unchanged lines are known by their text.
      const items = carry.claimsLines ? feed.rowsClaiming((text) => carry.claimLine(text)) : feed.rows;
      for await (const item of items) {
        if ('claimed' in item) {
          batch.carried.push({ row: item.row, ...item.claimed });
          rows++;
        } else {
          const staged = stageItem(feed.kind, item);
          if ('record' in staged) {
            const carried = carry.take(staged.record);
            if (carried) batch.carried.push(carried);
            else batch.records.push(staged.record);
            rows++;
          } else {
            batch.rejects.push(staged.reject);
            rejects++;
          }
        }
        if (batch.records.length + batch.rejects.length + batch.carried.length >= options.batchRows) {
          await writing;
          submit(batch);
          batch = { records: [], rejects: [], carried: [] };
        }
      }
      submit(batch);
      await writing;

      await conn.run(db.updateTable('staging.file').set({ row_count: rows, reject_count: rejects }).where('id', '=', scope.id).compile());
      const delta = await recordSnapshotDelta(db, conn, { id: scope.id, kind: feed.kind }, carry);
      return { rows, rejects, delta, knownByText: carry.claimedLines };
    });
    await conn.commit();
    return { fileId: scope.id, rows, rejects, knownByText, ...delta };
  } catch (err) {
    // A write may still be running on the connection: let it end before rolling back.
    await writing.catch(() => {});
    await conn.rollback();
    throw err;
  } finally {
    await feed.close().catch(() => {});
  }
}
