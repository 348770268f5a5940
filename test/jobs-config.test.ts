import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, cronProblem, loadSchedulerConfig, parseSchedulerConfig } from '../schemas/config.ts';
import { nextRuns } from '../jobs/next-runs.ts';
import { formatShanghai } from '../jobs/shanghai-time.ts';
import { backoffDelay, withRetry } from '../jobs/retry.ts';
import { main } from '../cli/main.ts';
import { tempDir } from './support/inbox.ts';

function writeConfig(body: unknown): string {
  const file = path.join(tempDir('gl-config-'), 'gridlink.json');
  fs.writeFileSync(file, JSON.stringify(body, null, 2));
  return file;
}

describe('scheduler config', () => {
  it('fills the defaults: 02:00 nightly sync, inbox poll every 5 minutes, Beijing time', () => {
    const config = parseSchedulerConfig({ inbox: '/srv/inbox' });
    expect(config.timezone).toBe('Asia/Shanghai');
    expect(config.sync.cron).toBe('0 2 * * *');
    expect(config.poll).toEqual({ cron: '*/5 * * * *', enabled: true });
    expect(config.health.port).toBe(8081);
    expect(config.pulls).toEqual([]);
  });

  it('refuses a bad cron expression, naming the entry and showing what a valid one looks like', () => {
    const attempt = () =>
      parseSchedulerConfig({
        inbox: '/srv/inbox',
        sync: { cron: '0 25 * * *' },
        pulls: [{ agency: 'tax', url: 'https://tax.example/export', cron: 'every night' }],
      });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/sync\.cron: "0 25 \* \* \*" is not a valid cron expression \(.*hour.*\)/);
    expect(message).toMatch(/pulls\[0\] \(tax\)\.cron: "every night" is not a valid cron expression/);
    expect(message).toContain('A valid one looks like "0 2 * * *"');
  });

  it('accepts every field form node-cron accepts and only those', () => {
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('30 1 * * 1-5')).toBeNull();
    expect(cronProblem('0 2 31 2 *')).toMatch(/impossible day of month/); // a job that would never run
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('0 2 * *')).toMatch(/expected 5 or 6 fields/);
  });

  it('keeps the grid on Beijing time and the pulls to known agencies, once each', () => {
    expect(() => parseSchedulerConfig({ inbox: 'x', timezone: 'UTC' })).toThrow(/fixed to Asia\/Shanghai/);
    expect(() => parseSchedulerConfig({ inbox: 'x', pulls: [{ agency: 'police', url: 'https://x.example/' }] })).toThrow(/pulls\[0\] \(police\)\.agency: agency must be one of/);
    const twice = { inbox: 'x', pulls: [{ agency: 'tax', url: 'https://a.example/' }, { agency: 'tax', url: 'https://b.example/' }] };
    expect(() => parseSchedulerConfig(twice)).toThrow(/agency "tax" twice/);
    expect(() => parseSchedulerConfig({ inbox: 'x', sync: { cron: '0 2 * * *', at: 2 } })).toThrow(/sync/);
  });

  describe('header values from the environment', () => {
    beforeEach(() => vi.stubEnv('GL_TEST_TOKEN', 's3cret'));
    afterEach(() => vi.unstubAllEnvs());
    it('expands ${NAME} and says which variable is missing', () => {
      const ok = parseSchedulerConfig({ inbox: 'x', pulls: [{ agency: 'market', url: 'https://m.example/', headers: { Authorization: 'Bearer ${GL_TEST_TOKEN}' } }] });
      expect(ok.pulls[0]!.headers).toEqual({ Authorization: 'Bearer s3cret' });
      expect(() => parseSchedulerConfig({ inbox: 'x', pulls: [{ agency: 'market', url: 'https://m.example/', headers: { A: '${GL_TEST_MISSING}' } }] })).toThrow(
        /environment variable GL_TEST_MISSING is not set/,
      );
    });
  });

  it('reads a file, resolving a relative inbox beside it, and names the file when it is wrong', () => {
    const file = writeConfig({ inbox: 'inbox', poll: { enabled: false } });
    const config = loadSchedulerConfig(file);
    expect(config.inbox).toBe(path.join(path.dirname(file), 'inbox'));
    expect(config.poll.enabled).toBe(false);
    expect(() => loadSchedulerConfig(path.join(path.dirname(file), 'missing.json'))).toThrow(/Cannot read the scheduler config .*missing\.json/);
    const broken = path.join(path.dirname(file), 'broken.json');
    fs.writeFileSync(broken, '{ "inbox": ');
    expect(() => loadSchedulerConfig(broken)).toThrow(/broken\.json is not valid JSON/);
  });
});

describe('cron times', () => {
  it('reads expressions on Beijing time, whatever the zone of the machine', () => {
    const now = Date.now();
    const [next, after] = nextRuns('0 2 * * *', 2);
    expect(formatShanghai(next!)).toMatch(/ 02:00:00$/);
    expect(next!.getTime()).toBeGreaterThan(now);
    expect(next!.getTime() - now).toBeLessThanOrEqual(24 * 3600_000);
    expect(after!.getTime() - next!.getTime()).toBe(24 * 3600_000);
    // 02:00 in Beijing is 18:00 UTC the day before.
    expect(next!.getUTCHours()).toBe(18);
  });
});

describe('retries with backoff', () => {
  it('doubles the delay up to the cap', () => {
    const policy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 300 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 300, 300]);
  });

  it('tries again until it works, and says how many attempts it took when it never does', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new Error(`HTTP 503 (call ${calls})`);
        return 'ok';
      },
      { attempts: 3, initialDelayMs: 5 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    const waits: number[] = [];
    await expect(withRetry(async () => Promise.reject(new Error('connection refused')), { attempts: 3, initialDelayMs: 5 }, { onRetry: (_e, _a, d) => waits.push(d) })).rejects.toThrow(
      'connection refused (gave up after 3 attempts)',
    );
    expect(waits).toEqual([5, 10]);
  });
});

describe('gridlink schedule --check', () => {
  let output: string;
  let errors: string;
  beforeEach(() => {
    output = '';
    errors = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((output += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((errors += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it('prints each job with its next times on Beijing time', async () => {
    const file = writeConfig({ inbox: 'inbox', sync: { cron: '15 3 * * *' }, pulls: [{ agency: 'market', url: 'https://m.example/export', cron: '45 1 * * *' }] });
    expect(await main(['node', 'gridlink', 'schedule', '--config', file, '--check'])).toBe(0);
    expect(output).toMatch(/sync\s+15 3 \* \* \*\s+下次 \d{4}-\d\d-\d\d 03:15:00/);
    expect(output).toMatch(/pull:market\s+45 1 \* \* \*\s+下次 \d{4}-\d\d-\d\d 01:45:00/);
    expect(output).toMatch(/poll\s+\*\/5 \* \* \* \*/);
  });

  it('fails at start on a bad cron expression, before touching any database', async () => {
    const file = writeConfig({ inbox: 'inbox', poll: { cron: '*/5 * * *' } });
    expect(await main(['node', 'gridlink', 'schedule', '--config', file])).toBe(1);
    expect(errors).toContain(`${file} is not valid`);
    expect(errors).toMatch(/poll\.cron: "\*\/5 \* \* \*" is not a valid cron expression/);
    expect(output).toBe('');
  });
});
