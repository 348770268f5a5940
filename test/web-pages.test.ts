import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { startServer, type RunningServer } from '../web/server.ts';
import { addUser } from '../web/users.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';
import { WebClient } from './support/web-client.ts';

// A file name is data from outside: the runs page must show it as text, never as markup.
const HOSTILE_NAME = '<img src=x onerror=alert(1)>.csv';

describe.each(engines())('pages on %s: runs, unit file, grid register', (engine) => {
  let database: TestDatabase;
  let server: RunningServer;
  let steward: WebClient;
  let runId: number;

  beforeAll(async () => {
    database = await freshDatabase(engine);
    const inbox = copyInbox(SAMPLES);
    const hostile = path.join(inbox, 'market', HOSTILE_NAME);
    fs.writeFileSync(hostile, '这不是名录\n只是一些文字\n');
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(hostile, past, past);
    runId = (await runSync(database, { inbox, asOf: '2026-11-27', log: silentLogger })).runId;
    await addUser(database.db, { username: 'he.steward', password: 'steward-secret-4', role: 'steward' });
    server = await startServer(database, { port: 0, host: '127.0.0.1' });
    steward = new WebClient(server.url);
    await steward.signIn('he.steward', 'steward-secret-4');
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('runs: every stage with its time and counts, the quarantined file (escaped) and the rejected rows', async () => {
    const list = await (await steward.page('/runs')).text();
    const stages = await database.db.selectFrom('runs.stage').select('stage').where('run_id', '=', runId).execute();
    expect(stages.length).toBeGreaterThan(5);
    for (const s of stages) expect(list).toContain(`<span class="muted">${s.stage}</span>`);

    const detail = await (await steward.page(`/runs/${runId}`)).text();
    const quarantined = await database.db.selectFrom('staging.file').select(['file_name', 'reason']).where('run_id', '=', runId).where('status', '=', 'quarantined').execute();
    expect(quarantined.map((q) => q.file_name)).toContain(HOSTILE_NAME);
    expect(detail).toContain(`隔离的文件（${quarantined.length}）`);
    expect(detail).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
    expect(detail).not.toContain('<img src=x');
    const rejects = await database.db.selectFrom('staging.reject as j').innerJoin('staging.file as f', 'f.id', 'j.file_id').select(['j.reason', 'j.row', 'f.file_name']).where('f.run_id', '=', runId).execute();
    expect(rejects.length).toBeGreaterThan(0);
    expect(detail).toContain(`拒收的行（${rejects.length}）`);
    for (const r of rejects) expect(detail).toContain(r.reason);
    expect((await steward.page('/runs/999999')).status).toBe(404);
  });

  it('unit file: golden record with the source of every field, all member records, links and reports', async () => {
    const { rows } = await sql<{ unit_id: string; n: string }>`
      select m.unit_id, count(*) as n from registry.unit_member m
      where exists (select 1 from inspection.report r where r.unit_id = m.unit_id)
      group by m.unit_id order by count(*) desc, m.unit_id limit 1`.execute(database.db);
    const unitId = rows[0]!.unit_id;
    const html = await (await steward.page(`/units/${unitId}`)).text();
    const members = await database.db
      .selectFrom('registry.unit_member as m')
      .innerJoin('registry.record as r', 'r.record_id', 'm.record_id')
      .innerJoin('staging.file as f', 'f.id', 'r.file_id')
      .select(['m.record_id', 'f.file_name', 'r.row'])
      .where('m.unit_id', '=', unitId)
      .execute();
    expect(members.length).toBe(Number(rows[0]!.n));
    for (const m of members) {
      expect(html).toContain(`id="record-${m.record_id}"`);
      expect(html).toContain(`${m.file_name} 第 ${m.row} 行`);
    }
    const unit = await database.db.selectFrom('registry.unit_golden').select('golden').where('unit_id', '=', unitId).executeTakeFirstOrThrow();
    for (const g of Object.values(unit.golden as Record<string, { file: string; row: number; value: string }>)) expect(html).toContain(`${g.file} 第 ${g.row} 行`);
    const reports = await database.db.selectFrom('inspection.report').select('reason').where('unit_id', '=', unitId).execute();
    expect(html).toContain(`报告记录（${reports.length}）`);
    const api = (await (await steward.fetch(`/api/units/${unitId}`)).json()) as { records: unknown[]; reports: unknown[] };
    expect(api.records).toHaveLength(members.length);
    expect(api.reports).toHaveLength(reports.length);
    expect((await steward.page('/units/U9999999')).status).toBe(404);
  });

  it('grid register: filter by reason lists exactly the units with that open report', async () => {
    const { rows } = await sql<{ grid: string; reason: string }>`
      select p.grid_l1 as grid, r.reason from inspection.report r join grid.placement p using (unit_id)
      where r.closed_run is null and p.grid_l1 is not null group by 1, 2 order by count(*) desc, 1, 2 limit 1`.execute(database.db);
    const { grid, reason } = rows[0]!;
    const expected = await database.db
      .selectFrom('inspection.report as r')
      .innerJoin('grid.placement as p', 'p.unit_id', 'r.unit_id')
      .innerJoin('registry.unit as u', 'u.id', 'r.unit_id')
      .select('r.unit_id')
      .where('r.closed_run', 'is', null)
      .where('r.reason', '=', reason)
      .where('u.retired_run', 'is', null)
      .where((eb) => eb.or([eb('p.grid_l1', '=', grid), eb('p.grid_l2', '=', grid)]))
      .execute();
    const html = await (await steward.page(`/grids/${grid}?reason=${reason}`)).text();
    const table = html.slice(html.indexOf('id="register"'), html.indexOf('</table>', html.indexOf('id="register"')));
    const listed = [...table.matchAll(/<a href="\/units\/(U\d+)">/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual(expected.map((e) => e.unit_id).sort());
    expect(html).toContain(`单位（${expected.length}）`);
    const json = (await (await steward.fetch(`/api/grids/${grid}/register?reason=${reason}`)).json()) as { total: number };
    expect(json.total).toBe(expected.length);
    expect((await steward.page(`/grids/${grid}?reason=nonsense`)).status).toBe(400);
  });

  it('overview: one row and a pair of bars per level-1 grid, with units and reported units as the database counts them', async () => {
    const html = await (await steward.page('/grids')).text();
    const level1 = await database.db.selectFrom('grid.grid').select('code').where('level', '=', 1).where('active', '=', true).execute();
    const table = html.slice(html.indexOf('id="grid-list"'));
    for (const g of level1) expect(table).toContain(`<a href="/grids/${g.code}">${g.code}</a>`);
    expect(html.match(/class="series-units"><title>/g)).toHaveLength(level1.length);
    const { rows } = await sql<{ n: string }>`select count(*) as n from grid.placement p join registry.unit u on u.id = p.unit_id and u.retired_run is null where p.grid_l1 is not null`.execute(database.db);
    expect(html).toContain(`<div class="num">${Number(rows[0]!.n).toLocaleString('zh-CN')}</div><div>网格内单位</div>`);
  });
});
