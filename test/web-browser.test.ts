import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUnplaced } from '../pipelines/grid/unplaced-queue.ts';
import { decisionHistory, listReview } from '../pipelines/match/review-queue.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { exportRegister } from '../pipelines/publish/exports.ts';
import { startServer, type RunningServer } from '../web/server.ts';
import { addUser } from '../web/users.ts';
import { freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { REPO_ROOT, SAMPLES } from './support/paths.ts';

const CHROMIUM = '/usr/bin/chromium';
// The README's screenshot is refreshed with UPDATE_SCREENSHOTS=1; otherwise it goes to a temporary folder.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs') : tempDir('gl-shots-');

async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form.login button[type=submit]')]);
}

// Browser tests run on the embedded database only; the API security tests cover PostgreSQL too.
describe('the pages in Debian\'s Chromium (PGlite, server in-process on 127.0.0.1)', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
    database = await freshDatabase('pglite');
    await runSync(database, { inbox: copyInbox(SAMPLES), asOf: '2026-11-27', log: silentLogger });
    await addUser(database.db, { username: 'zhou.steward', password: 'steward-secret-3', role: 'steward', displayName: '周敏' });
    server = await startServer(database, { port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true, locale: 'zh-CN' });
    page = await context.newPage();
    // Any script error or refused request (CSP, 4xx/5xx) on our pages is a failure of the test.
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/login')) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await signIn(page, server.url, 'zhou.steward', 'steward-secret-3');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await database?.dispose();
  });

  it('signs in, decides a pair with the keyboard, gets the next pair at once, and undoes with u', async () => {
    const queue = await listReview(database.db, { limit: 10 });
    expect(queue.total).toBeGreaterThan(0);
    const [first, second] = queue.items;
    await page.goto(`${server.url}/review`);
    await page.locator(`#pair[data-item="${first!.id}"]`).waitFor({ timeout: 10_000 });
    await page.locator('header .who').getByText('周敏').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'review-page.png') });
    expect(fs.statSync(path.join(SHOTS, 'review-page.png')).size).toBeGreaterThan(20_000);

    await page.keyboard.press('d');
    const next = second?.id ?? '';
    await page.locator(`#pair[data-item="${next}"]`).waitFor({ timeout: 10_000 });
    await page.locator('#recent-decisions').getByText('不是同一单位').waitFor();
    await expect.poll(async () => (await decisionHistory(database.db))[0]?.verdict).toBe('different');
    expect(await page.locator('#remaining').getAttribute('data-remaining')).toBe(String(queue.total - 1));

    await page.keyboard.press('u');
    await page.locator(`#pair[data-item="${first!.id}"]`).waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await decisionHistory(database.db))[0]?.undoneBy).toBe('zhou.steward');

    // A note typed in the box goes with a clicked decision; typing does not trigger the shortcuts.
    await page.locator('#pair textarea[name=note]').fill('电话和法定代表人相同');
    await page.locator('#pair button.same').click();
    await page.locator(`#pair[data-item="${next}"]`).waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await decisionHistory(database.db))[0]).toMatchObject({ verdict: 'same', note: '电话和法定代表人相同', steward: 'zhou.steward', undoneAt: null });
    const audit = await database.db.selectFrom('web.audit').select(['action', 'username']).where('action', 'in', ['review_decide', 'review_undo']).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['review_decide', 'review_undo', 'review_decide']);
    expect(audit.every((a) => a.username === 'zhou.steward')).toBe(true);
  });

  it('places an unplaced unit by clicking one of its candidate grids', async () => {
    await page.goto(`${server.url}/unplaced`);
    const card = page.locator('article.unplaced-card', { has: page.locator('.candidates button') }).first();
    const unitId = await card.getAttribute('data-unit');
    const grid = await card.locator('.candidates button').first().getAttribute('value');
    expect(unitId && grid).toBeTruthy();
    await Promise.all([page.waitForURL((u) => u.searchParams.get('placed') === unitId), card.locator('.candidates button').first().click()]);
    await page.locator('p.notice').getByText(`（${grid}），并已记录操作人和时间`).waitFor();
    expect(await page.locator(`#unit-${unitId}`).count()).toBe(0);
    const placement = await database.db.selectFrom('grid.placement').select(['method', 'grid_l1', 'grid_l2']).where('unit_id', '=', unitId!).executeTakeFirstOrThrow();
    expect(placement.method).toBe('steward');
    expect([placement.grid_l1, placement.grid_l2]).toContain(grid);
    expect((await listUnplaced(database.db, { limit: 500 })).items.map((i) => i.unitId)).not.toContain(unitId);
  });

  it('downloads a grid\'s register as csv (the command\'s bytes) and as xlsx', async () => {
    const grid = await database.db.selectFrom('grid.placement').select('grid_l1').where('grid_l1', 'is not', null).orderBy('grid_l1').executeTakeFirstOrThrow();
    await page.goto(`${server.url}/grids`);
    await Promise.all([page.waitForURL(`${server.url}/grids/${grid.grid_l1}`), page.locator(`#grid-list a[href="/grids/${grid.grid_l1}"]`).click()]);
    const dir = tempDir('gl-dl-');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '单位名册 csv' }).click()]);
    expect(csv.suggestedFilename()).toBe(`${grid.grid_l1}-用人单位名册.csv`);
    await csv.saveAs(path.join(dir, 'page.csv'));
    await exportRegister(database.db, path.join(dir, 'command.csv'), grid.grid_l1);
    expect(fs.readFileSync(path.join(dir, 'page.csv')).equals(fs.readFileSync(path.join(dir, 'command.csv')))).toBe(true);

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '单位名册 xlsx' }).click()]);
    await xlsx.saveAs(path.join(dir, 'page.xlsx'));
    expect(fs.readFileSync(path.join(dir, 'page.xlsx')).subarray(0, 2).toString()).toBe('PK');

    // The overview chart has a pair of bars per level-1 grid.
    await page.goto(`${server.url}/grids`);
    const level1 = Number((await database.db.selectFrom('grid.grid').select((eb) => eb.fn.countAll().as('n')).where('level', '=', 1).where('active', '=', true).executeTakeFirstOrThrow()).n);
    expect(await page.locator('figure.chart svg rect.series-units').count()).toBe(level1 + 1);
  });

  it('raised no script errors and no refused requests on the way', () => {
    expect(errors).toEqual([]);
  });
});
