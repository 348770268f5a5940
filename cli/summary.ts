import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { SyncResult } from '../pipelines/run.ts';

const n = (x: number | string | bigint | null | undefined) => Number(x ?? 0).toLocaleString('en-US');
const RULE_ZH: Record<string, string> = { uscc: '统一社会信用代码', org_code: '组织机构代码', reg_no: '注册号', name_exact: '名称一致', fuzzy: '相似度匹配', same_content: '同一内容再次报送', steward: '人工确认' };
const REASON_ZH: Record<string, string> = { new: '新开业', unsupervised: '未纳入监管', arrears: '欠薪欠费', complaints: '举报投诉', credit: '诚信等级' };
const METHOD_ZH: Record<string, string> = {
  division_code: '区划代码',
  division_code_l1: '区划代码(仅一级)',
  division_code_street: '街道区划代码(仅一级)',
  address_community: '地址中的社区(村)',
  address_community_l1: '地址中的社区(仅一级)',
  address_street: '地址中的街道(乡镇)(仅一级)',
  road_gazetteer: '路名门牌',
  steward_rule: '网格规则',
  steward: '人工指定',
  outside_grid: '市内但不在网格范围',
  unplaced: '无法定位',
};

function counts(result: SyncResult, stage: string): Record<string, any> {
  return (result.stages.find((s) => s.stage === stage)?.counts ?? {}) as Record<string, any>;
}

/** The one-screen account of a run: what came in, what was rejected, what it became, where, and what is reported. */
export async function formatSummary(db: Kysely<DB>, result: SyncResult, location: string): Promise<string> {
  const lines: string[] = [];
  const ingest = counts(result, 'ingest');
  const match = counts(result, 'match');
  lines.push(`gridlink 同步完成 · 批次 #${result.runId} · 数据截至 ${result.asOf} · 数据库 ${location}`);
  lines.push(
    `文件  本次 ${n(ingest.files_seen)} 个：新载入 ${n(ingest.files_loaded)}，重复(已收过) ${n(ingest.files_duplicate)}，隔离 ${n(ingest.files_quarantined)}`,
  );
  lines.push(`数据行  读取 ${n(ingest.rows_read)}，入库 ${n(ingest.rows_staged)}，拒收 ${n(ingest.rows_rejected)}${ingest.rows_rejected ? '（明细：gridlink export rejects --out rejects.csv）' : ''}`);

  const totals = await db
    .selectFrom('registry.unit')
    .select([sql<string>`count(*) filter (where retired_run is null)`.as('units'), sql<string>`count(*) filter (where retired_run is null and status = 'closed')`.as('closed')])
    .executeTakeFirstOrThrow();
  const records = await db.selectFrom('registry.record').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  lines.push(`单位  ${n(totals.units)} 个（来自 ${n(records.n)} 条部门记录；${match.inputs_unchanged ? '自上次匹配以来记录与人工裁定均无变化，沿用原有单位；' : ''}本次新建 ${n(match.units_created)}，合并 ${n(match.units_merged)}，拆分 ${n(match.units_split)}；已注销/吊销 ${n(totals.closed)}）`);

  const links = await db.selectFrom('registry.link').select(['rule', sql<string>`count(*)`.as('n')]).groupBy('rule').orderBy('rule').execute();
  lines.push(`关联  ${links.map((l) => `${RULE_ZH[l.rule] ?? l.rule} ${n(l.n)}`).join(' · ') || '无'}`);

  const perGrid = await db
    .selectFrom('grid.grid as g')
    .leftJoin('grid.placement as p', 'p.grid_l1', 'g.code')
    .leftJoin('registry.unit as u', (j) => j.onRef('u.id', '=', 'p.unit_id').on('u.retired_run', 'is', null))
    .select(['g.code', 'g.name', sql<string>`count(u.id)`.as('units'), sql<string>`count(u.id) filter (where p.grid_l2 is not null)`.as('l2')])
    .where('g.level', '=', 1)
    .where('g.active', '=', true)
    .groupBy(['g.code', 'g.name'])
    .orderBy('g.code')
    .execute();
  lines.push(`网格  一级网格 ${perGrid.length} 个，各网格单位数（其中定位到二级网格的）：`);
  const cells = perGrid.map((g) => `${g.code} ${g.name.replace(/网格$/, '')} ${n(g.units)}(${n(g.l2)})`);
  const width = Math.max(0, ...cells.map((c) => displayWidth(c))) + 2;
  for (let i = 0; i < cells.length; i += 3) lines.push(`  ${cells.slice(i, i + 3).map((c) => c + ' '.repeat(Math.max(0, width - displayWidth(c)))).join('')}`.trimEnd());
  const methods = await db
    .selectFrom('grid.placement as p')
    .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
    .select(['p.method', sql<string>`count(*)`.as('n')])
    .where('u.retired_run', 'is', null)
    .groupBy('p.method')
    .orderBy('p.method')
    .execute();
  lines.push(`定位  ${methods.map((m) => `${METHOD_ZH[m.method] ?? m.method} ${n(m.n)}`).join(' · ')}`);

  const reports = await db.selectFrom('inspection.report').select(['reason', sql<string>`count(*)`.as('n')]).where('closed_run', 'is', null).groupBy('reason').execute();
  const byReason = new Map(reports.map((r) => [r.reason, r.n]));
  const supervise = counts(result, 'supervise');
  lines.push(
    `报告  未关闭：${['new', 'unsupervised', 'arrears', 'complaints', 'credit'].map((r) => `${REASON_ZH[r]} ${n(byReason.get(r))}`).join(' · ')}；本次新开 ${n(supervise.reports_opened)}，关闭 ${n(supervise.reports_closed)}`,
  );
  lines.push(`用时  ${result.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)}s`).join(' · ')} · 合计 ${result.seconds.toFixed(1)}s`);
  return lines.join('\n');
}

/** CJK characters take two columns on a terminal. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
