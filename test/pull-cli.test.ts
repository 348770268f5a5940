import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase, engines } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';
import { REPO_ROOT, SAMPLES } from './support/paths.ts';

const MARKET = fs.readFileSync(path.join(SAMPLES, 'market/market-20261127.csv'));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe.each(engines())('gridlink pull on %s', (engine) => {
  let server: http.Server;
  let base: string;
  let env: NodeJS.ProcessEnv;
  let drop: (() => Promise<void>) | null = null;

  // Asynchronous on purpose: the HTTP server lives in this process and must keep answering.
  const gridlink = (args: string[]) =>
    new Promise<Ran>((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'bin/gridlink.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/market.csv') {
        if (req.headers['if-none-match'] === '"m1"') return void res.writeHead(304).end();
        return void res.writeHead(200, { ETag: '"m1"', 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="market-20261127.csv"' }).end(MARKET);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env = { ...process.env, GRIDLINK_LOG_LEVEL: 'warn' };
    if (engine === 'postgres') {
      const db = await createThrowawayDatabase();
      env.DATABASE_URL = db.url;
      drop = db.drop;
    } else {
      delete env.DATABASE_URL;
      env.GRIDLINK_DATA = tempDir('gl-pull-cli-');
    }
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await drop?.();
  });

  // One sequence per engine: every command starts a process and opens the database, which is slow.
  it('downloads a new export, says "not modified" next time, downloads again with --force, reports a failure, and pull-state shows it all', async () => {
    const inbox = tempDir();
    const pull = (...extra: string[]) => gridlink(['pull', '--agency', 'market', '--url', `${base}/market.csv`, '--inbox', inbox, ...extra]);
    const first = await pull();
    expect(first.code, first.stderr).toBe(0);
    const file = path.join(inbox, 'market', 'market-20261127.csv');
    expect(first.stdout).toContain(`market: new file ${file} (${MARKET.length} bytes)`);
    expect(fs.readFileSync(file)).toEqual(MARKET);

    const second = await pull();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('market: not modified since the last pull');

    const forced = await pull('--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`market: new file ${path.join(inbox, 'market', 'market-20261127-2.csv')}`);

    const url = `http://clerk:hunter2@${base.slice('http://'.length)}/gone.csv`;
    const failed = await gridlink(['pull', '--agency', 'tax', '--url', url, '--inbox', inbox, '--retries', '2', '--backoff-ms', '10']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`gridlink: Pull of tax from ${base}/gone.csv failed after 1 attempt: HTTP 404 Not Found. Check the URL with the agency`);
    expect(failed.stderr).not.toContain('hunter2');

    const state = await gridlink(['pull-state']);
    expect(state.code, state.stderr).toBe(0);
    expect(state.stdout).toContain(`market  ${base}/market.csv\n  last: new_file after 1 attempt(s)`);
    expect(state.stdout).toContain('etag: "m1"');
    expect(state.stdout).toContain(`tax  ${base}/gone.csv\n  last: failed after 1 attempt(s)`);
    expect(state.stdout).toContain('error: Pull of tax');
    expect(state.stdout).not.toContain('hunter2');
  }, 600_000);
});

describe('gridlink pull arguments', () => {
  it('refuses an unknown agency as a usage error, before touching any database', async () => {
    const env = { ...process.env, GRIDLINK_DATA: '/nonexistent/gridlink-data' };
    const res = await new Promise<Ran>((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'bin/gridlink.js'), 'pull', '--agency', 'police', '--url', 'http://127.0.0.1:9/x.csv', '--inbox', tempDir()], { env, encoding: 'utf8' }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/expected one of statistics, market, tax/);
  });
});
