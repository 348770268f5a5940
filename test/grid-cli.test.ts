import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../cli/main.ts';
import { createThrowawayDatabase, engines } from './support/databases.ts';
import { copyInbox, tempDir } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

/** Runs one `gridlink …` command in this process against the environment's database; returns what it printed. */
async function gridlink(...args: string[]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  await buildProgram(out).parseAsync(['node', 'gridlink', ...args]);
  return text;
}

describe.each(engines())('gridlink grid … on %s', (engine) => {
  const saved = { url: process.env.DATABASE_URL, data: process.env.GRIDLINK_DATA, level: process.env.GRIDLINK_LOG_LEVEL };
  let drop: (() => Promise<void>) | null = null;
  let out: string;
  beforeAll(async () => {
    process.env.GRIDLINK_LOG_LEVEL = 'silent';
    if (engine === 'postgres') {
      const db = await createThrowawayDatabase();
      process.env.DATABASE_URL = db.url;
      drop = db.drop;
    } else {
      delete process.env.DATABASE_URL;
      process.env.GRIDLINK_DATA = tempDir('gl-grid-cli-');
    }
    out = tempDir('gl-grid-cli-out-');
    await gridlink('sync', '--inbox', copyInbox(SAMPLES), '--as-of', '2026-11-27');
  }, 300_000);
  afterAll(async () => {
    for (const [k, v] of [['DATABASE_URL', saved.url], ['GRIDLINK_DATA', saved.data], ['GRIDLINK_LOG_LEVEL', saved.level]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await drop?.();
  });

  it('grid status: units and reported units per grid, the unplaced by reason, reports by reason', async () => {
    const text = await gridlink('grid', 'status');
    expect(text).toMatch(/^网格编码 +级别 +单位数 +重点监管单位 +名称（负责人）/);
    expect(text).toMatch(/\nYZ-HJ-18 +1 +\d+ +\d+ +平山乡网格（高华）/);
    expect(text).toMatch(/\n {2}YZ-HJ-18-001 +2 +\d+ +\d+ +西华门、学士社区网格（张建军）/);
    expect(text).toMatch(/未定位到二级网格：\d+（其中只定位到一级网格 \d+，完全未定位 \d+）；市内但不在网格范围：\d+/);
    expect(text).toMatch(/未关闭报告（按原因）：new \d+，unsupervised \d+，arrears \d+，complaints \d+，credit \d+/);
  });

  it('grid unplaced lists the queue with reasons; grid place puts a unit on a grid and saves the rule', async () => {
    const items = (await gridlink('grid', 'unplaced', '--json', '--limit', '200')).trim().split('\n').map((l) => JSON.parse(l) as { unitId: string; reason: string; gridL1: string | null; suggestedRule: { pattern: string; numberFrom: number } | null });
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(i.reason).toMatch(/^[a-z_]+$/);
    const target = items.find((i) => i.gridL1 && i.suggestedRule)!;
    expect(target).toBeDefined();
    const text = await gridlink('grid', 'unplaced', '--grid', target.gridL1!);
    expect(text).toContain(target.unitId);

    const l2 = `${target.gridL1}-001`;
    const placed = await gridlink('grid', 'place', target.unitId, '--grid', l2, '--by', '测试协理员', '--rule-pattern', target.suggestedRule!.pattern, '--numbers', String(target.suggestedRule!.numberFrom));
    expect(placed).toMatch(new RegExp(`^${target.unitId} → ${l2}（一级网格 ${target.gridL1}），原为 ${target.gridL1}；已保存规则 #\\d+`));
    const after = (await gridlink('grid', 'unplaced', '--json', '--limit', '500')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).unitId);
    expect(after).not.toContain(target.unitId);
    expect(await gridlink('grid', 'rule', 'list')).toContain(`“${target.suggestedRule!.pattern}” ${target.suggestedRule!.numberFrom}–${target.suggestedRule!.numberFrom}号`);
  });

  it('grid rule add, list and remove; a wrong grid code says what to do', async () => {
    const added = await gridlink('grid', 'rule', 'add', '--pattern', '扬子江南路', '--numbers', '200-260', '--scope', '321071150', '--grid', 'YZ-KF-03-015', '--by', '测试');
    const id = /#(\d+)/.exec(added)![1]!;
    expect(added).toContain(`规则已保存：#${id}  “扬子江南路” 200–260号（限 321071150） → YZ-KF-03-015（下次同步时生效）`);
    expect(await gridlink('grid', 'rule', 'list')).toContain(`#${id}  “扬子江南路” 200–260号（限 321071150） → YZ-KF-03-015`);
    expect(await gridlink('grid', 'rule', 'remove', id)).toBe(`规则 #${id} 已停用（下次同步时生效）\n`);
    expect(await gridlink('grid', 'rule', 'list')).not.toContain(`#${id} `);
    await expect(gridlink('grid', 'rule', 'add', '--pattern', '扬子江南路', '--grid', 'YZ-NOPE')).rejects.toThrow(/No active grid with code YZ-NOPE\. Run "gridlink grid status"/);
    await expect(gridlink('grid', 'rule', 'remove', id)).rejects.toThrow(new RegExp(`No rule #${id} in use`));
  });

  it('grid notices writes the notices of a grid to a file', async () => {
    const text = await gridlink('grid', 'notices', '--out', path.join(out, 'notices.xlsx'));
    expect(text).toMatch(/^\d+ rows → .*notices\.xlsx\n$/);
  });
});
