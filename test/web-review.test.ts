import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUnplaced } from '../pipelines/grid/unplaced-queue.ts';
import { listRules } from '../pipelines/grid/rules.ts';
import { decisionHistory, listReview } from '../pipelines/match/review-queue.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { startServer, type RunningServer } from '../web/server.ts';
import { addUser } from '../web/users.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';
import { WebClient } from './support/web-client.ts';

type Json = Record<string, any>;

describe.each(engines())('review queue and unplaced units through the web API on %s', (engine) => {
  let database: TestDatabase;
  let server: RunningServer;
  let steward: WebClient;
  let csrf: string;

  beforeAll(async () => {
    database = await freshDatabase(engine);
    await runSync(database, { inbox: copyInbox(SAMPLES), asOf: '2026-11-27', log: silentLogger });
    await addUser(database.db, { username: 'chen.steward', password: 'steward-secret-2', role: 'steward' });
    const grid = await database.db.selectFrom('grid.grid').select('code').where('level', '=', 1).orderBy('code').executeTakeFirstOrThrow();
    await addUser(database.db, { username: 'sun.inspector', password: 'inspector-secret-2', role: 'inspector', grids: [grid.code] });
    server = await startServer(database, { port: 0, host: '127.0.0.1' });
    steward = new WebClient(server.url);
    expect((await steward.signIn('chen.steward', 'steward-secret-2')).status).toBe(303);
    csrf = await steward.csrfToken();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('shows the first pair of the queue, in the queue module\'s order, side by side with its score', async () => {
    const queue = await listReview(database.db, { limit: 5 });
    expect(queue.total).toBeGreaterThan(0);
    const first = queue.items[0]!;
    const html = await (await steward.page('/review')).text();
    expect(html).toContain(`data-item="${first.id}"`);
    expect(html).toContain(`记录 A（${first.a.recordId}）`);
    expect(html).toContain(`记录 B（${first.b.recordId}）`);
    expect(html).toMatch(/<svg class="waterfall"/);
    // Fields that differ are highlighted; the names of the two records appear escaped in their cells.
    expect(html).toMatch(/<tr class="differs[^"]*" data-field="/);
    expect(html).toContain(`待复核 ${queue.total} 对`);
  });

  it('decides a pair with a note, answers with the next pair, audits it, and undoes it', async () => {
    const before = await listReview(database.db, { limit: 10 });
    const item = before.items[0]!;
    const refused = await steward.postJson(`/api/review/items/${item.id}/decision`, { verdict: 'different' });
    expect(refused.status).toBe(403);
    expect(await decisionHistory(database.db)).toHaveLength(0);

    const bad = await steward.postJson(`/api/review/items/${item.id}/decision`, { verdict: 'maybe' }, { 'x-csrf-token': csrf });
    expect(bad.status).toBe(400);

    const res = await steward.postJson(`/api/review/items/${item.id}/decision`, { verdict: 'different', note: '地址不同，法定代表人不同' }, { 'x-csrf-token': csrf });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.decision).toMatchObject({ verdict: 'different', steward: 'chen.steward', note: '地址不同，法定代表人不同', recordA: item.a.recordId, recordB: item.b.recordId });
    expect(body.next.remaining).toBe(before.total - 1);
    if (before.total > 1) {
      expect(body.next.item).toBe(before.items[1]!.id);
      expect(body.next.html).toContain(`data-item="${before.items[1]!.id}"`);
    } else expect(body.next.item).toBeNull();
    expect(body.recentHtml).toContain('不是同一单位');

    const after = await listReview(database.db, { limit: 10 });
    expect(after.items.map((i) => i.id)).not.toContain(item.id);
    const audit = await database.db.selectFrom('web.audit').select(['username', 'action', 'target', 'at', 'detail']).where('action', '=', 'review_decide').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ username: 'chen.steward', target: `pair:${item.a.recordId}-${item.b.recordId}` });
    expect(audit[0]!.at).toBeInstanceOf(Date);

    const undo = await steward.postJson('/api/review/undo-last', {}, { 'x-csrf-token': csrf });
    expect(undo.status).toBe(200);
    const undone = (await undo.json()) as Json;
    expect(undone.item).toBe(item.id);
    expect(undone.html).toContain(`data-item="${item.id}"`);
    const history = await decisionHistory(database.db);
    expect(history[0]).toMatchObject({ id: body.decision.id, undoneBy: 'chen.steward' });
    expect((await listReview(database.db, { limit: 10 })).items.map((i) => i.id)).toContain(item.id);
    expect(await database.db.selectFrom('web.audit').select('action').where('action', '=', 'review_undo').execute()).toHaveLength(1);
    // Nothing left of this steward's to undo.
    expect((await steward.postJson('/api/review/undo-last', {}, { 'x-csrf-token': csrf })).status).toBe(409);
  });

  it('the page\'s form decides without script, with its CSRF field, and lands on the next pair', async () => {
    const item = (await listReview(database.db, { limit: 1 })).items[0]!;
    const res = await steward.postForm(`/review/items/${item.id}/decide`, { _csrf: csrf, verdict: 'skip', note: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/review?done=skip');
    const page = await (await steward.page(res.headers.get('location')!)).text();
    expect(page).toContain('已记录：跳过');
    expect(page).not.toContain(`data-item="${item.id}"`);
    expect((await decisionHistory(database.db))[0]).toMatchObject({ verdict: 'skip', steward: 'chen.steward' });
  });

  it('an inspector cannot decide pairs or place units, even with a valid token', async () => {
    const inspector = new WebClient(server.url);
    await inspector.signIn('sun.inspector', 'inspector-secret-2');
    const token = await inspector.csrfToken();
    const item = (await listReview(database.db, { status: 'all', limit: 1 })).items[0]!;
    expect((await inspector.postJson(`/api/review/items/${item.id}/decision`, { verdict: 'same' }, { 'x-csrf-token': token })).status).toBe(403);
    const unit = (await listUnplaced(database.db, { limit: 1 })).items[0]!;
    expect((await inspector.postJson(`/api/unplaced/${unit.unitId}/place`, { grid: 'x' }, { 'x-csrf-token': token })).status).toBe(403);
    expect((await inspector.page('/unplaced')).status).toBe(403);
  });

  it('places an unplaced unit on a candidate grid, audited, and it leaves the queue', async () => {
    const queue = await listUnplaced(database.db, { limit: 200 });
    const item = queue.items.find((i) => i.candidates.some((c) => c.grid_l2));
    expect(item, 'the samples have an unplaced unit with a candidate level-2 grid').toBeDefined();
    const candidate = item!.candidates.find((c) => c.grid_l2)!;
    const page = await (await steward.page('/unplaced')).text();
    expect(page).toContain(`id="unit-${item!.unitId}"`);

    const res = await steward.postJson(`/api/unplaced/${item!.unitId}/place`, { grid: candidate.grid_l2, note: '现场核实' }, { 'x-csrf-token': csrf });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ unitId: item!.unitId, gridL2: candidate.grid_l2, gridL1: candidate.grid_l1 });
    const placement = await database.db.selectFrom('grid.placement').select(['grid_l2', 'method']).where('unit_id', '=', item!.unitId).executeTakeFirstOrThrow();
    expect(placement).toEqual({ grid_l2: candidate.grid_l2, method: 'steward' });
    expect((await listUnplaced(database.db, { limit: 500 })).items.map((i) => i.unitId)).not.toContain(item!.unitId);
    const audit = await database.db.selectFrom('web.audit').select(['username', 'target', 'detail']).where('action', '=', 'place_unit').execute();
    expect(audit).toEqual([expect.objectContaining({ username: 'chen.steward', target: `unit:${item!.unitId}` })]);
    // The unit's file shows where it now is and who put it there.
    const file = await (await steward.page(`/units/${item!.unitId}`)).text();
    expect(file).toContain(candidate.grid_l2!);
    expect(file).toContain('chen.steward');
  });

  it('places through the form and saves the address rule with it', async () => {
    const queue = await listUnplaced(database.db, { limit: 200 });
    const item = queue.items.find((i) => i.suggestedRule && i.gridL1);
    expect(item, 'an unplaced unit with a road and house number in its address').toBeDefined();
    const target = await database.db.selectFrom('grid.grid').select('code').where('parent_code', '=', item!.gridL1!).orderBy('code').executeTakeFirstOrThrow();
    const rule = item!.suggestedRule!;
    const res = await steward.postForm(`/unplaced/${item!.unitId}/place`, {
      _csrf: csrf, use_other: '1', grid_other: target.code, note: '', save_rule: '1',
      rule_pattern: rule.pattern, rule_from: String(rule.numberFrom), rule_to: String(rule.numberTo), rule_scope: rule.scopeCode ?? '', back: '/unplaced',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/unplaced?placed=${item!.unitId}`);
    const rules = await listRules(database.db);
    expect(rules).toContainEqual(expect.objectContaining({ gridL2: target.code, numberFrom: rule.numberFrom, numberTo: rule.numberTo }));
    const notice = await (await steward.page(res.headers.get('location')!)).text();
    expect(notice).toContain(`（${target.code}），并已记录操作人和时间`);
    // A refused form (no token) places nothing.
    const other = (await listUnplaced(database.db, { limit: 1 })).items[0]!;
    expect((await steward.postForm(`/unplaced/${other.unitId}/place`, { grid: target.code })).status).toBe(403);
    expect((await database.db.selectFrom('grid.placement').select('method').where('unit_id', '=', other.unitId).executeTakeFirstOrThrow()).method).not.toBe('steward');
  });
});
