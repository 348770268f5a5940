import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { StagingConnection } from './staging-connection.ts';

// Lines per write to the COPY stream: large enough to keep system calls few, small enough to stream.
const LINES_PER_CHUNK = 512;

export async function openPostgresConnection(pool: pg.Pool): Promise<StagingConnection> {
  const client = await pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    // A client that failed to commit or roll back is in an unknown state: destroy it, do not pool it.
    client.release(err);
  };
  try {
    await client.query('begin');
  } catch (err) {
    release(err as Error);
    throw err;
  }
  return {
    async run<R>(query: CompiledQuery<R>): Promise<R[]> {
      const result = await client.query(query.sql, query.parameters as unknown[]);
      return result.rows as R[];
    },
    async copy(table, columns, lines) {
      const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
      await pipeline(Readable.from(chunks(lines)), stream);
    },
    async commit() {
      try {
        await client.query('commit');
        release();
      } catch (err) {
        release(err as Error);
        throw err;
      }
    },
    async rollback() {
      try {
        await client.query('rollback');
        release();
      } catch (err) {
        release(err as Error);
      }
    },
  };
}

function* chunks(lines: readonly string[]): Generator<string> {
  for (let i = 0; i < lines.length; i += LINES_PER_CHUNK) yield lines.slice(i, i + LINES_PER_CHUNK).join('');
}
