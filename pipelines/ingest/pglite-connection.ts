import type { PGlite } from '@electric-sql/pglite';
import type { CompiledQuery, Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { StagingConnection } from './staging-connection.ts';

/**
 * PGlite is one backend session, so the transaction kysely starts (through its pg adapter) is the
 * transaction PGlite's own COPY runs in; pg-copy-streams crashes on PGlite, `COPY … FROM '/dev/blob'`
 * does not. Nothing else may use the database while the file loads: the pool's only connection is taken.
 */
export async function openPgliteConnection(db: Kysely<DB>, pglite: PGlite): Promise<StagingConnection> {
  const trx = await db.startTransaction().execute();
  return {
    async run<R>(query: CompiledQuery<R>): Promise<R[]> {
      return (await trx.executeQuery(query)).rows as R[];
    },
    async copy(table, columns, lines) {
      await pglite.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], { blob: new Blob(lines as string[]) });
    },
    async commit() {
      await trx.commit().execute();
    },
    async rollback() {
      await trx.rollback().execute();
    },
  };
}
