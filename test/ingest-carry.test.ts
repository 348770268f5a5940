import fs from 'node:fs';
import path from 'node:path';
import { parseString } from 'fast-csv';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCsv } from '../connectors/csv-reader.ts';
import { ingest } from '../pipelines/ingest.ts';
import { exportCrosswalk } from '../pipelines/publish/exports.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { runSync } from '../pipelines/run.ts';
import type { StageContext } from '../pipelines/stage.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

const HEADER = '统一社会信用代码,企业名称,住所,经营范围';

function write(dir: string, agency: string, name: string, text: string): void {
  fs.mkdirSync(path.join(dir, agency), { recursive: true });
  const file = path.join(dir, agency, name);
  fs.writeFileSync(file, text);
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
}

function line(i: number, renamed = false): string {
  return `91321000MA${String(i).padStart(7, '0')}X,扬州市第${i}号${renamed ? '（更名）' : ''}商贸有限公司,"江苏省扬州市广陵区文昌路${i}号","零售,批发"`;
}

const csv = (lines: string[]) => `${[HEADER, ...lines].join('\r\n')}\r\n`;

async function newRun(database: TestDatabase): Promise<StageContext> {
  const { id } = await database.db
    .insertInto('runs.run')
    .values({ as_of: '2026-11-27', started_at: new Date(), finished_at: null, inbox: null, error: null, summary: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { database, db: database.db, runId: id, asOf: '2026-11-27', log: silentLogger };
}

describe.each(engines())('re-delivered rows are carried, not staged again, on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => database?.dispose());

  it('stages only the changed and new rows of a newer snapshot and carries the rest against the records that first delivered them', async () => {
    const inbox = tempDir();
    // A: rows 1..300, and row 1's content once more (row 301): two records of the same content.
    const a = [...Array.from({ length: 300 }, (_, k) => line(k + 1)), line(1)];
    // B: 10 and 20 changed, 30 gone, row 1's content three times, 302 and 303 new.
    const b = [...Array.from({ length: 300 }, (_, k) => k + 1).filter((i) => i !== 30).map((i) => line(i, i === 10 || i === 20)), line(1), line(1), line(302), line(303)];
    write(inbox, 'market', 'market-20260101.csv', csv(a));
    write(inbox, 'market', 'market-20260201.csv', csv(b));
    const counts = await ingest(await newRun(database), { inbox, archive: false });
    // 296 untouched rows and two of the three copies of row 1 are carried; the third copy has no record left to carry to.
    // B is laid out as A: the 296 are recognised by their text; row 1's content, which A held twice, is read and matched by content.
    expect(counts).toMatchObject({ files_loaded: 2, rows_staged: 301 + 303, rows_unchanged: 298, rows_known_by_text: 296 });

    const files = await database.db.selectFrom('staging.file').select(['id', 'file_name', 'row_count']).orderBy('id').execute();
    const [fa, fb] = [files[0]!, files[1]!];
    expect(fb.row_count).toBe(303);
    const stagedB = await database.db.selectFrom('staging.record').select(['row', 'fields']).where('file_id', '=', fb.id).orderBy('row').execute();
    expect(stagedB.map((r) => (r.fields as Record<string, string>).name)).toEqual([
      '扬州市第10号（更名）商贸有限公司',
      '扬州市第20号（更名）商贸有限公司',
      '扬州市第1号商贸有限公司',
      '扬州市第302号商贸有限公司',
      '扬州市第303号商贸有限公司',
    ]);
    const carried = await database.db
      .selectFrom('staging.carried as c')
      .innerJoin('staging.record as r', 'r.id', 'c.record_id')
      .select(['c.row', 'r.file_id', 'r.row as first_row'])
      .where('c.file_id', '=', fb.id)
      .orderBy('c.row')
      .execute();
    expect(carried).toHaveLength(298);
    // Every carried row points at A's record of the same content; rows and record rows differ after the gap at 30.
    expect(carried.every((c) => c.file_id === fa.id)).toBe(true);
    expect(carried.find((c) => c.row === 40)).toMatchObject({ first_row: 41 });
    expect(carried.filter((c) => c.first_row === 1 || c.first_row === 301).map((c) => c.first_row).sort((x, y) => x - y)).toEqual([1, 301]);
    // A line known by its text is its record's own line: its hash is not stored again. Row 1's copies, matched by content, keep theirs.
    const hashes = await database.db.selectFrom('staging.carried').select(['row', 'raw_hash']).where('file_id', '=', fb.id).execute();
    expect(hashes.filter((h) => h.raw_hash === null)).toHaveLength(296);
    expect(hashes.filter((h) => h.raw_hash !== null)).toHaveLength(2);
    const delta = await database.db.selectFrom('staging.snapshot_delta').selectAll().where('file_id', '=', fb.id).executeTakeFirstOrThrow();
    expect(delta).toMatchObject({ kind: 'market', previous_file_id: fa.id, rows_unchanged: 298 });

    // C follows B: what B staged and what B carried are both there to carry to (loaded by INSERT this time).
    const inbox2 = tempDir();
    write(inbox2, 'market', 'market-20260301.csv', csv(b.map((l, k) => (k === 38 ? line(40, true) : l))));
    const again = await ingest(await newRun(database), { inbox: inbox2, archive: false, method: 'insert' });
    // What B carried keeps its line's hash, so C knows those lines too: all but the changed one and row 1's three copies.
    expect(again).toMatchObject({ files_loaded: 1, rows_staged: 303, rows_unchanged: 302, rows_known_by_text: 299 });
    const fc = (await database.db.selectFrom('staging.file').select('id').where('file_name', '=', 'market-20260301.csv').executeTakeFirstOrThrow()).id;
    expect(await database.db.selectFrom('staging.record').select('row').where('file_id', '=', fc).execute()).toEqual([{ row: 39 }]);
    const { rows } = await sql<{ file_name: string; n: string }>`
      select f.file_name, count(*) as n from staging.carried c join staging.record r on r.id = c.record_id join staging.file f on f.id = r.file_id
      where c.file_id = ${fc} group by f.file_name order by f.file_name`.execute(database.db);
    expect(rows.map((r) => [r.file_name, Number(r.n)])).toEqual([
      ['market-20260101.csv', 297],
      ['market-20260201.csv', 5],
    ]);
  });

  it('a register laid out differently is matched by content; the next one in the same layout is known by its lines again', async () => {
    // The same register with its columns in another order: no line's text is the same, every row's content is.
    const a = Array.from({ length: 200 }, (_, k) => line(k + 1));
    const reorder = (l: string) => {
      const [code, name, address, scope] = l.match(/("[^"]*"|[^,]+)/g)!;
      return [name, address, code, scope].join(',');
    };
    const header2 = '企业名称,住所,统一社会信用代码,经营范围';
    const b = a.map(reorder);
    const c = b.map((l, k) => (k === 7 ? reorder(line(8, true)) : l));
    const inbox = tempDir();
    write(inbox, 'market', 'market-20270101.csv', csv(a));
    write(inbox, 'market', 'market-20270201.csv', `${[header2, ...b].join('\r\n')}\r\n`);
    write(inbox, 'market', 'market-20270301.csv', `${[header2, ...c].join('\r\n')}\r\n`);
    // A database of its own: in the shared one, A would follow the market files of the test above.
    const database = await freshDatabase(engine);
    try {
      const counts = await ingest(await newRun(database), { inbox, archive: false });
      expect(counts).toMatchObject({ files_loaded: 3, rows_unchanged: 200 + 199, rows_known_by_text: 199 });
      const ids = await database.db.selectFrom('staging.file').select(['id', 'file_name']).where('file_name', 'like', 'market-2027%').orderBy('file_name').execute();
      const [fa, fb, fc] = ids.map((f) => f.id);
      // B's rows point at A's records; C's at the same records, through B's carried rows.
      const pointsAt = async (fileId: number) =>
        (await database.db.selectFrom('staging.carried').select(['row', 'record_id', 'raw_hash']).where('file_id', '=', fileId).orderBy('row').execute());
      const carriedB = await pointsAt(fb!);
      const carriedC = await pointsAt(fc!);
      expect(carriedB).toHaveLength(200);
      expect(carriedC).toHaveLength(199);
      const recordsA = new Map((await database.db.selectFrom('staging.record').select(['id', 'row']).where('file_id', '=', fa!).execute()).map((r) => [r.row, r.id]));
      for (const r of carriedB) expect(r.record_id).toBe(recordsA.get(r.row));
      for (const r of carriedC) expect(r.record_id).toBe(recordsA.get(r.row));
      // Every row keeps the hash of its own line, whichever way it was recognised.
      expect(carriedC.find((r) => r.row === 1)!.raw_hash).toBe(carriedB.find((r) => r.row === 1)!.raw_hash);
      expect(carriedB.find((r) => r.row === 1)!.raw_hash).not.toBe(
        (await database.db.selectFrom('staging.record').select('raw_hash').where('file_id', '=', fa!).where('row', '=', 1).executeTakeFirstOrThrow()).raw_hash,
      );
      expect(await database.db.selectFrom('staging.record').select(['row', 'raw_hash']).where('file_id', '=', fc!).execute()).toEqual([{ row: 8, raw_hash: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
    } finally {
      await database.dispose();
    }
  });

  it('carries nothing for the labour bureau\'s own lists: each of their files is read whole', async () => {
    const inbox = tempDir();
    const grids = fs.readFileSync(path.join(SAMPLES, 'labour/grids-20261127.csv'), 'utf8');
    write(inbox, 'labour', 'grids-20261127.csv', grids);
    // The same rows again, as a later file (another byte: another content hash).
    write(inbox, 'labour', 'grids-20261201.csv', `${grids}\r\n`);
    const counts = await ingest(await newRun(database), { inbox, archive: false });
    expect(counts).toMatchObject({ files_loaded: 2 });
    const files = await database.db.selectFrom('staging.file').select(['id', 'row_count']).where('file_name', 'in', ['grids-20261127.csv', 'grids-20261201.csv']).orderBy('id').execute();
    expect(files).toHaveLength(2);
    expect(files[1]!.row_count).toBeGreaterThan(100);
    expect(await database.db.selectFrom('staging.record').select('row').where('file_id', '=', files[1]!.id).execute()).toHaveLength(files[1]!.row_count);
    expect(await database.db.selectFrom('staging.carried').select('row').where('file_id', '=', files[1]!.id).execute()).toEqual([]);
    const delta = await database.db.selectFrom('staging.snapshot_delta').selectAll().where('file_id', '=', files[1]!.id).executeTakeFirstOrThrow();
    expect(delta).toMatchObject({ previous_file_id: files[0]!.id, rows_unchanged: files[1]!.row_count });
  });
});

function parseCsv(text: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  return new Promise((resolve, reject) =>
    parseString(text.replace(/^\ufeff/, ''), { headers: true })
      .on('data', (r: Record<string, string>) => rows.push(r))
      .on('end', () => resolve(rows))
      .on('error', reject),
  );
}

/** The sample market register's header and records as raw text, to write a later snapshot in the same shape. */
async function rawRecords(file: string): Promise<{ header: string; records: { row: number; rawText: string }[] }> {
  const sheet = await openCsv(file);
  const records: { row: number; rawText: string }[] = [];
  for await (const r of sheet.records) records.push({ row: r.row, rawText: r.rawText });
  return { header: sheet.headerRawText, records };
}

describe.each(engines())('a second sync after a small change, on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => database?.dispose());

  it('re-derives only the units the change touched; units re-delivered unchanged keep their records and golden record', async () => {
    const inbox = copyInbox(SAMPLES);
    const first = await runSync(database, { inbox, asOf: '2026-11-27', log: silentLogger });
    const consolidatedFirst = Number(first.stages.find((s) => s.stage === 'consolidate')!.counts.units_consolidated);
    expect(consolidatedFirst).toBeGreaterThan(50);

    const liveUnits = () =>
      database.db
        .selectFrom('registry.unit as u')
        .innerJoin('registry.unit_golden as g', 'g.unit_id', 'u.id')
        .select(['u.id', 'g.golden', 'u.status', 'u.updated_run'])
        .where('u.retired_run', 'is', null)
        .execute();
    const before = await liveUnits();
    const goldenBefore = new Map(before.map((u) => [u.id, JSON.stringify(u.golden)]));
    const recordsBefore = Number((await database.db.selectFrom('registry.record').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    // Market units reported by market alone: one drops out of the new snapshot, one is renamed.
    const { rows: alone } = await sql<{ unit_id: string; record_id: string; row: number }>`
      select m.unit_id, r.record_id, r.row
      from registry.unit_member m join registry.record r using (record_id)
      where m.unit_id in (select unit_id from registry.unit_member mm join registry.record rr using (record_id)
                          group by unit_id having count(*) = 1 and bool_and(rr.agency = 'market'))
      order by r.row`.execute(database.db);
    const sample = await rawRecords(path.join(SAMPLES, 'market/market-20261127.csv'));
    const raw = new Map(sample.records.map((r) => [r.row, r.rawText]));
    const gone = alone[0]!;
    // The name is the last column: a row ending in it unquoted can be renamed in place.
    const renamed = alone.find((u) => u !== gone && raw.get(u.row)!.endsWith('有限公司'))!;
    expect(renamed).toBeDefined();
    const lines = sample.records.filter((r) => r.row !== gone.row).map((r) => (r.row === renamed.row ? `${r.rawText.slice(0, -4)}实业有限公司` : r.rawText));
    write(inbox, 'market', 'market-20261201.csv', `\ufeff${[sample.header, ...lines].join('\r\n')}\r\n`);

    const second = await runSync(database, { inbox, asOf: '2026-12-01', log: silentLogger });
    const stage = (name: string) => second.stages.find((s) => s.stage === name)!.counts as Record<string, unknown>;
    const rejectedBefore = Number((await database.db.selectFrom('staging.file').select('reject_count').where('file_name', '=', 'market-20261127.csv').executeTakeFirstOrThrow()).reject_count);
    expect(stage('ingest')).toMatchObject({ files_loaded: 1, rows_unchanged: sample.records.length - 2 - rejectedBefore });
    // Only the renamed row became a new record.
    expect(stage('normalize')).toMatchObject({ records: 1 });
    expect(Number((await database.db.selectFrom('registry.record').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(recordsBefore + 1);
    const touched = Number(stage('consolidate').units_consolidated);
    expect(touched).toBeGreaterThanOrEqual(2);
    expect(touched).toBeLessThanOrEqual(3); // the unit that went, the renamed one's old unit, and its new one if it moved
    expect(touched).toBeLessThan(consolidatedFirst / 10);

    const after = await liveUnits();
    const goneUnit = after.find((u) => u.id === gone.unit_id)!;
    expect(goneUnit.status).toBe('unreported');
    expect(await database.db.selectFrom('registry.record').select('is_current').where('record_id', '=', gone.record_id).executeTakeFirstOrThrow()).toEqual({ is_current: false });
    // Every other unit of the first sync is as it was: same golden record, and not re-derived.
    const unchanged = after.filter((u) => u.id !== gone.unit_id && u.id !== renamed.unit_id && u.updated_run === before.find((b) => b.id === u.id)?.updated_run);
    expect(unchanged.length).toBeGreaterThanOrEqual(before.length - 3);
    for (const u of unchanged) expect(JSON.stringify(u.golden)).toBe(goldenBefore.get(u.id));
    // A market unit re-delivered unchanged: its record is still current, still its only market record.
    const { rows: kept } = await sql<{ unit_id: string; n: string; current: boolean }>`
      select m.unit_id, count(*) as n, bool_and(r.is_current) as current
      from registry.unit_member m join registry.record r using (record_id)
      where r.agency = 'market' and m.unit_id not in (${gone.unit_id}, ${renamed.unit_id})
      group by m.unit_id`.execute(database.db);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.every((k) => k.current && Number(k.n) === 1)).toBe(true);

    // The crosswalk still has a row for every row of the new file: a carried one goes to its record's unit.
    const out = path.join(tempDir(), 'crosswalk.csv');
    await exportCrosswalk(database.db, out);
    const crosswalk = await parseCsv(fs.readFileSync(out, 'utf8'));
    const newFile = crosswalk.filter((r) => r.file === 'market-20261201.csv');
    expect(newFile.map((r) => Number(r.row)).sort((x, y) => x - y)).toEqual(lines.map((_, k) => k + 1));
    const unitOf = new Map(crosswalk.filter((r) => r.file === 'market-20261127.csv').map((r) => [r.record_id, r.unit_id]));
    const carriedRows = newFile.filter((r) => r.reason?.includes('market-20261127.csv'));
    expect(carriedRows).toHaveLength(sample.records.length - 2 - rejectedBefore);
    for (const r of carriedRows) expect(r).toMatchObject({ status: 'linked', unit_id: unitOf.get(r.record_id) });
  });
});
