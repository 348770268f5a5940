import { CompiledQuery } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { copyLine, type CopyValue } from './copy-text.ts';
import { openPgliteConnection } from './pglite-connection.ts';
import { openPostgresConnection } from './postgres-connection.ts';

/**
 * One open transaction that a whole file is loaded through: the file row, its records, its rejects
 * and its counts commit together or not at all, so a crash mid-file leaves nothing half-loaded.
 * Queries are built with kysely (types stay checked) and run here as compiled SQL.
 */
export interface StagingConnection {
  run<R>(query: CompiledQuery<R>): Promise<R[]>;
  /** Appends rows given as COPY text lines (see copy-text.ts). */
  copy(table: string, columns: readonly string[], lines: readonly string[]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * PostgreSQL: one pool client with BEGIN/COMMIT of our own, because COPY (pg-copy-streams) needs the
 * raw client and kysely's transaction would hold a different connection. PGlite is a single session:
 * its own COPY from a blob runs inside the transaction kysely opened.
 */
export function openStagingConnection(database: Database): Promise<StagingConnection> {
  if (database.pool) return openPostgresConnection(database.pool);
  if (database.pglite) return openPgliteConnection(database.db, database.pglite);
  throw new Error(`Database at ${database.location} has neither a PostgreSQL pool nor a PGlite instance; open it with openDatabase().`);
}

// Rows turned into COPY text at a time: a stage's whole output as one array of lines would be held at once.
const COPY_ROWS = 20_000;

/** Copies `count` rows (`row(i)` gives the i-th) into a table, turned into COPY text a chunk at a time. */
export async function copyRows(conn: StagingConnection, table: string, columns: readonly string[], count: number, row: (i: number) => CopyValue[]): Promise<void> {
  for (let i = 0; i < count; i += COPY_ROWS) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(count, i + COPY_ROWS); j++) lines.push(copyLine(row(j)));
    await conn.copy(table, columns, lines);
  }
}

/** A temporary table (dropped at commit) filled by COPY, from `items` turned into rows: one statement then applies them all. */
export async function tempTable<T>(conn: StagingConnection, name: string, columns: [string, string][], items: readonly T[], row: (item: T) => CopyValue[]): Promise<void> {
  await conn.run(CompiledQuery.raw(`create temp table ${name} (${columns.map(([c, t]) => `${c} ${t}`).join(', ')}) on commit drop`));
  await copyRows(conn, name, columns.map(([c]) => c), items.length, (i) => row(items[i]!));
  // Temporary tables are never auto-analysed: without statistics the planner guesses their size.
  await conn.run(CompiledQuery.raw(`analyze ${name}`));
}
