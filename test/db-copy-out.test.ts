import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOut, copyOutRows } from '../db/copy-out.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';

describe.each(engines())('reading rows as COPY text on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => database?.dispose());

  it('gives every row as the driver does: nulls, tabs, line breaks, backslashes and Chinese come back as they were', async () => {
    const values = sql`(values (1, '扬州市恒扬建材有限公司', null::text, '2026-11-27'::date),
      (2, ${sql.lit('王\t伟\n第二行\\反斜杠')}, '', null::date),
      (3, ${sql.lit('\\N')}, '{"a" : 1}', '2026-02-28'::date)) as v(n, name, note, day)`;
    const query = sql<{ n: number; name: string; note: string | null; day: string | null }>`select n, name, note, day from ${values} order by n`;
    const expected = (await query.execute(database.db)).rows.map((r) => [String(r.n), r.name, r.note, r.day]);
    const read = await copyOutRows(database, query.compile(database.db), (fields) => fields);
    expect(read).toEqual(expected);
    expect(read[1]![1]).toBe('王\t伟\n第二行\\反斜杠');
    // A text field spelled like COPY's NULL marker is still text.
    expect(read[2]![1]).toBe('\\N');
  });

  it('reads more rows than one chunk of the stream, in the query order', async () => {
    const query = sql`select g, repeat('扬州', g % 50) from generate_series(1, 20000) g order by g`.compile(database.db);
    let count = 0;
    let last = 0;
    await copyOut(database, query, ([n, text]) => {
      count++;
      expect(Number(n)).toBe(last + 1);
      last = Number(n);
      expect(text).toBe('扬州'.repeat(last % 50));
    });
    expect(count).toBe(20000);
  });

  it('refuses a query with bind parameters, saying to inline them', async () => {
    const query = database.db.selectFrom('grid.placement').select('unit_id').where('method', '=', 'steward').compile();
    await expect(copyOut(database, query, () => undefined)).rejects.toThrow(/no bind parameters.*sql\.lit/);
  });
});
