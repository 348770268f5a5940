import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCsv } from '../connectors/csv-reader.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import type { Golden } from '../pipelines/consolidate.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

const MARKET_A = path.join(SAMPLES, 'market/market-20261127.csv');

/** The sample's header and records as raw text, so a test can write a later snapshot in the same shape. */
async function rawRecords(file: string): Promise<{ header: string; records: { row: number; rawText: string }[] }> {
  const sheet = await openCsv(file);
  const records: { row: number; rawText: string }[] = [];
  for await (const r of sheet.records) records.push({ row: r.row, rawText: r.rawText });
  return { header: sheet.headerRawText, records };
}

function dropIntoInbox(inbox: string, agency: string, name: string, text: string | Buffer): string {
  fs.mkdirSync(path.join(inbox, agency), { recursive: true });
  const file = path.join(inbox, agency, name);
  fs.writeFileSync(file, text);
  // An old mtime: the inbox takes the file without waiting for it to settle.
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  return file;
}

describe.each(engines())('lineage of staged records on %s', (engine) => {
  let database: TestDatabase;
  let inbox: string;
  let sample: Awaited<ReturnType<typeof rawRecords>>;
  let first: Awaited<ReturnType<typeof runSync>>;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    inbox = tempDir();
    sample = await rawRecords(MARKET_A);
    dropIntoInbox(inbox, 'market', 'market-20261127.csv', fs.readFileSync(MARKET_A));
    first = await runSync(database, { inbox, asOf: '2026-11-27', log: silentLogger });
  });
  afterAll(async () => database?.dispose());

  it('keeps agency, file name, 1-based row, content hash and load time with every staged record', async () => {
    const hash = crypto.createHash('sha256').update(fs.readFileSync(MARKET_A)).digest('hex');
    const staged = await database.db
      .selectFrom('staging.record as r')
      .innerJoin('staging.file as f', 'f.id', 'r.file_id')
      .select(['r.agency', 'r.kind', 'r.row', 'f.file_name', 'f.content_hash', 'f.loaded_at', 'f.snapshot_date', 'f.row_count', 'f.reject_count'])
      .orderBy('r.row')
      .execute();
    const rejected = await database.db.selectFrom('staging.reject').select('row').execute();
    expect(staged.length + rejected.length).toBe(sample.records.length);
    // Rows are the data-record ordinals of the file: staged and rejected rows together are exactly 1..N.
    expect([...staged.map((r) => r.row), ...rejected.map((r) => r.row!)].sort((a, b) => a - b)).toEqual(sample.records.map((r) => r.row));
    for (const r of staged) {
      expect(r).toMatchObject({ agency: 'market', kind: 'market', file_name: 'market-20261127.csv', content_hash: hash, snapshot_date: '2026-11-27' });
      expect(r.loaded_at).toBeInstanceOf(Date);
    }
    expect(staged[0]!.row_count).toBe(staged.length);
    expect(first.stages[0]!.counts).toMatchObject({ files_loaded: 1, rows_staged: staged.length, rows_unchanged: 0 });
  });

  it('a newer snapshot without one unit keeps its records, marks them not current, and the unit stays in the register', async () => {
    // A unit that only the market register reports, so nothing else vouches for it once market stops.
    const { rows } = await sql<{ unit_id: string; record_id: string; row: number }>`
      select m.unit_id, r.record_id, r.row
      from registry.unit_member m join registry.record r using (record_id)
      where m.unit_id in (select unit_id from registry.unit_member mm join registry.record rr using (record_id)
                          group by unit_id having count(*) = 1 and bool_and(rr.agency = 'market'))
      order by r.row limit 1`.execute(database.db);
    const gone = rows[0]!;
    const kept = sample.records.filter((r) => r.row !== gone.row);
    dropIntoInbox(inbox, 'market', 'market-20261201.csv', `\ufeff${[sample.header, ...kept.map((r) => r.rawText)].join('\r\n')}\r\n`);

    const second = await runSync(database, { inbox, asOf: '2026-12-01', log: silentLogger });
    const ingestCounts = second.stages.find((s) => s.stage === 'ingest')!.counts;
    const rejectedBefore = Number((await database.db.selectFrom('staging.file').select('reject_count').where('file_name', '=', 'market-20261127.csv').executeTakeFirstOrThrow()).reject_count);
    // Every staged row of B is a row of A: all unchanged, whatever their new row numbers.
    expect(ingestCounts).toMatchObject({ files_loaded: 1, rows_staged: sample.records.length - 1 - rejectedBefore, rows_unchanged: sample.records.length - 1 - rejectedBefore });
    const files = await database.db.selectFrom('staging.file').select(['id', 'file_name']).orderBy('id').execute();
    const delta = await database.db.selectFrom('staging.snapshot_delta').selectAll().where('file_id', '=', files[1]!.id).executeTakeFirstOrThrow();
    expect(delta).toMatchObject({ kind: 'market', previous_file_id: files[0]!.id, rows_unchanged: ingestCounts.rows_unchanged });

    const record = await database.db.selectFrom('registry.record').select(['record_id', 'is_current', 'file_id']).where('record_id', '=', gone.record_id).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ is_current: false, file_id: files[0]!.id });
    expect(await database.db.selectFrom('staging.record').select('id').where('id', '=', gone.record_id).executeTakeFirst()).toBeTruthy();
    const unit = await database.db
      .selectFrom('registry.unit as u')
      .innerJoin('registry.unit_golden as g', 'g.unit_id', 'u.id')
      .selectAll('u')
      .select('g.golden')
      .where('u.id', '=', gone.unit_id)
      .executeTakeFirstOrThrow();
    expect(unit.retired_run).toBeNull();
    const golden = unit.golden as Golden;
    expect(unit.status).toBe('unreported');
    // The golden record still shows where the unit was last seen: market's earlier snapshot.
    expect(golden.name).toMatchObject({ agency: 'market', file: 'market-20261127.csv', row: gone.row });

    // Every other market unit is reported by the newer file now: B re-delivered their rows unchanged, so
    // each of B's rows is carried against A's record, which stays the unit's record and is current again.
    const current = await database.db.selectFrom('registry.record').select(['record_id', 'file_id']).where('agency', '=', 'market').where('is_current', '=', true).execute();
    expect(current).toHaveLength(sample.records.length - 1 - rejectedBefore);
    expect(await database.db.selectFrom('staging.record').select('id').where('file_id', '=', files[1]!.id).execute()).toEqual([]);
    const carried = await database.db.selectFrom('staging.carried').select(['record_id', 'row']).where('file_id', '=', files[1]!.id).execute();
    expect(new Set(carried.map((c) => String(c.record_id)))).toEqual(new Set(current.map((c) => String(c.record_id))));
    expect(carried.map((c) => c.record_id)).not.toContain(gone.record_id);
    const members = await database.db.selectFrom('registry.unit_member').select('record_id').where('unit_id', '=', gone.unit_id).execute();
    expect(members.map((m) => m.record_id)).toEqual([gone.record_id]);
  });
});
