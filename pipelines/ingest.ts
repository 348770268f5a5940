import pLimit from 'p-limit';
import { openFeed, FeedUnreadableError } from '../connectors/feed.ts';
import { archiveFile, hashFile, listInbox, quarantineFile, snapshotDateFromName, type InboxFile } from '../connectors/inbox.ts';
import type { Database } from '../db/connect.ts';
import { loadFeed, type FileToLoad } from './ingest/load-feed.ts';
import type { LoadMethod } from './ingest/staging-writes.ts';
import type { StageContext, StageCounts } from './stage.ts';

export type { LoadMethod } from './ingest/staging-writes.ts';

export interface IngestOptions {
  inbox: string;
  /** Move loaded files to `_archive/` and unreadable ones to `_quarantine/` (default true). */
  archive?: boolean | undefined;
  /** Called after each batch, for a progress bar. */
  onProgress?: ((p: { file: string; rows: number }) => void) | undefined;
  /** 'copy' (default) or 'insert'; see pipelines/ingest/staging-writes.ts. */
  method?: LoadMethod | undefined;
  /** Records per write (default 2,000). */
  batchRows?: number | undefined;
  /** Agencies loaded at once on PostgreSQL (default 2, bounded by the pool); PGlite is one connection and loads one file at a time. */
  concurrency?: number | undefined;
}

const BATCH_ROWS = 2_000;
// Hashing is a full read of the file: the next files are hashed while this one loads.
const HASH_AHEAD = 2;

interface Counts {
  files_seen: number;
  files_loaded: number;
  files_duplicate: number;
  files_quarantined: number;
  rows_read: number;
  /** Rows accepted: staged as records, or carried (rows_unchanged). */
  rows_staged: number;
  rows_rejected: number;
  /**
   * Rows identical to a row of the previous snapshot of the same kind (staging.snapshot_delta). For
   * employer-bearing kinds these are carried: recorded in staging.carried against the record that
   * already holds their content, not staged again (pipelines/ingest/carry.ts).
   */
  rows_unchanged: number;
  /** Of rows_unchanged, rows recognised by their exact text in a file laid out as the previous one, not read into fields again. */
  rows_known_by_text: number;
}

/** Reads every new file of the inbox into staging: one row per source record, rejects kept with a reason. */
export async function ingest(ctx: StageContext, options: IngestOptions): Promise<StageCounts> {
  const listing = await listInbox(options.inbox);
  for (const folder of listing.unknownFolders) {
    ctx.log.warn({ folder }, `inbox folder "${folder}" is not an agency: its files were not loaded`);
  }
  for (const s of listing.skipped) ctx.log.info(s, 'file left for a later run');

  const counts: Counts = {
    files_seen: listing.files.length,
    files_loaded: 0,
    files_duplicate: 0,
    files_quarantined: 0,
    rows_read: 0,
    rows_staged: 0,
    rows_rejected: 0,
    rows_unchanged: 0,
    rows_known_by_text: 0,
  };
  const hashLimit = pLimit(HASH_AHEAD);
  const hashes = new Map<InboxFile, Promise<string>>();
  for (const file of listing.files) {
    const hash = hashLimit(() => hashFile(file.path));
    hash.catch(() => {}); // raised when its file's turn comes
    hashes.set(file, hash);
  }
  // Identical files in one inbox (or in two agency folders) load once.
  const claimed = new Set<string>();

  const loadAgency = async (files: InboxFile[]) => {
    for (const file of files) {
      const hash = await hashes.get(file)!;
      // Claimed before any await, so two agencies loading at once cannot both take the same content.
      const claimedEarlier = claimed.has(hash);
      claimed.add(hash);
      const duplicate = claimedEarlier
        ? { file_name: 'an earlier file of this run', status: 'loaded' }
        : await ctx.db.selectFrom('staging.file').select(['file_name', 'status']).where('content_hash', '=', hash).executeTakeFirst();
      if (duplicate) {
        counts.files_duplicate++;
        ctx.log.info({ file: file.path, loaded_as: duplicate.file_name, status: duplicate.status }, 'file already received (same content): not loaded again');
        if (options.archive !== false) archiveFile(options.inbox, file, ctx.runId);
        continue;
      }
      const result = await loadFile(ctx, file, hash, options);
      if (result.quarantined) {
        counts.files_quarantined++;
        if (options.archive !== false) quarantineFile(options.inbox, file, result.reason);
        continue;
      }
      counts.files_loaded++;
      counts.rows_read += result.rows + result.rejects;
      counts.rows_staged += result.rows;
      counts.rows_rejected += result.rejects;
      counts.rows_unchanged += result.rowsUnchanged;
      counts.rows_known_by_text += result.knownByText;
      if (options.archive !== false) archiveFile(options.inbox, file, ctx.runId);
    }
  };

  // Files of one agency load in name order (a later snapshot after an earlier one); agencies may overlap.
  const byAgency = new Map<string, InboxFile[]>();
  for (const file of listing.files) byAgency.set(file.agency, [...(byAgency.get(file.agency) ?? []), file]);
  const limit = pLimit(agencyConcurrency(ctx.database, options.concurrency));
  const outcomes = await Promise.allSettled([...byAgency.values()].map((files) => limit(() => loadAgency(files))));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return { ...counts };
}

