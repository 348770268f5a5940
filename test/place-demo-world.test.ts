/**
 * A full sync of a generated demo world (seeds/demo-world.ts), scored against the generator's truth:
 * level-2 placement, reports per (unit, reason), re-runs, grid deliveries that rename, recode, merge, split
 * and hand villages to a park, a later as-of date, and a steward's placement and rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import type { PlacementEvidence } from '../pipelines/grid/place-unit.ts';
import { addRule } from '../pipelines/grid/rules.ts';
import { listUnplaced, placeBySteward } from '../pipelines/grid/unplaced-queue.ts';
import { DEMO, generateWorld, writeFeeds } from '../seeds/demo-world.ts';
import { parseCsvText } from '../seeds/demo/csv-text.ts';
import { usccCheckChar } from '../seeds/demo/codes.ts';
import { crosswalk, scorePlacement, scoreReports, type Crosswalk } from '../bench/grid/score.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';

const AS_OF: string = DEMO.asOf;

/** A market row for a unit with a unified code (division digits 321002) and no address at all. */
function appendAddresslessUnit(marketFile: string): string {
  const body = '91321002MA2T7E0X1';
  const uscc = body + usccCheckChar(body);
  const lines = fs.readFileSync(marketFile, 'utf8').split('\n');
  const header = parseCsvText(lines[0]!)[0]!.map((h) => h.replace(/^\ufeff/, '').trim());
  const cells = header.map((h) => (h.includes('统一社会信用代码') ? uscc : /名称/.test(h) ? '扬州市无址测试科技有限公司' : /状态/.test(h) ? '存续' : ''));
  fs.appendFileSync(marketFile, `${cells.join(',')}\n`);
  return uscc;
}

interface GridRow {
  code: string;
  name: string;
  level: number;
  parent: string | null;
  divisions: string[];
  inspector: string | null;
  assistant: string | null;
  phone: string | null;
}

function writeGridFile(file: string, grids: GridRow[]): void {
  const cell = (v: string | null) => (v ?? '').replace(/,/g, '，');
  const lines = ['网格编码,网格名称,网格级别,上级网格编码,覆盖区划代码,专职监察员,协理员,联系电话'];
  for (const g of grids) lines.push([g.code, g.name, String(g.level), g.parent ?? '', g.divisions.join(';'), g.inspector, g.assistant, g.phone].map(cell).join(','));
  fs.writeFileSync(file, `\ufeff${lines.join('\n')}\n`);
}

