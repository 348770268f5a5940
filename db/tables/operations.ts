// Tables of one feature area: run lock holder and the scheduler's jobs (db/migrations/004-operations.ts).
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Describes the holder of the run lock (the lock is an advisory lock on a live connection). */
export interface RunLockTable {
  /** 'sync': one pipeline run at a time. */
  name: string;
  run_id: number | null;
  run_started_at: Timestamp | null;
  pid: number;
  host: string;
  acquired_at: Timestamp;
}

/** One row per scheduled job of the scheduler process: its cron and how its last execution went. */
export interface JobTable {
  /** 'sync', 'poll' or 'pull:<agency>'. */
  name: string;
  kind: string;
  cron: string;
  timezone: string;
  agency: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  scheduler_pid: number | null;
  scheduler_host: string | null;
  registered_at: Timestamp;
  last_started: Timestamp | null;
  last_finished: Timestamp | null;
  /** succeeded | partial | failed | skipped | stopped | running */
  last_status: string | null;
  last_error: string | null;
  last_run_id: number | null;
  /** When the job started failing (kept across failures, cleared by a success), so alerts say "since". */
  failing_since: Timestamp | null;
}

export interface OperationsTables {
  'runs.lock': RunLockTable;
  'runs.job': JobTable;
}
