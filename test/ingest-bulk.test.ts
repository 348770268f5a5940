import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeed, type SourceRow } from '../connectors/feed.ts';
import { openDatabase } from '../db/connect.ts';
import { ingest, type IngestOptions } from '../pipelines/ingest.ts';
import { silentLogger } from '../pipelines/logger.ts';
import type { StageContext } from '../pipelines/stage.ts';
import { createThrowawayDatabase, engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

const HEADER = '统一社会信用代码,企业名称,住所,经营范围,备注';

/** Cells that COPY's text format must escape, and text that looks like its markers. */
const TRICKY_ROWS = [
  '91321000MA1XXXXX01,"扬州\t制表符有限公司",C:\\dir\\N,"第一行\r\n第二行\n第三行",\\N',
  '91321000MA1XXXXX02,"带""引号""的公司","含逗号,的地址","反斜杠\\\\两个",😀 emoji 備註',
  '91321000MA1XXXXX03,"空\u0000字符公司",文昌路1号,,\\.',
  ',仅有名称的单位,,,只有备注',
  ',,,"无名\t无码\r\n的行\\",C:\\N',
];

function write(dir: string, agency: string, name: string, text: string | Buffer): string {
  fs.mkdirSync(path.join(dir, agency), { recursive: true });
  const file = path.join(dir, agency, name);
  fs.writeFileSync(file, text);
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  return file;
}

/** A market register of `n` rows, with quoted fields, commas and line breaks like the real ones. */
function marketCsv(n: number, salt = ''): string {
  const lines = [HEADER];
  for (let i = 1; i <= n; i++) {
    lines.push(`91321000MA${String(i).padStart(7, '0')}X,扬州市第${i}号${salt}贸易有限公司,"江苏省扬州市广陵区文昌路${i}号",\"零售,批发\n（依法须经批准的项目）\",`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function newRun(database: TestDatabase): Promise<StageContext> {
  const { id } = await database.db
    .insertInto('runs.run')
    .values({ as_of: '2026-11-27', started_at: new Date(), finished_at: null, inbox: null, error: null, summary: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { database, db: database.db, runId: id, asOf: '2026-11-27', log: silentLogger };
}

async function feedRows(file: string): Promise<SourceRow[]> {
  const feed = await openFeed(file, 'market');
  const rows: SourceRow[] = [];
  for await (const item of feed.rows) if (!('reason' in item)) rows.push(item);
  return rows;
}

async function stagedOf(database: TestDatabase, fileName: string) {
  return database.db
    .selectFrom('staging.record as r')
    .innerJoin('staging.file as f', 'f.id', 'r.file_id')
    .select(['r.row', 'r.row_hash', 'r.fields', 'r.extras'])
    .where('f.file_name', '=', fileName)
    .orderBy('r.row')
    .execute();
}

describe.each(engines())('bulk loading into staging on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => database?.dispose());

  it('COPY stores tabs, backslashes, line breaks, quotes and \\N text exactly as read', async () => {
    const inbox = tempDir();
    // Ordinary rows first: a NUL in the first 8 KB would make the file look binary (and be quarantined).
    const filler = marketCsv(200, '丁').trimEnd().split('\r\n').slice(1);
    const file = write(inbox, 'market', 'market-tricky.csv', `${HEADER}\n${[...filler, ...TRICKY_ROWS].join('\n')}\n`);
    const expected = await feedRows(file);
    const counts = await ingest(await newRun(database), { inbox, archive: false, method: 'copy' });
    expect(counts).toMatchObject({ files_loaded: 1, rows_staged: 204, rows_rejected: 1 });
    // Rejects keep the raw text, line breaks and tabs included.
    const rejects = await database.db.selectFrom('staging.reject as j').innerJoin('staging.file as f', 'f.id', 'j.file_id').select(['j.row', 'j.raw_text']).where('f.file_name', '=', 'market-tricky.csv').execute();
    expect(rejects).toEqual([{ row: 205, raw_text: ',,,"无名\t无码\r\n的行\\",C:\\N' }]);
    const staged = await stagedOf(database, 'market-tricky.csv');
    const strip = (o: Record<string, string>) => JSON.parse(JSON.stringify(o).replaceAll('\\u0000', '')) as Record<string, string>;
    expect(staged.map((s) => ({ row: s.row, fields: s.fields, extras: s.extras }))).toEqual(
      expected.filter((e) => e.row !== 205).map((e) => ({ row: e.row, fields: strip(e.fields), extras: Object.keys(e.extras).length ? e.extras : null })),
    );
    expect((staged[200]!.fields as Record<string, string>).business_scope).toBe('第一行\r\n第二行\n第三行');
    expect(staged[200]!.extras).toEqual({ 备注: '\\N' });
    expect((staged[202]!.fields as Record<string, string>).name).toBe('空字符公司');
  });

  it('COPY and multi-row INSERT stage the same rows', async () => {
    const inbox = tempDir();
    const text = marketCsv(2500);
    write(inbox, 'market', 'market-copy.csv', text);
    await ingest(await newRun(database), { inbox, archive: false, method: 'copy', batchRows: 1000 });
    // A database of its own: here the same records would be carried against market-copy.csv, not staged.
    const other = await freshDatabase(engine);
    try {
      const inbox2 = tempDir();
      // Another byte at the end: a different file (content hash) with the same records.
      write(inbox2, 'market', 'market-insert.csv', `${text}\r\n`);
      const counts = await ingest(await newRun(other), { inbox: inbox2, archive: false, method: 'insert', batchRows: 1000 });
      expect(counts).toMatchObject({ files_loaded: 1, rows_staged: 2500, rows_unchanged: 0 });
      const byCopy = await stagedOf(database, 'market-copy.csv');
      const byInsert = await stagedOf(other, 'market-insert.csv');
      expect(byCopy).toHaveLength(2500);
      expect(byInsert).toEqual(byCopy);
    } finally {
      await other.dispose();
    }
  });

  it('a snapshot with changed rows counts only the untouched ones as unchanged, whatever the column order', async () => {
    const inbox = tempDir();
    const lines = marketCsv(300, '甲').trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    // The same register with its columns in another order, and rows 10 and 20 changed.
    const reordered = [
      [header[1], header[0], header[2], header[3], header[4]].join(','),
      ...Array.from({ length: 300 }, (_, k) => {
        const i = k + 1;
        const name = i === 10 || i === 20 ? `扬州市第${i}号甲贸易有限公司（已更名）` : `扬州市第${i}号甲贸易有限公司`;
        return `${name},91321000MA${String(i).padStart(7, '0')}X,"江苏省扬州市广陵区文昌路${i}号","零售,批发\n（依法须经批准的项目）",`;
      }),
    ];
    write(inbox, 'market', 'market-20260101.csv', `${lines.join('\r\n')}\r\n`);
    write(inbox, 'market', 'market-20260201.csv', `${reordered.join('\r\n')}\r\n`);
    const counts = await ingest(await newRun(database), { inbox, archive: false });
    expect(counts).toMatchObject({ files_loaded: 2, rows_staged: 600, rows_unchanged: 298 });
    const deltas = await database.db
      .selectFrom('staging.snapshot_delta as d')
      .innerJoin('staging.file as f', 'f.id', 'd.file_id')
      .leftJoin('staging.file as p', 'p.id', 'd.previous_file_id')
      .select(['f.file_name', 'p.file_name as previous', 'd.rows_unchanged'])
      .where('f.file_name', 'in', ['market-20260101.csv', 'market-20260201.csv'])
      .orderBy('f.file_name')
      .execute();
    // The earlier file follows whatever market file came before it in this database; the later one follows it.
    expect(deltas[1]).toEqual({ file_name: 'market-20260201.csv', previous: 'market-20260101.csv', rows_unchanged: 298 });
  });

  it('a file that fails mid-load leaves nothing behind and stays in the inbox; the next run loads it whole', async () => {
    const inbox = tempDir();
    const file = write(inbox, 'market', 'market-failing.csv', marketCsv(3000, '乙'));
    // A fault the database raises while the third batch is copied, after two batches went in.
    await sql`
      create function staging.fail_row() returns trigger language plpgsql as $$
      begin
        if new.row = 2500 then raise exception 'disk full (simulated)'; end if;
        return new;
      end $$`.execute(database.db);
    await sql`create trigger fail_row before insert on staging.record for each row execute function staging.fail_row()`.execute(database.db);
    // Bulk writes run with session_replication_role = replica (db/foreign-keys-by-set.ts): only ALWAYS triggers fire.
    await sql`alter table staging.record enable always trigger fail_row`.execute(database.db);
    await expect(ingest(await newRun(database), { inbox, batchRows: 1000 })).rejects.toThrow(/disk full \(simulated\)/);
    await sql`drop trigger fail_row on staging.record`.execute(database.db);

    expect(await database.db.selectFrom('staging.file').select('id').where('file_name', '=', 'market-failing.csv').execute()).toEqual([]);
    const { rows } = await sql<{ n: string }>`select count(*) as n from staging.record where fields->>'name' like '%乙贸易%'`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(0);
    expect(fs.existsSync(file)).toBe(true);

    const again = await ingest(await newRun(database), { inbox, batchRows: 1000 });
    expect(again).toMatchObject({ files_loaded: 1, rows_staged: 3000 });
    expect(await stagedOf(database, 'market-failing.csv')).toHaveLength(3000);
  });

  it('the same content twice in one inbox is loaded once', async () => {
    const inbox = tempDir();
    const text = marketCsv(50, '丙');
    write(inbox, 'market', 'market-20260301.csv', text);
    write(inbox, 'market', 'market-20260301 (copy).csv', text);
    const counts = await ingest(await newRun(database), { inbox });
    expect(counts).toMatchObject({ files_seen: 2, files_loaded: 1, files_duplicate: 1, rows_staged: 50 });
    expect(fs.readdirSync(path.join(inbox, 'market'))).toEqual([]);
  });
});

describe.runIf(engines().includes('postgres'))('agencies loaded concurrently on PostgreSQL', () => {
  it('stage the same rows as one agency at a time', async () => {
    const loadAll = async (concurrency: number) => {
      const { url, drop } = await createThrowawayDatabase();
      const database = await openDatabase({ url, poolSize: 4 });
      try {
        const { id } = await database.db.insertInto('runs.run').values({ as_of: '2026-11-27', started_at: new Date(), finished_at: null, inbox: null, error: null, summary: null }).returning('id').executeTakeFirstOrThrow();
        const options: IngestOptions = { inbox: copyInbox(SAMPLES), archive: false, concurrency };
        const counts = await ingest({ database, db: database.db, runId: id, asOf: '2026-11-27', log: silentLogger }, options);
        const staged = await database.db
          .selectFrom('staging.record as r')
          .innerJoin('staging.file as f', 'f.id', 'r.file_id')
          .select(['f.file_name', 'r.row', 'r.row_hash', 'r.fields', 'r.extras'])
          .orderBy('f.file_name')
          .orderBy('r.row')
          .execute();
        return { counts, staged };
      } finally {
        await database.close();
        await drop();
      }
    };
    const sequential = await loadAll(1);
    const concurrent = await loadAll(3);
    expect(sequential.counts).toMatchObject({ files_loaded: 12, files_quarantined: 0 });
    expect(concurrent.counts).toEqual(sequential.counts);
    expect(concurrent.staged).toEqual(sequential.staged);
  });
});
