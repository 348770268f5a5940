import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, REFERENCE } from './support/paths.ts';
import { tempDir } from './support/inbox.ts';

function gridlink(args: string[], options: { input?: string; data?: string } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, GRIDLINK_DATA: options.data ?? tempDir('gl-cli-'), GRIDLINK_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/gridlink.js'), ...args], { env, input: options.input, encoding: 'utf8', timeout: 120_000 });
}

describe('the gridlink command', () => {
  it('codes validate writes one JSON object per input line, as the contract says', () => {
    const vectors = fs.readFileSync(path.join(REFERENCE, 'codes/company_names_uscc.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    const input = ['91321000140718583H', '9132 1000-1407 1858 3h', '71341487-9', '321081000003012', '91350211M0000XUF46', 'hello', ...vectors.map((v) => v[0]!)].join('\n');
    const res = gridlink(['codes', 'validate'], { input });
    expect(res.status).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6 + vectors.length);
    expect(lines[0]).toEqual({ input: '91321000140718583H', kind: 'uscc', valid: true, normalized: '91321000140718583H', org_code: '140718583' });
    expect(lines[1]).toMatchObject({ kind: 'uscc', valid: true, normalized: '91321000140718583H' });
    expect(lines[2]).toMatchObject({ kind: 'org_code', normalized: '713414879' });
    expect(lines[3]).toMatchObject({ kind: 'reg_no', valid: true });
    expect(lines[4]).toMatchObject({ kind: 'uscc', valid: false });
    expect(lines[5]).toMatchObject({ kind: 'unknown', valid: false });
    vectors.forEach((v, i) => expect(lines[6 + i].valid).toBe(v[2] === 'valid'));
  });

  it('sync on a missing inbox fails with a message that says what to do', () => {
    const res = gridlink(['sync', '--inbox', '/nonexistent/inbox']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Inbox folder \/nonexistent\/inbox does not exist\. Create it with one sub-folder per agency/);
  });

  it('rejects a malformed --as-of date as a usage error', () => {
    const res = gridlink(['sync', '--inbox', '.', '--as-of', '2026-02-30']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/expected a date as YYYY-MM-DD/);
  });

  it('demo runs the whole sync and prints the summary; a second demo loads nothing twice', () => {
    const data = tempDir('gl-demo-');
    const first = gridlink(['demo', '--units', '200'], { data });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/gridlink 同步完成/);
    expect(first.stdout).toMatch(/文件 {2}本次 12 个：新载入 12/);
    expect(first.stdout).not.toContain('沿用原有单位');
    const reports = /报告 {2}未关闭：(.*)；本次新开 (\d+)/.exec(first.stdout);
    expect(Number(reports![2])).toBeGreaterThan(0);
    const second = gridlink(['demo', '--units', '200'], { data });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/新载入 0，重复\(已收过\) 12/);
    // Nothing new reached matching: the summary says the units were kept, not matched again.
    expect(second.stdout).toMatch(/自上次匹配以来记录与人工裁定均无变化，沿用原有单位；本次新建 0，合并 0，拆分 0/);
    expect(second.stdout).toContain(`未关闭：${reports![1]}；本次新开 0，关闭 0`);
  });
});
