import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../cli/main.ts';
import { openDatabase } from '../db/connect.ts';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { createThrowawayDatabase, engines } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';
import { writeMatchInbox } from './match-inbox.ts';

describe.each(engines())('gridlink review and show on %s', (engine) => {
  const env: Record<string, string | undefined> = {};
  let drop: (() => Promise<void>) | null = null;

  /** Runs one gridlink command in this process against the test database; returns what it printed. */
  async function gridlink(...args: string[]): Promise<string> {
    const saved = { DATABASE_URL: process.env.DATABASE_URL, GRIDLINK_DATA: process.env.GRIDLINK_DATA, GRIDLINK_STEWARD: process.env.GRIDLINK_STEWARD };
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    try {
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await buildProgram(out).parseAsync(['node', 'gridlink', ...args]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  beforeAll(async () => {
    if (engine === 'postgres') {
      const db = await createThrowawayDatabase();
      drop = db.drop;
      env.DATABASE_URL = db.url;
    } else {
      env.DATABASE_URL = undefined;
      env.GRIDLINK_DATA = tempDir('gl-review-');
    }
    env.GRIDLINK_STEWARD = '张审核';
    const database = await openDatabase(engine === 'postgres' ? { url: env.DATABASE_URL } : { url: '', dataDir: env.GRIDLINK_DATA });
    try {
      await runSync(database, { inbox: writeMatchInbox(), asOf: '2026-11-27', archive: false, log: silentLogger });
    } finally {
      await database.close();
    }
  });
  afterAll(async () => drop?.());

  it('lists the queue, contradictions first, and shows a pair side by side with the evidence', async () => {
    const list = await gridlink('review', 'list');
    expect(list).toMatch(/^复核队列：3 对/);
    const ids = [...list.matchAll(/^#(\d+) {2}(\S+)/gm)].map((m) => [m[1]!, m[2]!]);
    expect(ids.map(([, reason]) => reason)).toEqual(['名称和地址相同但统一社会信用代码（或组织机构代码）不同', '代码相同但名称差异很大', '相似度介于自动关联与不关联之间']);

    const json = (await gridlink('review', 'list', '--json', '--reason', 'code_conflict')).trim().split('\n').map((l) => JSON.parse(l));
    expect(json).toHaveLength(1);
    const shown = await gridlink('review', 'show', json[0].id);
    expect(shown).toMatch(/名称 +＝ 扬州博益装潢有限公司 +扬州博益装潢有限公司/);
    expect(shown).toMatch(/统一社会信用代码 +≠ /);
    expect(shown).toMatch(/地址 +＝ /);
    expect(shown).toMatch(/名称 +一致，相似度 1\.00 +\+\d/);
    expect(shown).toMatch(/得分 [\d.]+（≥ 23 自动关联/);
    expect(shown).toContain('规则禁止关联：有效代码不同');

    const pair = JSON.parse(await gridlink('review', 'show', `${json[0].a.recordId},${json[0].b.recordId}`, '--json'));
    expect(pair.item).toBeNull();
    expect(pair.fields.find((f: { field: string }) => f.field === 'uscc').marker).toBe('different');
  });

  it('records a decision with who and why, lists it, and undoes it keeping the history', async () => {
    const item = JSON.parse((await gridlink('review', 'list', '--json', '--reason', 'uncertain')).trim());
    const decided = await gridlink('review', 'decide', item.id, 'same', '--note', '同一家公司');
    const decisionId = /^决定 #(\d+)/.exec(decided)![1]!;
    expect(decided).toContain('同一单位（张审核）');
    expect(await gridlink('review', 'list', '--reason', 'uncertain')).toMatch(/^复核队列：0 对/);
    expect(await gridlink('review', 'list', '--status', 'decided')).toContain(`#${item.id}`);

    const again = await gridlink('review', 'decide', `${item.a.recordId},${item.b.recordId}`, 'skip', '--by', '李审核');
    expect(again).toContain(`取代决定 #${decisionId}`);
    await gridlink('review', 'undo', String(Number(decisionId) + 1), '--note', '误点');
    const history = await gridlink('review', 'history');
    expect(history).toMatch(new RegExp(`决定 #${Number(decisionId) + 1} {2}暂不处理 {2}李审核 .*已撤销（张审核 .*：误点）`));
    expect(history).toMatch(new RegExp(`决定 #${decisionId} {2}同一单位 {2}张审核 .*“同一家公司”`));
    await expect(gridlink('review', 'undo', String(Number(decisionId) + 1))).rejects.toThrow(/already undone/);
    await expect(gridlink('review', 'decide', '999999', 'same')).rejects.toThrow(/no review item 999999/);
  });

  it('show prints the whole file of a unit: fields with sources, records, links with reasons, grid, reports', async () => {
    const item = JSON.parse((await gridlink('review', 'list', '--json', '--reason', 'key_name_conflict')).trim());
    const unit = item.a.unitId as string;
    const text = await gridlink('show', unit.toLowerCase());
    expect(text).toMatch(new RegExp(`^单位 ${unit} {2}扬州天青环保科技有限公司`));
    expect(text).toMatch(/名称 +扬州天青环保科技有限公司 +market market-20261127\.csv 第 7 行/);
    expect(text).toMatch(/来源记录（2）/);
    expect(text).toMatch(/统一社会信用代码相同 91321012MA000008/);
    expect(text).toMatch(/网格：\n {2}一级 /);
    expect(text).toMatch(/报告（\d+）/);
    expect(text).toContain('代码相同但名称差异很大');
    const json = JSON.parse(await gridlink('show', unit, '--json'));
    expect(json.unit.id).toBe(unit);
    await expect(gridlink('show', 'U9999999')).rejects.toThrow(/no unit U9999999/);
  });
});
