import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from './types.ts';

/**
 * Refreshes a table's planner statistics after a write that changed at least a tenth of its rows (as
 * PostgreSQL's autovacuum would), or when it has none yet. A table without statistics is planned as if
 * it were tiny (PGlite too): a nested loop where a hash join belongs, minutes at city scale. ANALYZE
 * samples, so it is cheap at any size, but not free (about 0.4 s for a million rows): a night that
 * changed 1 % of a register keeps its statistics.
 */
export async function refreshStatistics(db: Kysely<DB>, log: Logger, table: string, rowsChanged: number): Promise<'refreshed' | 'kept'> {
  const [schema, name] = table.split('.') as [string, string];
  const { rows } = await sql<{ reltuples: number }>`
    select c.reltuples from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema} and c.relname = ${name}`.execute(db);
  const estimate = Number(rows[0]?.reltuples ?? -1);
  if (estimate > 0 && rowsChanged < estimate / 10) {
    log.debug({ table, rows_changed: rowsChanged, rows_estimated: estimate }, 'table statistics kept');
    return 'kept';
  }
  await sql`analyze ${sql.table(`${schema}.${name}`)}`.execute(db);
  log.debug({ table, rows_changed: rowsChanged, rows_estimated: estimate }, 'table statistics refreshed');
  return 'refreshed';
}
