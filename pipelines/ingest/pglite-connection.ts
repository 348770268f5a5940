import type { PGlite } from '@electric-sql/pglite';
import type { CompiledQuery, Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { StagingConnection } from './staging-connection.ts';

/**
 * Bytes of COPY text handed to PGlite at once. PGlite takes the whole blob as one ArrayBuffer in
 * this process's memory; a batch of unusually wide rows is sent in several COPYs instead of one
 * blob of any size. A batch of ordinary register rows (about 1 kB each) fits in one.
 */
export const PGLITE_COPY_BYTES = 4 * 1024 * 1024;

/**
 * PGlite is one backend session, so the transaction kysely starts (through its pg adapter) is the
 * transaction PGlite's own COPY runs in; pg-copy-streams crashes on PGlite, `COPY … FROM '/dev/blob'`
 * does not. Nothing else may use the database while the file loads: the pool's only connection is taken.
 */
export async function openPgliteConnection(db: Kysely<DB>, pglite: PGlite, copyBytes = PGLITE_COPY_BYTES): Promise<StagingConnection> {
  const trx = await db.startTransaction().execute();
  return {
    async run<R>(query: CompiledQuery<R>): Promise<R[]> {
      return (await trx.executeQuery(query)).rows as R[];
    },
    async copy(table, columns, lines) {
      const text = `copy ${table} (${columns.join(', ')}) from '/dev/blob'`;
      for (const bytes of copyBlobs(lines, copyBytes)) await pglite.query(text, [], { blob: new Blob([bytes]) });
    },
    async commit() {
      await trx.commit().execute();
    },
    async rollback() {
      await trx.rollback().execute();
    },
  };
}

/**
 * The lines as UTF-8, in pieces of at most `maxBytes` (a longer line is a piece of its own). Each
 * piece is written into one buffer of its exact size: `new Blob(lines)` would first encode every
 * line into a buffer of its own, thousands of short-lived allocations per batch.
 */
export function* copyBlobs(lines: readonly string[], maxBytes: number): Generator<Buffer> {
  let start = 0;
  while (start < lines.length) {
    let size = 0;
    let end = start;
    while (end < lines.length) {
      const bytes = Buffer.byteLength(lines[end]!);
      if (end > start && size + bytes > maxBytes) break;
      size += bytes;
      end++;
    }
    const piece = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = start; i < end; i++) at += piece.write(lines[i]!, at);
    yield piece;
    start = end;
  }
}
