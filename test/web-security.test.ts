import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { exportRegister } from '../pipelines/publish/exports.ts';
import { startServer, type RunningServer } from '../web/server.ts';
import { addUser } from '../web/users.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';
import { WebClient } from './support/web-client.ts';

const STEWARD = { username: 'wang.steward', password: 'steward-secret-1' };
const INSPECTOR = { username: 'xu.inspector', password: 'inspector-secret-1' };

describe.each(engines())('web API security on %s (samples synced, server on 127.0.0.1)', (engine) => {
  let database: TestDatabase;
  let server: RunningServer;
  /** A level-1 grid with units (the inspector's), another one with units, and a unit in each. */
  let own: { grid: string; child: string | null; unit: string };
  let other: { grid: string; unit: string };

  beforeAll(async () => {
    database = await freshDatabase(engine);
    await runSync(database, { inbox: copyInbox(SAMPLES), asOf: '2026-11-27', log: silentLogger });
    const placed = await database.db
      .selectFrom('grid.placement')
      .select(['grid_l1', 'grid_l2', 'unit_id'])
      .where('grid_l1', 'is not', null)
      .orderBy('grid_l1')
      .orderBy('unit_id')
      .execute();
    const grids = [...new Set(placed.map((p) => p.grid_l1!))];
    expect(grids.length).toBeGreaterThan(1);
    const first = placed.filter((p) => p.grid_l1 === grids[0]);
    own = { grid: grids[0]!, child: first.find((p) => p.grid_l2)?.grid_l2 ?? null, unit: first[0]!.unit_id };
    other = { grid: grids[1]!, unit: placed.find((p) => p.grid_l1 === grids[1])!.unit_id };
    await addUser(database.db, { ...STEWARD, role: 'steward' });
    await addUser(database.db, { ...INSPECTOR, role: 'inspector', grids: [own.grid] });
    server = await startServer(database, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('answers nothing without a session: 401 for the API, a redirect to sign-in for pages', async () => {
    const anon = new WebClient(server.url);
    for (const p of ['/api/grids', `/api/grids/${own.grid}/register?format=csv`, `/api/units/${own.unit}`, '/api/runs', '/api/me']) {
      const res = await anon.fetch(p);
      expect(res.status, p).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/请先登录/);
    }
    const page = await anon.page('/grids/' + own.grid);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/grids/' + own.grid)}`);
    // An unknown path says nothing about what exists until signed in.
    expect((await anon.fetch('/api/no-such-thing')).status).toBe(401);
    expect((await anon.postJson('/api/review/decisions', { verdict: 'same' })).status).toBe(401);
    // The sign-in page and the static files are the exceptions.
    expect((await anon.page('/login')).status).toBe(200);
    expect((await anon.fetch('/static/app.js')).status).toBe(200);
  });

  it('signs in with the stored scrypt hash and sets an HttpOnly, SameSite=Lax session cookie stored only as a hash', async () => {
    const wrong = new WebClient(server.url);
    const bad = await wrong.signIn(STEWARD.username, 'not-the-password');
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('用户名或密码错误');
    expect(wrong.cookies.has('gridlink_session')).toBe(false);

    const client = new WebClient(server.url);
    const res = await client.signIn(STEWARD.username.toUpperCase(), STEWARD.password);
    expect(res.status).toBe(303);
    const cookie = client.lastSetCookies.find((c) => c.startsWith('gridlink_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const token = client.cookies.get('gridlink_session')!;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const stored = await database.db.selectFrom('web.session').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).toContain(crypto.createHash('sha256').update(token).digest('hex'));
    expect(stored.map((s) => s.id_hash)).not.toContain(token);
    const user = await database.db.selectFrom('web.user').select('password_hash').where('username', '=', STEWARD.username).executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(await (await client.fetch('/api/me')).json()).toMatchObject({ username: STEWARD.username, role: 'steward' });
  });

  it('lets an inspector read and download only their own grids: 403 for another grid through the API', async () => {
    const client = new WebClient(server.url);
    expect((await client.signIn(INSPECTOR.username, INSPECTOR.password)).status).toBe(303);

    const mine = await client.fetch(`/api/grids/${own.grid}/register?format=csv`);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-disposition')).toMatch(/^attachment; filename="register-/);
    const csv = Buffer.from(await mine.arrayBuffer());
    // The same file the command writes: the page calls the same export function.
    const file = path.join(tempDir(), 'register.csv');
    await exportRegister(database.db, file, own.grid);
    expect(csv.equals(fs.readFileSync(file))).toBe(true);
    expect(csv.toString('utf8')).toContain(own.unit);

    for (const p of [`/api/grids/${other.grid}/register?format=csv`, `/api/grids/${other.grid}/register?format=xlsx`, `/api/grids/${other.grid}/register`, `/api/grids/${other.grid}/reports?format=csv`, `/api/units/${other.unit}`]) {
      const res = await client.fetch(p);
      expect(res.status, p).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/无权/);
    }
    expect((await client.page(`/grids/${other.grid}`)).status).toBe(403);
    expect((await client.page(`/units/${other.unit}`)).status).toBe(403);
    expect((await client.page(`/units/${own.unit}`)).status).toBe(200);
    if (own.child) expect((await client.fetch(`/api/grids/${own.child}/register`)).status).toBe(200);
    // Stewards' areas are closed to inspectors.
    expect((await client.page('/review')).status).toBe(403);
    expect((await client.page('/runs')).status).toBe(403);
    expect((await client.fetch('/api/runs')).status).toBe(403);

    // The page shows only what the API allows: no other grid, no stewards' menu.
    const overview = await (await client.page('/grids')).text();
    expect(overview).toContain(`href="/grids/${own.grid}"`);
    expect(overview).not.toContain(`href="/grids/${other.grid}"`);
    expect(overview).not.toContain('href="/review"');

    const listed = (await (await client.fetch('/api/grids')).json()) as { grids: { code: string; parentCode: string | null }[] };
    expect(listed.grids.length).toBeGreaterThan(0);
    expect(listed.grids.every((g) => g.code === own.grid || g.parentCode === own.grid)).toBe(true);

    const audit = await database.db.selectFrom('web.audit').select(['username', 'action', 'target', 'at']).where('action', '=', 'download_register').execute();
    expect(audit).toContainEqual(expect.objectContaining({ username: INSPECTOR.username, target: `grid:${own.grid}` }));
    expect(audit.some((a) => a.target === `grid:${other.grid}`)).toBe(false);
  });

  it('a steward downloads any grid as xlsx', async () => {
    const client = new WebClient(server.url);
    await client.signIn(STEWARD.username, STEWARD.password);
    const res = await client.fetch(`/api/grids/${other.grid}/reports?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
  });

  it('refuses a form or API write without its CSRF token, or from another origin', async () => {
    const client = new WebClient(server.url);
    await client.signIn(STEWARD.username, STEWARD.password);
    const token = await client.csrfToken();

    const missing = await client.postForm('/logout', {});
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('安全校验码');
    expect((await client.postForm('/logout', { _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await client.postJson('/api/review/decisions', { verdict: 'same' })).status).toBe(403);
    expect((await client.postForm('/logout', { _csrf: token }, { origin: 'http://evil.example' })).status).toBe(403);
    // Still signed in: none of the refused posts did anything.
    expect((await client.fetch('/api/me')).status).toBe(200);

    const ok = await client.postForm('/logout', { _csrf: token }, { origin: server.url });
    expect(ok.status).toBe(303);
    expect((await client.fetch('/api/me')).status).toBe(401);

    // The sign-in form carries its own token (no session yet): posting without it is refused.
    const fresh = new WebClient(server.url);
    await fresh.page('/login');
    const noToken = await fresh.postForm('/login', { username: STEWARD.username, password: STEWARD.password });
    expect(noToken.status).toBe(403);
    expect(fresh.cookies.has('gridlink_session')).toBe(false);
  });
});

describe.each(engines())('sign-in rate limit and session expiry on %s', (engine) => {
  let database: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    await addUser(database.db, { username: 'li.steward', password: 'correct-horse-1', role: 'steward' });
    // Behind a proxy, so each test can sign in from its own address.
    server = await startServer(database, { port: 0, host: '127.0.0.1', trustProxy: true, sessionMinutes: 0.03, secureCookies: true });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('after 5 failures for one user, even the right password gets 429 with a Chinese message', async () => {
    for (let i = 0; i < 5; i++) {
      const c = new WebClient(server.url, { 'x-forwarded-for': `10.0.0.${i + 1}` });
      expect((await c.signIn('li.steward', `wrong-${i}`)).status).toBe(401);
    }
    const c = new WebClient(server.url, { 'x-forwarded-for': '10.0.0.99' });
    const res = await c.signIn('li.steward', 'correct-horse-1');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).toContain('登录失败次数过多');
    expect(c.cookies.has('gridlink_session')).toBe(false);
  });

  it('after 5 failures from one address, that address is blocked for every user name', async () => {
    const c = new WebClient(server.url, { 'x-forwarded-for': '10.0.1.1' });
    for (let i = 0; i < 5; i++) expect((await c.signIn(`nobody${i}`, 'whatever-pass')).status).toBe(401);
    expect((await c.signIn('someone.else', 'whatever-pass')).status).toBe(429);
  });

  it('marks cookies Secure when configured, and a session ends at its expiry', async () => {
    await addUser(database.db, { username: 'zhao.steward', password: 'correct-horse-2', role: 'steward' });
    const c = new WebClient(server.url, { 'x-forwarded-for': '10.0.2.1' });
    expect((await c.signIn('zhao.steward', 'correct-horse-2')).status).toBe(303);
    expect(c.lastSetCookies.find((x) => x.startsWith('gridlink_session='))).toMatch(/; Secure/);
    expect((await c.fetch('/api/me')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await c.fetch('/api/me')).status).toBe(401);
  });
});
