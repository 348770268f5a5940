import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/inbox.ts';
import { REPO_ROOT } from './support/paths.ts';
import { WebClient } from './support/web-client.ts';

const BIN = path.join(REPO_ROOT, 'bin/gridlink.js');

function env(data: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, GRIDLINK_DATA: data, GRIDLINK_LOG_LEVEL: 'warn' };
  delete e.DATABASE_URL;
  return e;
}

function gridlink(data: string, args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], { env: env(data), input, encoding: 'utf8', timeout: 120_000 });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('gridlink users and gridlink serve (embedded database)', () => {
  const data = tempDir('gl-web-cli-');

  it('adds users with a password from stdin, refuses weak or ungridded ones, and lists them', () => {
    const ok = gridlink(data, ['users', 'add', 'Admin.Li', '--role', 'admin', '--display-name', '李管理', '--password-stdin'], 'admin-secret-1\n');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('user admin.li added (admin)\n');

    const weak = gridlink(data, ['users', 'add', 'weak', '--role', 'steward', '--password-stdin'], 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/at least 10 characters/);
    const noGrid = gridlink(data, ['users', 'add', 'insp', '--role', 'inspector', '--password-stdin'], 'inspector-secret\n');
    expect(noGrid.status).toBe(1);
    expect(noGrid.stderr).toMatch(/needs at least one grid: add --grid CODE/);
    const unknownGrid = gridlink(data, ['users', 'add', 'insp', '--role', 'inspector', '--grid', 'NO-SUCH', '--password-stdin'], 'inspector-secret\n');
    expect(unknownGrid.status).toBe(1);
    expect(unknownGrid.stderr).toMatch(/no grid with code NO-SUCH/);
    const badRole = gridlink(data, ['users', 'add', 'x', '--role', 'boss', '--password-stdin'], 'whatever-secret\n');
    expect(badRole.status).not.toBe(0);
    expect(badRole.stderr).toMatch(/--role must be one of steward, inspector, admin/);
    const noTty = gridlink(data, ['users', 'add', 'someone', '--role', 'steward']);
    expect(noTty.status).toBe(1);
    expect(noTty.stderr).toMatch(/--password-stdin/);
    const again = gridlink(data, ['users', 'add', 'admin.li', '--role', 'admin', '--password-stdin'], 'admin-secret-2\n');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    const list = gridlink(data, ['users', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toBe('admin.li\tadmin\t-\t李管理\n');
  }, 300_000);

  it('serve opens the database once, answers on the port, lets the user in, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], { env: env(data), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toContain(`gridlink pages at http://127.0.0.1:${port}/`);
      const client = new WebClient(`http://127.0.0.1:${port}`);
      expect((await client.fetch('/api/me')).status).toBe(401);
      expect((await client.signIn('admin.li', 'admin-secret-1')).status).toBe(303);
      expect(await (await client.fetch('/api/me')).json()).toMatchObject({ username: 'admin.li', role: 'admin', displayName: '李管理' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, err).toBe(0);
  }, 300_000);
});
