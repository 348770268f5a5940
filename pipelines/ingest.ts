import crypto from 'node:crypto';
import { openFeed, FeedUnreadableError, type SourceRow, type RowProblem } from '../connectors/feed.ts';
import { archiveFile, hashFile, listInbox, quarantineFile, snapshotDateFromName, type InboxFile } from '../connectors/inbox.ts';
import type { FeedKind } from '../schemas/feeds.ts';
import type { StageContext, StageCounts } from './stage.ts';

export interface IngestOptions {
  inbox: string;
  /** Move loaded files to `_archive/` and unreadable ones to `_quarantine/` (default true). */
  archive?: boolean;
  /** Called after each batch, for a progress bar. */
  onProgress?: (p: { file: string; rows: number }) => void;
}

const BATCH = 1000;
const CODE_FIELDS = ['uscc', 'org_code', 'reg_no', 'tax_id', 'code'] as const;

/** Reads every new file of the inbox into staging: one row per source record, rejects kept with a reason. */
export async function ingest(ctx: StageContext, options: IngestOptions): Promise<StageCounts> {
  const listing = await listInbox(options.inbox);
  for (const folder of listing.unknownFolders) {
    ctx.log.warn({ folder }, `inbox folder "${folder}" is not an agency: its files were not loaded`);
  }
  for (const s of listing.skipped) ctx.log.info(s, 'file left for a later run');

  const counts = { files_seen: listing.files.length, files_loaded: 0, files_duplicate: 0, files_quarantined: 0, rows_read: 0, rows_staged: 0, rows_rejected: 0 };
  for (const file of listing.files) {
    const hash = await hashFile(file.path);
    const known = await ctx.db.selectFrom('staging.file').select(['id', 'status', 'file_name']).where('content_hash', '=', hash).executeTakeFirst();
    if (known) {
      counts.files_duplicate++;
      ctx.log.info({ file: file.path, loaded_as: known.file_name, status: known.status }, 'file already received (same content): not loaded again');
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
    if (options.archive !== false) archiveFile(options.inbox, file, ctx.runId);
  }
  return counts;
}

type LoadResult = { quarantined: true; reason: string } | { quarantined: false; rows: number; rejects: number };

async function loadFile(ctx: StageContext, file: InboxFile, hash: string, options: IngestOptions): Promise<LoadResult> {
  const base = {
    agency: file.agency,
    file_name: file.fileName,
    source_path: file.path,
    content_hash: hash,
    byte_size: file.byteSize,
    snapshot_date: snapshotDateFromName(file.fileName),
    run_id: ctx.runId,
    loaded_at: new Date(),
  };
  let feed;
  try {
    feed = await openFeed(file.path, file.agency);
  } catch (err) {
    if (!(err instanceof FeedUnreadableError)) throw err;
    await ctx.db
      .insertInto('staging.file')
      .values({ ...base, kind: null, format: null, encoding: null, status: 'quarantined', reason: err.reason, headers: null })
      .execute();
    ctx.log.warn({ file: file.path, reason: err.reason }, 'file quarantined');
    return { quarantined: true, reason: err.reason };
  }

  // One transaction per file: a crash mid-file leaves nothing half-loaded, and the next run loads it whole.
  return ctx.db.transaction().execute(async (trx) => {
    const { id: fileId } = await trx
      .insertInto('staging.file')
      .values({ ...base, kind: feed.kind, format: feed.format, encoding: feed.encoding, status: 'loaded', reason: null, headers: JSON.stringify(feed.headers) })
      .returning('id')
      .executeTakeFirstOrThrow();
    let records: { file_id: number; agency: string; kind: string; row: number; row_hash: string; fields: string; extras: string | null }[] = [];
    let rejects: { file_id: number; row: number | null; raw_text: string | null; reason: string }[] = [];
    let rows = 0;
    let rejected = 0;
    const flush = async () => {
      if (records.length) await trx.insertInto('staging.record').values(records).execute();
      if (rejects.length) await trx.insertInto('staging.reject').values(rejects).execute();
      records = [];
      rejects = [];
      options.onProgress?.({ file: file.fileName, rows: rows + rejected });
    };
    for await (const item of feed.rows) {
      const problem = 'reason' in item ? item : unusable(feed.kind, item);
      if (problem) {
        rejects.push({ file_id: fileId, row: problem.row, raw_text: problem.rawText, reason: problem.reason });
        rejected++;
      } else {
        const row = item as SourceRow;
        records.push({
          file_id: fileId,
          agency: file.agency,
          kind: feed.kind,
          row: row.row,
          row_hash: rowHash(row.fields),
          fields: JSON.stringify(row.fields),
          extras: Object.keys(row.extras).length ? JSON.stringify(row.extras) : null,
        });
        rows++;
      }
      if (records.length + rejects.length >= BATCH) await flush();
    }
    await flush();
    await trx.updateTable('staging.file').set({ row_count: rows, reject_count: rejected }).where('id', '=', fileId).execute();
    ctx.log.info({ file: file.path, kind: feed.kind, encoding: feed.encoding, rows, rejected }, 'file loaded');
    return { quarantined: false as const, rows, rejects: rejected };
  });
}

/** A row nobody can attribute to an employer (or a grid) is a reject, kept with the reason. */
function unusable(kind: FeedKind, row: SourceRow): RowProblem | null {
  const f = row.fields;
  if (kind === 'labour.grids') {
    return f.grid_code ? null : { row: row.row, rawText: row.rawText, reason: '网格编码为空，无法识别网格' };
  }
  if (kind === 'civil-affairs.divisions') {
    return f.division_code ? null : { row: row.row, rawText: row.rawText, reason: '区划代码为空，无法识别区划' };
  }
  const hasCode = CODE_FIELDS.some((c) => (f[c] ?? '').trim() !== '');
  if (!hasCode && !(f.name ?? '').trim()) {
    return { row: row.row, rawText: row.rawText, reason: '既无单位名称也无任何代码，无法识别是哪个单位' };
  }
  return null;
}

/** Identifies an unchanged re-delivered row: same canonical fields, whatever the column order. */
function rowHash(fields: Record<string, string>): string {
  const keys = Object.keys(fields).sort();
  return crypto.createHash('sha1').update(JSON.stringify(keys.map((k) => [k, fields[k]]))).digest('hex');
}
