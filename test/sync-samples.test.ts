import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'fast-csv';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { exportCrosswalk, exportReports } from '../pipelines/publish/exports.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

async function readCsv(file: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  await new Promise<void>((resolve, reject) =>
    fs.createReadStream(file).pipe(parse({ headers: (hs) => hs.map((h) => h?.replace(/^\ufeff/, '')) })).on('data', (r) => rows.push(r)).on('end', resolve).on('error', reject),
  );
  return rows;
}

describe.each(engines())('full sync of the agencies\' sample files on %s', (engine) => {
  let database: TestDatabase;
  let inbox: string;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    inbox = copyInbox(SAMPLES);
    await runSync(database, { inbox, asOf: '2026-11-27', log: silentLogger });
  });
  afterAll(async () => database?.dispose());

  it('loads every sample file and rejects only rows with no name and no code', async () => {
    const files = await database.db.selectFrom('staging.file').select(['file_name', 'status', 'kind', 'row_count', 'reject_count']).execute();
    expect(files).toHaveLength(12);
    expect(files.every((f) => f.status === 'loaded')).toBe(true);
    const rejects = await database.db.selectFrom('staging.reject').select(['reason', 'raw_text']).execute();
    for (const r of rejects) {
      expect(r.reason).toMatch(/既无单位名称也无任何代码/);
    }
    // The archive holds what was loaded; the agency folders are empty again.
    expect(fs.readdirSync(path.join(inbox, 'market'))).toEqual([]);
    expect(fs.readdirSync(path.join(inbox, '_archive', 'market', 'run-1'))).toEqual(['market-20261127.csv']);
  });

  it('links records sharing a valid code into one unit, and every unit is placed or says why not', async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from (
        select r.uscc from registry.record r join registry.unit_member m using (record_id)
        where r.uscc_valid group by r.uscc having count(distinct m.unit_id) > 1) x`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(0);
    const placements = await database.db.selectFrom('grid.placement').select(['method', 'grid_l1', 'grid_l2', 'evidence']).execute();
    const units = await database.db.selectFrom('registry.unit').select('id').where('retired_run', 'is', null).execute();
    expect(placements).toHaveLength(units.length);
    for (const p of placements) {
      if (p.grid_l1 === null) expect((p.evidence as { reason: string }).reason).toBeTruthy();
      if (p.grid_l2 !== null) expect(p.grid_l1).not.toBeNull();
    }
  });

  it('a second sync of the same files loads nothing, changes no unit and opens no report', async () => {
    const before = await database.db.selectFrom('inspection.report').select(['id', 'unit_id', 'reason']).orderBy('id').execute();
    const unitsBefore = await database.db.selectFrom('registry.unit_member').select(['record_id', 'unit_id']).orderBy('record_id').execute();
    fs.cpSync(SAMPLES, inbox, { recursive: true });
    const again = await runSync(database, { inbox, asOf: '2026-11-27', log: silentLogger });
    expect(again.stages[0]!.counts).toMatchObject({ files_loaded: 0, files_duplicate: 12 });
    expect(await database.db.selectFrom('inspection.report').select(['id', 'unit_id', 'reason']).orderBy('id').execute()).toEqual(before);
    expect(await database.db.selectFrom('registry.unit_member').select(['record_id', 'unit_id']).orderBy('record_id').execute()).toEqual(unitsBefore);
  });

  it('exports a crosswalk row for every source row, and reports with contract reasons', async () => {
    const out = tempDir();
    await exportCrosswalk(database.db, path.join(out, 'crosswalk.csv'));
    const crosswalk = await readCsv(path.join(out, 'crosswalk.csv'));
    const files = await database.db.selectFrom('staging.file').select([sql<string>`sum(row_count + reject_count)`.as('n')]).executeTakeFirstOrThrow();
    expect(crosswalk).toHaveLength(Number(files.n));
    expect(Object.keys(crosswalk[0]!).slice(0, 4)).toEqual(['source', 'file', 'row', 'unit_id']);
    const market = crosswalk.filter((r) => r.file === 'market-20261127.csv');
    expect(market.every((r) => /^U\d{7}$/.test(r.unit_id!))).toBe(true);

    await exportReports(database.db, path.join(out, 'reports.csv'));
    const reports = await readCsv(path.join(out, 'reports.csv'));
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(r.reasons!.split(';').every((x) => ['new', 'unsupervised', 'arrears', 'complaints', 'credit'].includes(x))).toBe(true);
  });
});
