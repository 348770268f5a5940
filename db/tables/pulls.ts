// Tables of one feature area (issue: connectors): HTTP pull state per agency (cursor, ETag, last
// outcome) and each snapshot's delta to the previous one (db/migrations/005-pulls.ts).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface PullStateTable {
  agency: string;
  /** Without user name, password or secret-looking query parameters. */
  url: string;
  etag: string | null;
  /** The Last-Modified header as the server sent it (an HTTP date). */
  last_modified: string | null;
  /** The server's X-Next-Cursor, sent back as `cursor=` on the next pull. */
  cursor: string | null;
  /** 'new_file' | 'not_modified' | 'failed'. */
  last_status: string | null;
  last_error: string | null;
  last_file: string | null;
  last_bytes: ColumnType<string | null, string | number | null, string | number | null>;
  /** HTTP requests made by the last pull, retries included. */
  attempts: Generated<number>;
  last_attempt_at: Timestamp | null;
  last_success_at: Timestamp | null;
}

export interface SnapshotDeltaTable {
  file_id: number;
  kind: string;
  /** The snapshot of the same kind this one follows (by snapshot date, then arrival), if any. */
  previous_file_id: number | null;
  /** Rows whose content (row_hash) is also in the previous snapshot. */
  rows_unchanged: number;
}

export interface PullTables {
  'staging.pull_state': PullStateTable;
  'staging.snapshot_delta': SnapshotDeltaTable;
}
