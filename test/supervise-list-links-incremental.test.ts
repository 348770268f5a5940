/**
 * Incremental list linking: after the first linking, a run relinks only the list rows whose unit may have
 * changed — and ends where relinking every row would have ended.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync, type SyncResult } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { linkLists, placementChangeMark } from '../pipelines/inspection/list-links.ts';
import { generateWorld, writeFeeds, DEMO } from '../seeds/demo-world.ts';
import { orgCodeCheckChar, usccCheckChar } from '../seeds/demo/codes.ts';
import { writeChangedSnapshots } from '../bench/match/change.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';

const superviseCounts = (r: SyncResult) => r.stages.find((s) => s.stage === 'supervise')!.counts as Record<string, number>;

function newUscc(n: number): string {
  const org = `MT${String(n).padStart(6, '0')}`;
  const body = `91321003${org}${orgCodeCheckChar(org)}`;
  return body + usccCheckChar(body);
}

/** Appends rows to a CSV file, each given by header name (other columns empty). */
function appendRows(file: string, rows: Record<string, string>[]): void {
  const text = fs.readFileSync(file, 'utf8');
  const header = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0]!.split(',').map((h) => h.trim());
  const lines = rows.map((r) => header.map((h) => r[h] ?? '').join(','));
  fs.writeFileSync(file, `${text.replace(/(\r?\n)*$/, '')}\r\n${lines.join('\r\n')}\r\n`);
}

const NEW_NAME = '扬州市新创未来科技有限公司';

describe.each(engines())('incremental list linking (%s)', (engine) => {
  let database: TestDatabase;
  let inbox: string;
  let first: SyncResult;
  let second: SyncResult;
  let twinName: string;
  let twinUnit: string;

  beforeAll(async () => {
    inbox = path.join(tempDir('gl-list-links-'), 'inbox');
    const manifest = await writeFeeds(generateWorld({ units: 600, seed: 11, asOf: DEMO.asOf }), inbox, { asOf: DEMO.asOf });
    // Two credit rows named, without a code, after employers: one not registered yet, one registered once.
    const market = manifest.files.find((f) => f.kind === 'market')!;
    const marketText = fs.readFileSync(path.join(inbox, market.path), 'utf8').replace(/^\ufeff/, '').split(/\r?\n/);
    const header = marketText[0]!.split(',');
    const nameCol = header.findIndex((h) => h.trim() === '名称');
    const codeCol = header.findIndex((h) => h.trim() === '统一社会信用代码');
    const names = marketText.slice(1).filter((l) => l && !l.includes('"')).map((l) => l.split(','));
    const counts = new Map<string, number>();
    for (const cells of names) counts.set(cells[nameCol]!, (counts.get(cells[nameCol]!) ?? 0) + 1);
    twinName = names.find((cells) => counts.get(cells[nameCol]!) === 1 && /^9\d{7}[0-9A-Z]{10}$/.test(cells[codeCol] ?? '') && cells[nameCol]!.endsWith('有限公司'))![nameCol]!;
    const credit = manifest.files.find((f) => f.kind === 'labour.credit')!;
    appendRows(path.join(inbox, credit.path), [
      { 失信单位: '是', 单位名称: NEW_NAME, 等级: 'C', 年度: '2025' },
      { 失信单位: '是', 单位名称: twinName, 等级: 'C', 年度: '2025' },
    ]);
    database = await freshDatabase(engine);
    first = await runSync(database, { inbox, asOf: DEMO.asOf, log: silentLogger, archive: false });
    twinUnit = (await database.db.selectFrom('inspection.credit').select('unit_id').where('name', '=', twinName).executeTakeFirstOrThrow()).unit_id!;

    // The next day: 5 % of the registers change, the unregistered employer registers, and another employer
    // registers under the twin's exact name (a different code: a unit of its own).
    const change = await writeChangedSnapshots({ inbox, truthDir: manifest.truthDir, files: manifest.files, share: 0.05, seed: 12, date: '2026-11-28' });
    expect(change.files).toBeGreaterThan(0);
    const newMarket = fs.readdirSync(path.join(inbox, 'market')).filter((f) => f.includes('20261128'));
    expect(newMarket).toHaveLength(1);
    appendRows(path.join(inbox, 'market', newMarket[0]!), [
      { 名称: NEW_NAME, 统一社会信用代码: newUscc(1), 住所: '扬州市邗江区文昌西路1号', 登记状态: '存续', 成立日期: '2026-11-20' },
      { 名称: twinName, 统一社会信用代码: newUscc(2), 住所: '扬州市广陵区运河南路9号', 登记状态: '存续', 成立日期: '2026-11-21' },
    ]);
    second = await runSync(database, { inbox, asOf: '2026-11-28', log: silentLogger, archive: false });
  }, 600_000);
  afterAll(async () => database?.dispose());

  it('the first run links every row; the next relinks only rows whose unit may have changed', () => {
    const a = superviseCounts(first);
    const b = superviseCounts(second);
    expect(a.list_links_full).toBe(1);
    expect(a.list_rows_relinked).toBe(a.list_rows_linked! + a.list_rows_unlinked!);
    expect(b.list_links_full).toBe(0);
    expect(b.list_rows_relinked).toBeGreaterThan(0);
    expect(b.list_rows_relinked).toBeLessThan((b.list_rows_linked! + b.list_rows_unlinked!) / 2);
  });

  it('a row names an employer that registers later: it is linked to the new unit', async () => {
    const { db } = database;
    const row = await db.selectFrom('inspection.credit').select('unit_id').where('name', '=', NEW_NAME).executeTakeFirstOrThrow();
    expect(row.unit_id).not.toBeNull();
    const holder = await db
      .selectFrom('registry.record as r')
      .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
      .select('m.unit_id')
      .where('r.uscc', '=', newUscc(1))
      .executeTakeFirstOrThrow();
    expect(row.unit_id).toBe(holder.unit_id);
  });

  it('a row linked by a name another unit now carries too is no longer tied to either', async () => {
    const { db } = database;
    expect(twinUnit).toBeTruthy();
    const units = await db
      .selectFrom('registry.record as r')
      .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
      .innerJoin('registry.unit as u', 'u.id', 'm.unit_id')
      .select('m.unit_id')
      .distinct()
      .where('r.name', '=', twinName)
      .where('u.retired_run', 'is', null)
      .execute();
    expect(units.length).toBe(2);
    const row = await db.selectFrom('inspection.credit').select('unit_id').where('name', '=', twinName).executeTakeFirstOrThrow();
    expect(row.unit_id).toBeNull();
  });

  it('ends where relinking every row ends', async () => {
    const { db } = database;
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          (['inspection.supervised', 'inspection.complaint', 'inspection.arrears', 'inspection.credit'] as const).map(async (t) => [
            t,
            (await db.selectFrom(t).select(['record_id', 'unit_id']).orderBy('record_id').execute()).map((r) => `${r.record_id}:${r.unit_id}`),
          ]),
        ),
      );
    const before = await snapshot();
    const mark = await placementChangeMark(db);
    const placements = new Map((await db.selectFrom('grid.placement').select(['unit_id', 'grid_l1', 'grid_l2', 'method']).execute()).map((p) => [p.unit_id, p]));
    const full = await linkLists({ database, db, runId: second.runId, asOf: '2026-11-28', log: silentLogger }, placements, mark, { full: true });
    expect(full.full).toBe(true);
    expect(full.relinked).toBe(full.linked + full.unlinked);
    expect(await snapshot()).toEqual(before);
  });
});
