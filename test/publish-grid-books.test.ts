import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { exportNotices, exportRegister, exportReports } from '../pipelines/publish/exports.ts';
import { parseCsvText } from '../seeds/demo/csv-text.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

async function readSheet(file: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.worksheets[0]!;
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
  return rows;
}

describe.each(engines())('one register per grid (一格一册) from the agencies\' sample files on %s', (engine) => {
  let database: TestDatabase;
  let out: string;
  let level1: { code: string; name: string; inspector: string | null; phone: string | null };
  beforeAll(async () => {
    database = await freshDatabase(engine);
    await runSync(database, { inbox: copyInbox(SAMPLES), asOf: '2026-11-27', log: silentLogger });
    out = tempDir('gl-books-');
    const busiest = await database.db
      .selectFrom('grid.placement as p')
      .innerJoin('grid.grid as g', 'g.code', 'p.grid_l1')
      .select(['g.code', 'g.name', 'g.inspector', 'g.phone', sql<string>`count(*)`.as('n')])
      .groupBy(['g.code', 'g.name', 'g.inspector', 'g.phone'])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('g.code')
      .executeTakeFirstOrThrow();
    level1 = busiest;
    // A name a spreadsheet would run as a formula, as a careless or hostile register might carry it.
    const victim = await database.db.selectFrom('grid.placement').select('unit_id').where('grid_l1', '=', level1.code).orderBy('unit_id').executeTakeFirstOrThrow();
    await database.db.updateTable('registry.unit').set({ name: '=HYPERLINK("http://example.invalid","点我")', address: '@SUM(A1)' }).where('id', '=', victim.unit_id).execute();
  }, 300_000);
  afterAll(async () => database?.dispose());

  it('the xlsx book opens with the grid, its inspector and phone in the heading, Chinese headers, units sorted by community', async () => {
    const file = path.join(out, `${level1.code}.xlsx`);
    const n = await exportRegister(database.db, file, level1.code);
    const rows = await readSheet(file);
    expect(rows[0]![0]).toBe('用人单位名册（一格一册）');
    expect(rows[1]![0]).toContain(`网格：${level1.name}（编码 ${level1.code}，一级网格）`);
    expect(rows[2]![0]).toContain(`专职监察员：${level1.inspector}`);
    expect(rows[2]![0]).toContain(`联系电话：${level1.phone}`);
    expect(rows[3]![0]).toBe('数据截至：2026-11-27');
    const header = rows[4]!;
    expect(header.slice(0, 8)).toEqual(['单位编号', '统一社会信用代码', '组织机构代码', '单位名称', '地址', '一级网格编码', '二级网格编码', '状态']);
    expect(header).toEqual(expect.arrayContaining(['社区（村）', '定位依据', '重点监管原因']));
    const data = rows.slice(5);
    const placed = await database.db.selectFrom('grid.placement as p').innerJoin('registry.unit as u', 'u.id', 'p.unit_id').select('p.unit_id').where('p.grid_l1', '=', level1.code).where('u.retired_run', 'is', null).execute();
    expect(n).toBe(placed.length);
    expect(data).toHaveLength(placed.length);
    expect(new Set(data.map((r) => r[0]))).toEqual(new Set(placed.map((p) => p.unit_id)));
    // Walking order: level-2 grid, then community code; units without a level-2 grid last.
    const l2 = header.indexOf('二级网格编码');
    const community = header.indexOf('社区（村）区划代码');
    const keys = data.map((r) => `${r[l2] || '\uffff'}|${r[community] || '\uffff'}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(data.map((r) => r[header.indexOf('状态')]))).not.toContain('active');
    // Formula-looking cells are text.
    const names = data.map((r) => r[header.indexOf('单位名称')]);
    expect(names).toContain(`'=HYPERLINK("http://example.invalid","点我")`);
    expect(data.map((r) => r[header.indexOf('地址')])).toContain(`'@SUM(A1)`);
  });

  it('a level-2 book names its assistant and the level-1 inspector responsible for it', async () => {
    const grid = await database.db
      .selectFrom('grid.grid as g')
      .innerJoin('grid.grid as p', 'p.code', 'g.parent_code')
      .innerJoin('grid.placement as pl', 'pl.grid_l2', 'g.code')
      .innerJoin('inspection.report as r', 'r.unit_id', 'pl.unit_id')
      .select(['g.code', 'g.name', 'g.assistant', 'g.phone', 'p.code as parent', 'p.name as parent_name', 'p.inspector'])
      .where('g.level', '=', 2)
      .where('r.closed_run', 'is', null)
      .orderBy('g.code')
      .executeTakeFirstOrThrow();
    const file = path.join(out, `${grid.code}.xlsx`);
    await exportReports(database.db, file, grid.code);
    const rows = await readSheet(file);
    expect(rows[0]![0]).toBe('重点监管及新增未纳管单位报告（一格一册）');
    expect(rows[1]![0]).toContain(`${grid.name}（编码 ${grid.code}，二级网格，属${grid.parent_name}（${grid.parent}））`);
    expect(rows[2]![0]).toContain(`专职监察员：${grid.inspector}`);
    expect(rows[2]![0]).toContain(`协理员：${grid.assistant}`);
    expect(rows[2]![0]).toContain(`联系电话：${grid.phone}`);
    expect(rows[4]!.slice(0, 6)).toEqual(['单位编号', '统一社会信用代码', '单位名称', '一级网格编码', '二级网格编码', '重点监管原因']);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows.slice(5)) {
      expect(r[4]).toBe(grid.code);
      expect(r[5]).toMatch(/^(新开业未纳入监管|未纳入监管|欠薪欠费2个月以上|一年内举报投诉2次以上或集体上访|C级或失信单位)(；|$)/);
    }
  });

  it('the CSV book is UTF-8 with BOM, with the same heading; the city-wide register keeps the contract columns', async () => {
    const file = path.join(out, `${level1.code}.csv`);
    await exportRegister(database.db, file, level1.code);
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsvText(bytes.toString('utf8'));
    expect(rows[0]).toEqual(['用人单位名册（一格一册）']);
    expect(rows[4]!.slice(0, 4)).toEqual(['单位编号', '统一社会信用代码', '组织机构代码', '单位名称']);
    expect(rows.some((r) => r.includes(`'=HYPERLINK("http://example.invalid","点我")`))).toBe(true);

    const city = path.join(out, 'register.csv');
    const all = await exportRegister(database.db, city);
    const cityRows = parseCsvText(fs.readFileSync(city, 'utf8'));
    expect(cityRows[0]!.slice(0, 8)).toEqual(['unit_id', 'uscc', 'org_code', 'name', 'address', 'grid_l1', 'grid_l2', 'status']);
    const units = await database.db.selectFrom('registry.unit').select(sql<string>`count(*)`.as('n')).where('retired_run', 'is', null).executeTakeFirstOrThrow();
    expect(all).toBe(Number(units.n));
    for (const r of cityRows.slice(1)) expect(['active', 'closed', 'moved_out', 'unreported']).toContain(r[7]);
  });

  it('notices, and an unknown grid, say what they are', async () => {
    const rows = await exportNotices(database.db, path.join(out, 'notices.csv'));
    const notices = await database.db.selectFrom('inspection.notice').select(sql<string>`count(*)`.as('n')).where('closed_run', 'is', null).executeTakeFirstOrThrow();
    expect(rows).toBe(Number(notices.n));
    await expect(exportRegister(database.db, path.join(out, 'x.xlsx'), 'YZ-NOPE-99')).rejects.toThrow(/No grid with code YZ-NOPE-99\. Run "gridlink grid status"/);
  });
});
