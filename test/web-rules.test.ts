import { describe, expect, it } from 'vitest';
import { axisTop } from '../web/charts/bar-chart.ts';
import { scoreWaterfall } from '../web/charts/score-waterfall.ts';
import { escapeHtml, html, withQuery } from '../web/html.ts';
import { safeNext } from '../web/routes/auth.ts';
import { LOGIN_LIMIT, retryAfterSeconds, type Attempt } from '../web/security/login-limit.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../web/security/passwords.ts';
import { tokensEqual } from '../web/security/tokens.ts';

describe('html templates escape every value', () => {
  it('escapes text, attributes and nested arrays, and does not escape nested templates twice', () => {
    const name = `<script>alert("x")</script> & 'q' \``;
    const out = html`<p title="${name}">${name}</p>${[html`<b>${'<i>'}</b>`, 3, null, false]}`.value;
    expect(out).toBe(`<p title="${escapeHtml(name)}">${escapeHtml(name)}</p><b>&lt;i&gt;</b>3`);
    expect(out).not.toContain('<script>');
    expect(escapeHtml(`"'<>&\``)).toBe('&quot;&#39;&lt;&gt;&amp;&#96;');
  });

  it('builds query strings with encoded values and without empty ones', () => {
    expect(withQuery('/grids/A', { reason: 'new', page: 2, x: null, y: '' })).toBe('/grids/A?reason=new&page=2');
    expect(withQuery('/x', { q: 'a&b=c' })).toBe('/x?q=a%26b%3Dc');
  });
});

describe('sign-in rules', () => {
  const now = new Date('2026-11-27T08:00:00Z');
  const at = (minutesAgo: number, succeeded = false): Attempt => ({ at: new Date(now.getTime() - minutesAgo * 60_000), succeeded });

  it(`blocks after ${LOGIN_LIMIT.failures} failures within ${LOGIN_LIMIT.windowMinutes} minutes, until the oldest counted one ages out`, () => {
    expect(retryAfterSeconds([at(1), at(2), at(3), at(4)], now, false)).toBe(0);
    const wait = retryAfterSeconds([at(1), at(2), at(3), at(4), at(10)], now, false);
    expect(wait).toBe(5 * 60);
    expect(retryAfterSeconds([at(1), at(2), at(3), at(4), at(16)], now, false)).toBe(0);
  });

  it('a success clears a user name\'s count but not an address\'s', () => {
    // Six failures in the window, two of them after a success four minutes ago.
    const attempts = [at(1), at(2), at(4, true), at(5), at(6), at(7), at(8)];
    expect(retryAfterSeconds(attempts, now, true)).toBe(0);
    expect(retryAfterSeconds(attempts, now, false)).toBeGreaterThan(0);
    // Five failures after the last success block the user name too.
    expect(retryAfterSeconds([at(1), at(2), at(3), at(4), at(5), at(6, true)], now, true)).toBeGreaterThan(0);
  });

  it('sends people back only to a path on this site after sign-in', () => {
    expect(safeNext('/grids/YZ-GL-01?reason=new')).toBe('/grids/YZ-GL-01?reason=new');
    for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/login', '', undefined, 42]) expect(safeNext(bad)).toBe('/');
  });

  it('hashes passwords with scrypt and a fresh salt, and verifies them in constant time', async () => {
    const a = await hashPassword('长城-correct-horse');
    const b = await hashPassword('长城-correct-horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('长城-correct-horse', a)).toBe(true);
    expect(await verifyPassword('长城-correct-horsE', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem(' padded-password ')).toMatch(/spaces/);
    expect(passwordProblem('long-enough-1')).toBeNull();
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual(undefined, undefined)).toBe(false);
  });
});

describe('charts', () => {
  it('rounds the value axis up to a readable top', () => {
    expect(axisTop(3)).toBe(3);
    expect(axisTop(18)).toBe(20);
    expect(axisTop(19)).toBe(20);
    expect(axisTop(131)).toBe(200);
    expect(axisTop(1234)).toBe(2000);
  });

  it('draws one step per feature, green for evidence for, red against, and the total', () => {
    const svg = scoreWaterfall(
      [
        { label: '名称', detail: '完全相同', weight: 5.32 },
        { label: '地址', detail: '不同', weight: -3.09 },
        { label: '电话', detail: '一方缺失', weight: 0 },
      ],
      2.23,
      { review: 4, link: 10 },
    ).value;
    expect(svg.match(/class="bar-plus"/g)).toHaveLength(1);
    expect(svg.match(/class="bar-minus"/g)).toHaveLength(1);
    expect(svg).toContain('class="bar-total"');
    expect(svg).toContain('复核 4');
    expect(svg).toContain('关联 10');
    expect(svg).toContain('+5.32 完全相同');
  });
});
