import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The floor: PostgreSQL's own CSV COPY of the same file into a plain table of text columns, no
 * parsing, validation or lineage on our side. Returns seconds and rows.
 */
export async function plainCopy(url: string, file: string, columns: number, encoding: 'utf-8' | 'gb18030'): Promise<{ seconds: number; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('drop table if exists bench_copy_floor');
    await client.query(`create table bench_copy_floor (${Array.from({ length: columns }, (_, i) => `c${i + 1} text`).join(', ')})`);
    const started = performance.now();
    const sqlEncoding = encoding === 'gb18030' ? 'GB18030' : 'UTF8';
    await pipeline(fs.createReadStream(file), client.query(copyFrom(`copy bench_copy_floor from stdin with (format csv, header true, encoding '${sqlEncoding}')`)));
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query<{ n: string }>('select count(*) as n from bench_copy_floor');
    await client.query('drop table bench_copy_floor');
    return { seconds, rows: Number(rows[0]!.n) };
  } finally {
    await client.end();
  }
}
