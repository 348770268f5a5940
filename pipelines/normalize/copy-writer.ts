import type { Database } from '../../db/connect.ts';
import { withForeignKeysCheckedBySet } from '../../db/foreign-keys-by-set.ts';
import { openStagingConnection } from '../ingest/staging-connection.ts';

/** The lowest and highest record_id (bigint as text) among the rows of a batch. */
export interface IdRange {
  first: string;
  last: string;
}

/** The id range of rows carrying staged-record ids. */
export function idRange(ids: Iterable<string>): IdRange | undefined {
  let first: bigint | null = null;
  let last: bigint | null = null;
  for (const id of ids) {
    const n = BigInt(id);
    if (first === null || n < first) first = n;
    if (last === null || n > last) last = n;
  }
  return first === null || last === null ? undefined : { first: String(first), last: String(last) };
}

/**
 * Appends rows to a table with COPY in a transaction of its own (pg-copy-streams on PostgreSQL, a blob
 * on PGlite), through the ingest's staging connection. On PGlite that connection takes the database's
 * only session until the commit, so nothing else may query it meanwhile.
 */
export async function copyInto(database: Database, table: string, columns: readonly string[], lines: readonly string[], ids?: IdRange): Promise<void> {
  if (lines.length === 0) return;
  const conn = await openStagingConnection(database);
  try {
    const copy = () => conn.copy(table, columns, lines);
    // Rows keyed by their staged record's id: their foreign keys are checked over the batch's id range at once.
    if (ids) await withForeignKeysCheckedBySet(conn, [{ table, where: 't.record_id between $1 and $2', parameters: [ids.first, ids.last] }], copy);
    else await copy();
  } catch (err) {
    await conn.rollback();
    throw err;
  }
  await conn.commit();
}

/**
 * Writes batches one after another, in the order given, while the caller prepares the next: on
 * PostgreSQL a write runs on its own connection, so the next read and normalisation overlap it. On
 * PGlite (one session, one thread) each write completes before the caller goes on.
 */
export class SequentialWriter {
  private pending: Promise<void> = Promise.resolve();
  private readonly overlap: boolean;

  constructor(private readonly database: Database) {
    this.overlap = database.pool !== null;
  }

  async write(table: string, columns: readonly string[], lines: readonly string[], ids?: IdRange): Promise<void> {
    // The previous write must have committed first: batches commit in staging-id order (see pending-rows.ts).
    await this.pending;
    const next = copyInto(this.database, table, columns, lines, ids);
    // Observed here so a failure is not reported as unhandled while the caller reads on; flush() rethrows it.
    next.catch(() => undefined);
    this.pending = next;
    if (!this.overlap) await next;
  }

  /** Waits for the last write; throws its error, if any. */
  flush(): Promise<void> {
    return this.pending;
  }

  /** Waits for the last write, ignoring its outcome (used when the caller is already failing). */
  async settle(): Promise<void> {
    await this.pending.catch(() => undefined);
  }
}