describe.each(engines())('a generated demo world, synced and scored against its truth (%s)', (engine) => {
  let database: TestDatabase;
  let inbox: string;
  let truthDir: string;
  let addresslessUscc: string;
  let cw: Crosswalk;
  const run = (asOf = AS_OF) => runSync(database, { inbox, asOf, log: silentLogger });

  beforeAll(async () => {
    const dir = tempDir('gl-demo-world-');
    inbox = path.join(dir, 'inbox');
    const manifest = await writeFeeds(generateWorld({ units: DEMO.units, asOf: AS_OF }), inbox, { asOf: AS_OF });
    truthDir = manifest.truthDir;
    addresslessUscc = appendAddresslessUnit(path.join(inbox, manifest.files.find((f) => f.kind === 'market')!.path));
    database = await freshDatabase(engine);
    await run();

    cw = await crosswalk(database.db, truthDir);
  }, 600_000);
  afterAll(async () => database?.dispose());

  it('places ≥ 97 % of the units whose code or address allows it on their level-2 grid, and no unit by guess', async () => {
    const s = await scorePlacement(database.db, truthDir, cw);
    console.info(`[${engine}] level-2 placement: ${s.allowedRight}/${s.allowed} (${((100 * s.allowedRight) / s.allowed).toFixed(2)} %) of the units whose code or address allows it; ${s.wrong} wrong of ${s.placed} placed at level 2; ${s.inGridRight}/${s.inGrid} of all units in a grid`);
    expect(s.problems).toEqual([]);
    expect(s.allowed).toBeGreaterThan(1000);
    expect(s.allowedRight / s.allowed).toBeGreaterThanOrEqual(0.97);
    expect(s.wrong / s.placed).toBeLessThanOrEqual(0.005);
  });

  it('never places a unit by the division digits of its unified code', async () => {
    const unit = await database.db
      .selectFrom('registry.record as r')
      .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
      .innerJoin('grid.placement as p', 'p.unit_id', 'm.unit_id')
      .select(['p.method', 'p.grid_l1', 'p.evidence'])
      .where('r.uscc', '=', addresslessUscc)
      .executeTakeFirstOrThrow();
    expect(unit).toMatchObject({ method: 'unplaced', grid_l1: null, evidence: { reason: 'no_address' } });
  });

  it('reports (unit, reason) as the truth does: F1 ≥ 0.99', async () => {
    const { all, clean } = await scoreReports(database.db, truthDir, cw);
    console.info(`[${engine}] reports F1: all units ${all.f1.toFixed(4)} (tp ${all.tp}, fp ${all.fp}, fn ${all.fn}); correctly clustered units (${cw.clean.size}/${cw.truthOf.size}) ${clean.f1.toFixed(4)} (tp ${clean.tp}, fp ${clean.fp}, fn ${clean.fn})`);
    expect(clean.tp).toBeGreaterThan(400);
    expect(clean.f1).toBeGreaterThanOrEqual(0.99);
  });

  it('the contract reasons only, one open row per unit and reason', async () => {
    const { rows } = await sql<{ n: string }>`select count(*) as n from (select unit_id, reason from inspection.report where closed_run is null group by 1, 2 having count(*) > 1) x`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(0);
    const reasons = await database.db.selectFrom('inspection.report').select('reason').distinct().execute();
    expect(reasons.map((r) => r.reason).sort()).toEqual(['arrears', 'complaints', 'credit', 'new', 'unsupervised']);
  });

  it('closed units still on the supervised list are notified to the grid that supervised them', async () => {
    const notices = await database.db
      .selectFrom('inspection.notice as n')
      .innerJoin('registry.unit as u', 'u.id', 'n.unit_id')
      .innerJoin('grid.grid as g', 'g.code', 'n.grid_code')
      .select(['n.unit_id', 'n.kind', 'n.grid_code', 'u.status'])
      .where('n.closed_run', 'is', null)
      .execute();
    const closed = notices.filter((n) => n.kind === 'closed');
    expect(closed.length).toBeGreaterThan(5);
    for (const n of closed) expect(n.status).toBe('closed');
    const listed = new Set((await database.db.selectFrom('inspection.supervised').select('unit_id').where('unit_id', 'is not', null).execute()).map((r) => r.unit_id));
    for (const n of closed) expect(listed.has(n.unit_id)).toBe(true);
    // The truth's supervised list names each unit's true grid: a "moved" notice here would be a placement error.
    expect(notices.filter((n) => n.kind === 'moved').length).toBeLessThanOrEqual(2);
  });

  it('a second run of the same files writes no report, notice or placement row', async () => {
    const count = async () => ({
      reports: await database.db.selectFrom('inspection.report').select([sql<string>`count(*)`.as('n'), sql<string>`count(closed_run)`.as('closed')]).executeTakeFirstOrThrow(),
      notices: await database.db.selectFrom('inspection.notice').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
      changes: await database.db.selectFrom('grid.placement_change').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    });
    const before = await count();
    const again = await run();
    expect(again.stages.find((s) => s.stage === 'place')!.counts).toMatchObject({ placements_written: 0 });
    expect(again.stages.find((s) => s.stage === 'supervise')!.counts).toMatchObject({ reports_opened: 0, reports_closed: 0, notices_opened: 0 });
    expect(await count()).toEqual(before);
  }, 300_000);

  it('a grid delivery that renames, recodes, merges and gives a village to a park re-places the units and says so', async () => {
    const db = database.db;
    const current = await db.selectFrom('grid.grid').selectAll().where('active', '=', true).orderBy('code').execute();
    const divs = await db.selectFrom('grid.grid_division').selectAll().execute();
    const grids: GridRow[] = current.map((g) => ({ code: g.code, name: g.name, level: g.level, parent: g.parent_code, divisions: divs.filter((d) => d.grid_code === g.code).map((d) => d.division_code), inspector: g.inspector, assistant: g.assistant, phone: g.phone }));
    const unitsIn = new Map((await db.selectFrom('grid.placement').select(['grid_l2', sql<string>`count(*)`.as('n')]).where('grid_l2', 'is not', null).groupBy('grid_l2').execute()).map((r) => [r.grid_l2!, Number(r.n)]));
    const busy = grids.filter((g) => g.level === 2 && (unitsIn.get(g.code) ?? 0) >= 2);
    // Two busy level-2 grids under one level-1 grid are merged; three other busy ones are renamed, recoded, handed to a park.
    const pairParent = busy.find((g) => busy.filter((h) => h.parent === g.parent).length >= 2)!.parent;
    const [m1, m2] = busy.filter((g) => g.parent === pairParent);
    const [renamed, recoded, parked] = busy.filter((g) => g !== m1 && g !== m2);
    expect([m1, m2, renamed, recoded, parked].every(Boolean)).toBe(true);
    const movedUnits = async (grid: string) => (await db.selectFrom('grid.placement').select('unit_id').where('grid_l2', '=', grid).execute()).map((p) => p.unit_id).sort();
    const before = { m2: await movedUnits(m2!.code), recoded: await movedUnits(recoded!.code), parked: await movedUnits(parked!.code), renamed: await movedUnits(renamed!.code) };
    const reportRows = await db.selectFrom('inspection.report').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();

    const next = grids
      .filter((g) => g.code !== m2!.code && g.code !== recoded!.code)
      .map((g) => (g.code === m1!.code ? { ...g, name: `${m1!.name.replace(/网格$/, '')}、${m2!.name}`, divisions: [...m1!.divisions, ...m2!.divisions] } : g))
      .map((g) => (g.code === renamed!.code ? { ...g, name: `${g.name.replace(/网格$/, '')}（新）网格` } : g))
      .map((g) => (g.code === parked!.code ? { ...g, parent: 'YZ-TEST-P' } : g));
    next.push({ ...recoded!, code: `${recoded!.code}R` });
    next.push({ code: 'YZ-TEST-P', name: '测试工业园区网格', level: 1, parent: null, divisions: parked!.divisions, inspector: '园区监察员', assistant: null, phone: '0514-80000000' });
    writeGridFile(path.join(inbox, 'labour', 'grids-20261128.csv'), next);
    const res = await run();

    const events = (await db.selectFrom('grid.grid_event').select(['event', 'grid_code', 'detail']).where('run_id', '=', res.runId).execute()).map((e) => `${e.event}:${e.grid_code}`);
    expect(events).toEqual(expect.arrayContaining([`renamed:${renamed!.code}`, `recoded:${recoded!.code}`, `merged:${m2!.code}`, `coverage_changed:${m1!.code}`, 'added:YZ-TEST-P', `reparented:${parked!.code}`]));
    expect(await movedUnits(`${recoded!.code}R`)).toEqual(before.recoded);
    expect((await movedUnits(m1!.code)).filter((u) => before.m2.includes(u))).toEqual(before.m2);
    expect(await movedUnits(renamed!.code)).toEqual(before.renamed);
    const parkedNow = await db.selectFrom('grid.placement').select(['unit_id', 'grid_l1']).where('unit_id', 'in', before.parked).execute();
    expect(parkedNow.every((p) => p.grid_l1 === 'YZ-TEST-P')).toBe(true);
    const changes = await db.selectFrom('grid.placement_change').select(['unit_id', 'cause', 'from_l1', 'from_l2', 'to_l1']).where('run_id', '=', res.runId).execute();
    const regridded = [...before.m2, ...before.recoded, ...before.parked];
    expect(changes.map((c) => c.unit_id)).toEqual(expect.arrayContaining(regridded));
    // Besides those, only units known to the park's town alone: the town's code no longer tells which level-1 grid.
    for (const c of changes.filter((x) => !regridded.includes(x.unit_id))) expect(c).toMatchObject({ from_l1: parked!.parent, from_l2: null, to_l1: null });
    expect(new Set(changes.map((c) => c.cause))).toEqual(new Set(['grid_change']));
    // Reports follow their units; none is opened twice.
    expect(await db.selectFrom('inspection.report').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).toEqual(reportRows);
    const stale = await db.selectFrom('inspection.report').select('id').where('closed_run', 'is', null).where('grid_l2', 'in', [m2!.code, recoded!.code]).execute();
    expect(stale).toEqual([]);

    // The next delivery splits the merged grid again: the community that left goes to a new grid.
    const split = next.map((g) => (g.code === m1!.code ? { ...m1! } : g));
    split.push({ ...m2!, code: `${m2!.code}N` });
    writeGridFile(path.join(inbox, 'labour', 'grids-20261129.csv'), split);
    const res2 = await run();
    const splitEvents = await db.selectFrom('grid.grid_event').select(['event', 'grid_code', 'detail']).where('run_id', '=', res2.runId).execute();
    expect(splitEvents).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'split', grid_code: m1!.code, detail: expect.objectContaining({ into: [m1!.code, `${m2!.code}N`] }) })]));
    expect(await movedUnits(`${m2!.code}N`)).toEqual(before.m2);
    const resplit = await db.selectFrom('grid.placement_change').select(['unit_id', 'cause']).where('run_id', '=', res2.runId).execute();
    expect(resplit.map((c) => c.unit_id).sort()).toEqual(before.m2);
  }, 600_000);

  it('a later as-of date closes the reports whose reason lapsed, keeps them, and opens nothing twice', async () => {
    const db = database.db;
    const openNew = await db.selectFrom('inspection.report').select('id').where('reason', '=', 'new').where('closed_run', 'is', null).execute();
    expect(openNew.length).toBeGreaterThan(20);
    const rowsBefore = Number((await db.selectFrom('inspection.report').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const later = await run('2027-03-15');
    const closedNew = await db.selectFrom('inspection.report').select(['id', 'close_reason', 'closed_run']).where('id', 'in', openNew.map((r) => r.id)).execute();
    expect(closedNew).toHaveLength(openNew.length);
    for (const r of closedNew) expect(r).toMatchObject({ closed_run: later.runId, close_reason: 'reason_no_longer_holds' });
    const opened = later.stages.find((s) => s.stage === 'supervise')!.counts.reports_opened as number;
    expect(Number((await db.selectFrom('inspection.report').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n)).toBe(rowsBefore + opened);
    const again = await run('2027-03-15');
    expect(again.stages.find((s) => s.stage === 'supervise')!.counts).toMatchObject({ reports_opened: 0, reports_closed: 0 });
  }, 600_000);

  it('a steward places an unplaced unit at once and it stays placed; a saved rule places the next unit like it', async () => {
    const db = database.db;
    const queue = await listUnplaced(db, { limit: 500 });
    expect(queue.total).toBeGreaterThan(0);
    const withRoad = queue.items.filter((i) => i.suggestedRule && i.gridL1 && i.suggestedRule.scopeCode);
    expect(withRoad.length).toBeGreaterThanOrEqual(2);
    const [a, b] = withRoad;
    const l2Under = async (l1: string) => (await db.selectFrom('grid.grid').select('code').where('parent_code', '=', l1).where('active', '=', true).orderBy('code').executeTakeFirstOrThrow()).code;
    const gridA = await l2Under(a!.gridL1!);
    const placed = await placeBySteward(db, { unitId: a!.unitId, gridCode: gridA, by: '测试协理员', note: '实地核实' });
    expect(placed).toMatchObject({ gridL2: gridA, gridL1: a!.gridL1, from: { gridL2: null } });
    expect(await db.selectFrom('grid.placement').select(['method', 'grid_l2', 'run_id']).where('unit_id', '=', a!.unitId).executeTakeFirstOrThrow()).toEqual({ method: 'steward', grid_l2: gridA, run_id: null });
    expect(await db.selectFrom('grid.placement_change').select(['cause', 'to_l2']).where('unit_id', '=', a!.unitId).where('run_id', 'is', null).execute()).toEqual([{ cause: 'steward', to_l2: gridA }]);

    const gridB = await l2Under(b!.gridL1!);
    const rule = b!.suggestedRule!;
    await addRule(db, { pattern: rule.pattern, numberFrom: rule.numberFrom, numberTo: rule.numberTo, scopeCode: rule.scopeCode, gridCode: gridB, by: '测试协理员' });
    await run('2027-03-15');
    const after = new Map((await db.selectFrom('grid.placement').select(['unit_id', 'method', 'grid_l2', 'evidence']).where('unit_id', 'in', [a!.unitId, b!.unitId]).execute()).map((p) => [p.unit_id, p]));
    expect(after.get(a!.unitId)).toMatchObject({ method: 'steward', grid_l2: gridA });
    expect(after.get(b!.unitId)).toMatchObject({ method: 'steward_rule', grid_l2: gridB });
    expect((after.get(b!.unitId)!.evidence as PlacementEvidence).sources[0]).toMatchObject({ field: 'rule', value: rule.pattern });
  }, 600_000);
});
