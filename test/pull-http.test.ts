import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullAgency } from '../connectors/http-pull.ts';
import { listInbox } from '../connectors/inbox.ts';
import { ingest } from '../pipelines/ingest.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

const MARKET = fs.readFileSync(path.join(SAMPLES, 'market/market-20261127.csv'));
const CSV = 'text/csv; charset=utf-8';

interface Seen {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  at: number;
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse, call: number) => void;

/** A real HTTP server on 127.0.0.1 whose answers per path are set by each test. */
async function startServer() {
  const routes = new Map<string, Route>();
  const seen: Seen[] = [];
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers, at: performance.now() });
    const call = (calls.get(url.pathname) ?? 0) + 1;
    calls.set(url.pathname, call);
    const route = routes.get(url.pathname);
    if (route) route(req, res, call);
    else res.writeHead(404).end('no such export');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    route: (p: string, r: Route) => routes.set(p, r),
    requests: (p: string) => seen.filter((s) => s.path === p),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe.each(engines())('HTTP pull of agency exports on %s', (engine) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const state = (url: string) => database.db.selectFrom('staging.pull_state').selectAll().where('url', '=', url).executeTakeFirstOrThrow();

  it('downloads a new export, then sends its ETag back and gets 304: nothing is written twice', async () => {
    server.route('/etag', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { ETag: '"v1"' }).end();
      res.writeHead(200, { ETag: '"v1"', 'Content-Type': CSV, 'Content-Disposition': 'attachment; filename="market-20261127.csv"' }).end(MARKET);
    });
    const inbox = tempDir();
    const url = `${server.base}/etag`;
    const first = await pullAgency(database, { agency: 'market', url }, inbox, silentLogger, { backoffMs: 10 });
    expect(first).toEqual({ agency: 'market', status: 'new_file', file: path.join(inbox, 'market', 'market-20261127.csv'), bytes: MARKET.length });
    expect(fs.readFileSync(first.file!)).toEqual(MARKET);
    expect(await state(url)).toMatchObject({ agency: 'market', etag: '"v1"', last_status: 'new_file', last_file: 'market-20261127.csv', attempts: 1, last_error: null });

    const second = await pullAgency(database, { agency: 'market', url }, inbox, silentLogger, { backoffMs: 10 });
    expect(second).toEqual({ agency: 'market', status: 'not_modified' });
    expect(server.requests('/etag')[1]!.headers['if-none-match']).toBe('"v1"');
    expect(fs.readdirSync(path.join(inbox, 'market'))).toEqual(['market-20261127.csv']);
    const after = await state(url);
    expect(after).toMatchObject({ etag: '"v1"', last_status: 'not_modified', last_file: 'market-20261127.csv' });
    expect(after.last_success_at!.getTime()).toBeGreaterThanOrEqual(after.last_attempt_at!.getTime());
  });

  it('keeps the cursor the server hands out and sends it back as cursor=', async () => {
    server.route('/cursor', (req, res) => {
      const cursor = new URL(req.url!, 'http://x').searchParams.get('cursor');
      if (cursor === 'c-41') return void res.writeHead(204, { 'X-Next-Cursor': 'c-41' }).end();
      res.writeHead(200, { 'Content-Type': CSV, 'X-Next-Cursor': 'c-41' }).end(MARKET);
    });
    const inbox = tempDir();
    const url = `${server.base}/cursor?area=321000`;
    expect((await pullAgency(database, { agency: 'market', url, fileName: 'market-20261127.csv' }, inbox, silentLogger)).status).toBe('new_file');
    expect((await state(url)).cursor).toBe('c-41');
    expect((await pullAgency(database, { agency: 'market', url, fileName: 'market-20261127.csv' }, inbox, silentLogger)).status).toBe('not_modified');
    const [first, second] = server.requests('/cursor');
    expect(first!.query.get('cursor')).toBeNull();
    expect(Object.fromEntries(second!.query)).toEqual({ area: '321000', cursor: 'c-41' });
  });

  it('without a cursor, sends Last-Modified back as If-Modified-Since and since=', async () => {
    const lastModified = 'Fri, 27 Nov 2026 02:00:00 GMT';
    server.route('/since', (req, res) => {
      if (req.headers['if-modified-since'] === lastModified) return void res.writeHead(304).end();
      res.writeHead(200, { 'Content-Type': CSV, 'Last-Modified': lastModified }).end(MARKET);
    });
    const inbox = tempDir();
    const url = `${server.base}/since`;
    await pullAgency(database, { agency: 'market', url }, inbox, silentLogger);
    expect((await pullAgency(database, { agency: 'market', url }, inbox, silentLogger)).status).toBe('not_modified');
    const second = server.requests('/since')[1]!;
    expect(second.query.get('since')).toBe('2026-11-27T02:00:00.000Z');
    expect((await state(url)).last_modified).toBe(lastModified);
  });

  it('retries 503 with backoff and succeeds on the third attempt', async () => {
    server.route('/flaky', (_req, res, call) => {
      if (call <= 2) return void res.writeHead(503, { 'Content-Type': 'text/plain' }).end('busy');
      res.writeHead(200, { 'Content-Type': CSV }).end(MARKET);
    });
    const inbox = tempDir();
    const url = `${server.base}/flaky`;
    const result = await pullAgency(database, { agency: 'tax', url, fileName: 'tax-20261120.csv' }, inbox, silentLogger, { retries: 3, backoffMs: 50 });
    expect(result.status).toBe('new_file');
    const times = server.requests('/flaky').map((r) => r.at);
    expect(times).toHaveLength(3);
    // 50 ms, then 100 ms: the second wait is the doubled one.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(45);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(95);
    expect(await state(url)).toMatchObject({ last_status: 'new_file', attempts: 3 });
  });

  it('honours Retry-After on 429', async () => {
    server.route('/throttled', (_req, res, call) => {
      if (call === 1) return void res.writeHead(429, { 'Retry-After': '1' }).end();
      res.writeHead(200, { 'Content-Type': CSV }).end(MARKET);
    });
    const url = `${server.base}/throttled`;
    await pullAgency(database, { agency: 'market', url }, tempDir(), silentLogger, { retries: 2, backoffMs: 10 });
    const [a, b] = server.requests('/throttled');
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a 404, names agency, URL and cause, and records the failure', async () => {
    const url = `${server.base}/missing`;
    const inbox = tempDir();
    await expect(pullAgency(database, { agency: 'statistics', url }, inbox, silentLogger, { retries: 3, backoffMs: 10 })).rejects.toThrow(
      /statistics.*127\.0\.0\.1:\d+\/missing.*HTTP 404/,
    );
    expect(server.requests('/missing')).toHaveLength(1);
    expect(await state(url)).toMatchObject({ last_status: 'failed', attempts: 1 });
    expect((await state(url)).last_error).toMatch(/HTTP 404/);
    expect(fs.existsSync(path.join(inbox, 'statistics')) ? fs.readdirSync(path.join(inbox, 'statistics')) : []).toEqual([]);
  });

  it('gives up after the last retry of a server that stays down, without leaking the password', async () => {
    server.route('/down', (_req, res) => res.writeHead(502).end());
    const url = `http://bureau:s3cret@${server.base.slice('http://'.length)}/down?token=abc123`;
    const error = await pullAgency(database, { agency: 'personnel', url }, tempDir(), silentLogger, { retries: 2, backoffMs: 10 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/personnel/);
    expect(message).toMatch(/after 3 attempts: HTTP 502/);
    expect(message).toContain(`${server.base}/down?token=***`);
    expect(message).not.toMatch(/s3cret|abc123|bureau/);
    expect(server.requests('/down')).toHaveLength(3);
    // The credentials of the URL arrive as Basic authentication.
    expect(server.requests('/down')[0]!.headers.authorization).toBe(`Basic ${Buffer.from('bureau:s3cret').toString('base64')}`);
    const rows = await database.db.selectFrom('staging.pull_state').selectAll().where('agency', '=', 'personnel').execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/s3cret|abc123/);
    expect(rows[0]).toMatchObject({ last_status: 'failed', attempts: 3 });
  });

  it('retries a refused connection and reports the network cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${port}/export.csv`;
    await expect(pullAgency(database, { agency: 'org-code', url }, tempDir(), silentLogger, { retries: 1, backoffMs: 10 })).rejects.toThrow(
      /org-code.*after 2 attempts: network error: ECONNREFUSED/,
    );
    expect(await state(url)).toMatchObject({ last_status: 'failed', attempts: 2 });
  });

  it('streams to a .part file that the inbox does not take until the download is complete', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let halfSent!: () => void;
    const half = new Promise<void>((resolve) => (halfSent = resolve));
    server.route('/slow', (_req, res) => {
      res.writeHead(200, { 'Content-Type': CSV, 'Content-Length': String(MARKET.length), 'Content-Disposition': 'attachment; filename="market-20261127.csv"' });
      res.write(MARKET.subarray(0, 1000), () => halfSent());
      void released.then(() => res.end(MARKET.subarray(1000)));
    });
    const inbox = tempDir();
    const pulling = pullAgency(database, { agency: 'market', url: `${server.base}/slow` }, inbox, silentLogger);
    await half;
    // Give the client time to write what it received.
    for (let i = 0; i < 50 && !fs.existsSync(path.join(inbox, 'market', 'market-20261127.csv.part')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.readdirSync(path.join(inbox, 'market'))).toEqual(['market-20261127.csv.part']);
    const during = await listInbox(inbox, { settleMs: 10 });
    expect(during.files).toEqual([]);
    expect(during.skipped.map((s) => path.basename(s.path))).toEqual(['market-20261127.csv.part']);
    release();
    const result = await pulling;
    expect(fs.readdirSync(path.join(inbox, 'market'))).toEqual(['market-20261127.csv']);
    expect(fs.readFileSync(result.file!)).toEqual(MARKET);
  });

  it('retries a download cut short and leaves no partial file behind', async () => {
    server.route('/cut', (req, res, call) => {
      res.writeHead(200, { 'Content-Type': CSV, 'Content-Length': String(MARKET.length) });
      if (call === 1) {
        res.write(MARKET.subarray(0, 500), () => req.socket.destroy());
        return;
      }
      res.end(MARKET);
    });
    const inbox = tempDir();
    const result = await pullAgency(database, { agency: 'market', url: `${server.base}/cut` }, inbox, silentLogger, { retries: 2, backoffMs: 10 });
    expect(server.requests('/cut')).toHaveLength(2);
    expect(fs.readdirSync(path.join(inbox, 'market'))).toEqual([path.basename(result.file!)]);
    expect(result.bytes).toBe(MARKET.length);
  });

  it('names the file from Content-Disposition (RFC 5987 and raw UTF-8), else fileName, else agency and date', async () => {
    const chinese = '基本单位名录-20260930.csv';
    server.route('/cd-star', (_req, res) =>
      res.writeHead(200, { 'Content-Type': CSV, 'Content-Disposition': `attachment; filename="export.csv"; filename*=UTF-8''${encodeURIComponent(chinese)}` }).end('a'),
    );
    server.route('/cd-raw', (_req, res) => {
      // Servers that put UTF-8 bytes straight into the header.
      res.setHeader('Content-Disposition', Buffer.from(`attachment; filename="../../${chinese}"`, 'utf8').toString('latin1'));
      res.writeHead(200, { 'Content-Type': CSV }).end('b');
    });
    server.route('/plain', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }).end('c'));
    const inbox = tempDir();
    const star = await pullAgency(database, { agency: 'statistics', url: `${server.base}/cd-star` }, inbox, silentLogger);
    expect(path.basename(star.file!)).toBe(chinese);
    const raw = await pullAgency(database, { agency: 'statistics', url: `${server.base}/cd-raw`, fileName: 'ignored.csv' }, inbox, silentLogger);
    // The same name still waits in the inbox, and "../" never leaves the agency folder.
    expect(raw.file).toBe(path.join(inbox, 'statistics', '基本单位名录-20260930-2.csv'));
    const named = await pullAgency(database, { agency: 'tax', url: `${server.base}/plain`, fileName: 'tax-20261120.xlsx' }, inbox, silentLogger);
    expect(path.basename(named.file!)).toBe('tax-20261120.xlsx');
    const dated = await pullAgency(database, { agency: 'org-code', url: `${server.base}/plain` }, inbox, silentLogger);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).replaceAll('-', '');
    expect(path.basename(dated.file!)).toBe(`org-code-${today}.xlsx`);
  });

  it('a pulled file is ingested like a dropped one, under its own name and snapshot date', async () => {
    server.route('/ingest', (_req, res) =>
      res.writeHead(200, { 'Content-Type': CSV, ETag: '"m-1127"', 'Content-Disposition': 'attachment; filename="market-20261127.csv"' }).end(MARKET),
    );
    const inbox = tempDir();
    await pullAgency(database, { agency: 'market', url: `${server.base}/ingest` }, inbox, silentLogger);
    const { id: runId } = await database.db.insertInto('runs.run').values({ as_of: '2026-11-27', started_at: new Date(), finished_at: null, inbox, error: null, summary: null }).returning('id').executeTakeFirstOrThrow();
    const counts = await ingest({ database, db: database.db, runId, asOf: '2026-11-27', log: silentLogger }, { inbox, archive: false });
    expect(counts).toMatchObject({ files_loaded: 1, rows_rejected: 0 });
    const file = await database.db.selectFrom('staging.file').selectAll().where('run_id', '=', runId).executeTakeFirstOrThrow();
    expect(file).toMatchObject({ file_name: 'market-20261127.csv', kind: 'market', snapshot_date: '2026-11-27', status: 'loaded' });
  });
});