function agencyConcurrency(database: Database, requested: number | undefined): number {
  if (!database.pool) return 1;
  // Each loading agency holds a client; one stays free for the lookups in between.
  const poolSize = database.pool.options.max ?? 10;
  return Math.max(1, Math.min(requested ?? 2, poolSize - 1));
}

type LoadResult = { quarantined: true; reason: string } | { quarantined: false; rows: number; rejects: number; rowsUnchanged: number; knownByText: number };

async function loadFile(ctx: StageContext, file: InboxFile, hash: string, options: IngestOptions): Promise<LoadResult> {
  const target: FileToLoad = {
    agency: file.agency,
    fileName: file.fileName,
    sourcePath: file.path,
    contentHash: hash,
    byteSize: file.byteSize,
    snapshotDate: snapshotDateFromName(file.fileName),
    runId: ctx.runId,
  };
  let feed;
  try {
    feed = await openFeed(file.path, file.agency);
  } catch (err) {
    if (!(err instanceof FeedUnreadableError)) throw err;
    await ctx.db
      .insertInto('staging.file')
      .values({
        agency: file.agency,
        file_name: file.fileName,
        source_path: file.path,
        content_hash: hash,
        byte_size: file.byteSize,
        snapshot_date: target.snapshotDate,
        run_id: ctx.runId,
        loaded_at: new Date(),
        kind: null,
        format: null,
        encoding: null,
        status: 'quarantined',
        reason: err.reason,
        headers: null,
      })
      .execute();
    ctx.log.warn({ file: file.path, reason: err.reason }, 'file quarantined');
    return { quarantined: true, reason: err.reason };
  }

  const started = performance.now();
  const loaded = await loadFeed(ctx.database, feed, target, {
    method: options.method ?? 'copy',
    batchRows: options.batchRows ?? BATCH_ROWS,
    onProgress: options.onProgress,
  });
  const seconds = (performance.now() - started) / 1000;
  ctx.log.info(
    {
      file: file.path,
      kind: feed.kind,
      encoding: feed.encoding,
      rows: loaded.rows,
      rejected: loaded.rejects,
      unchanged: loaded.rowsUnchanged,
      known_by_text: loaded.knownByText,
      previous_file_id: loaded.previousFileId,
      rows_per_second: seconds > 0 ? Math.round((loaded.rows + loaded.rejects) / seconds) : null,
    },
    'file loaded',
  );
  return { quarantined: false, rows: loaded.rows, rejects: loaded.rejects, rowsUnchanged: loaded.rowsUnchanged, knownByText: loaded.knownByText };
}
