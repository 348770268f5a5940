import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyLine, type CopyValue } from '../pipelines/ingest/copy-text.ts';
import { openStagingConnection } from '../pipelines/ingest/staging-connection.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';

// Every character COPY's text format treats specially, Chinese text, empty strings, NULLs and numbers.
const ROWS: CopyValue[][] = [
  ['扬州市广陵区文昌中路1号', 'tab\there', 7],
  ['line\nbreak and \r return', 'back\\slash \\N not null', null],
  ['', null, 0],
  ['"quoted", comma', '\\', -12],
];

describe.each(engines())('COPY text lines on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('read back exactly as written, one line per row', async () => {
    expect(copyLine(['a', null, 3])).toBe('a\t\\N\t3\n');
    const conn = await openStagingConnection(database);
    let back: { a: string | null; b: string | null; n: number | null }[];
    try {
      await conn.run(CompiledQuery.raw('create temp table copy_check (ord serial, a text, b text, n int) on commit drop'));
      await conn.copy('copy_check', ['a', 'b', 'n'], ROWS.map(copyLine));
      back = (await conn.run(CompiledQuery.raw('select a, b, n from copy_check order by ord'))) as typeof back;
    } finally {
      await conn.rollback();
    }
    expect(back.map((r) => [r.a, r.b, r.n])).toEqual(ROWS);
  });
});
