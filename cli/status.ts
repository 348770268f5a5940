import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/connect.ts';
import type { DB } from '../db/types.ts';
import { REASON_TEXT } from '../pipelines/grid/place-unit.ts';
import { REASONS } from '../pipelines/supervise.ts';
import { lastRuns, needsAttention, runningNow, scheduledJobs } from './run-status.ts';

/** `gridlink status`: the run in progress, the last runs, the scheduler's jobs, what needs attention, quarantined files. */
export async function formatStatus(database: Database, runs: number): Promise<string> {
  const { db } = database;
  const lines = [`数据库：${database.engine === 'pglite' ? '内嵌 PGlite' : 'PostgreSQL'} ${database.location}`];
  lines.push(...(await runningNow(database)));
  lines.push(...(await lastRuns(database, runs)));
  lines.push(...(await scheduledJobs(database)));
  lines.push(...(await needsAttention(database)));
  const quarantined = await db.selectFrom('staging.file').select(['file_name', 'agency', 'reason']).where('status', '=', 'quarantined').orderBy('id', 'desc').limit(5).execute();
  if (quarantined.length) {
    lines.push('最近隔离的文件：');
    for (const q of quarantined) lines.push(`    ${q.agency}/${q.file_name}：${q.reason}`);
  }
  return lines.join('\n');
}

export async function formatGridStatus(db: Kysely<DB>): Promise<string> {
  const lines: string[] = [];
  const grids = await db.selectFrom('grid.grid').select(['code', 'name', 'level', 'parent_code', 'inspector', 'assistant']).where('active', '=', true).orderBy('code').execute();
  if (grids.length === 0) return '还没有网格：先运行一次同步（gridlink sync --inbox DIR），网格随同步载入。';
  const live = db.selectFrom('grid.placement as p').innerJoin('registry.unit as u', 'u.id', 'p.unit_id').where('u.retired_run', 'is', null);
  const units = new Map<string, number>();
  for (const level of ['grid_l1', 'grid_l2'] as const) {
    const rows = await live.select([`p.${level} as code`, sql<string>`count(*)`.as('n')]).where(`p.${level}`, 'is not', null).groupBy(`p.${level}`).execute();
    for (const r of rows) units.set(r.code!, Number(r.n));
  }
  const reports = new Map<string, number>();
  for (const level of ['grid_l1', 'grid_l2'] as const) {
    const rows = await db
      .selectFrom('inspection.report as r')
      .innerJoin('grid.placement as p', 'p.unit_id', 'r.unit_id')
      .select([`p.${level} as code`, sql<string>`count(distinct r.unit_id)`.as('n')])
      .where('r.closed_run', 'is', null)
      .where(`p.${level}`, 'is not', null)
      .groupBy(`p.${level}`)
      .execute();
    for (const r of rows) reports.set(r.code!, Number(r.n));
  }
  lines.push('网格编码            级别  单位数  重点监管单位  名称（负责人）');
  const children = new Map<string, typeof grids>();
  for (const g of grids) if (g.level === 2 && g.parent_code) children.set(g.parent_code, [...(children.get(g.parent_code) ?? []), g]);
  const row = (g: (typeof grids)[number], indent: string) =>
    `${indent}${g.code.padEnd(20 - indent.length)}${String(g.level).padStart(4)}  ${String(units.get(g.code) ?? 0).padStart(6)}  ${String(reports.get(g.code) ?? 0).padStart(12)}  ${g.name}（${(g.level === 1 ? g.inspector : g.assistant) ?? '未配备'}）`;
  const shown = new Set<string>();
  for (const g of grids.filter((x) => x.level === 1)) {
    lines.push(row(g, ''));
    shown.add(g.code);
    for (const c of children.get(g.code) ?? []) {
      lines.push(row(c, '  '));
      shown.add(c.code);
    }
  }
  const orphans = grids.filter((g) => !shown.has(g.code));
  if (orphans.length) {
    lines.push('上级网格不存在的二级网格：');
    for (const g of orphans) lines.push(row(g, '  '));
  }

  const byMethod = await live.select(['p.method', sql<string>`p.evidence->>'reason'`.as('reason'), sql<string>`count(*)`.as('n')]).where('p.grid_l2', 'is', null).groupBy(['p.method', sql`p.evidence->>'reason'`]).execute();
  const outside = byMethod.filter((m) => m.method === 'outside_grid').reduce((n, m) => n + Number(m.n), 0);
  const l1only = byMethod.filter((m) => m.method !== 'outside_grid' && m.method !== 'unplaced').reduce((n, m) => n + Number(m.n), 0);
  const none = byMethod.filter((m) => m.method === 'unplaced').reduce((n, m) => n + Number(m.n), 0);
  const reasons = new Map<string, number>();
  for (const m of byMethod) if (m.method !== 'outside_grid') reasons.set(m.reason ?? 'unknown', (reasons.get(m.reason ?? 'unknown') ?? 0) + Number(m.n));
  lines.push('');
  lines.push(`未定位到二级网格：${l1only + none}（其中只定位到一级网格 ${l1only}，完全未定位 ${none}）；市内但不在网格范围：${outside}`);
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(6)}  ${REASON_TEXT[reason as keyof typeof REASON_TEXT] ?? reason}（${reason}）`);
  if (l1only + none > 0) lines.push('    逐个查看并指定网格：gridlink grid unplaced；按地址规则批量定位：gridlink grid rule add');

  const byReason = await db.selectFrom('inspection.report').select(['reason', sql<string>`count(*)`.as('n')]).where('closed_run', 'is', null).groupBy('reason').execute();
  const open = new Map(byReason.map((r) => [r.reason, Number(r.n)]));
  lines.push(`未关闭报告（按原因）：${REASONS.map((r) => `${r} ${open.get(r) ?? 0}`).join('，')}`);
  const notices = await db.selectFrom('inspection.notice').select(['kind', sql<string>`count(*)`.as('n')]).where('closed_run', 'is', null).groupBy('kind').orderBy('kind').execute();
  lines.push(`给原监管网格的变动通知：${notices.map((n) => `${n.kind === 'closed' ? '已注销/吊销' : '已迁至其他网格'} ${n.n}`).join('，') || '无'}`);

  const lastRun = await db.selectFrom('grid.grid_event').select(sql<number>`max(run_id)`.as('run')).executeTakeFirst();
  if (lastRun?.run) {
    const events = await db.selectFrom('grid.grid_event').select(['event', sql<string>`count(*)`.as('n')]).where('run_id', '=', lastRun.run).groupBy('event').orderBy('event').execute();
    const moved = await db.selectFrom('grid.placement_change').select(sql<string>`count(*)`.as('n')).where('run_id', '=', lastRun.run).where('cause', '=', 'grid_change').executeTakeFirst();
    lines.push(`最近一次网格调整（批次 #${lastRun.run}）：${events.map((e) => `${e.event} ${e.n}`).join('，')}；因此重新定位的单位 ${moved?.n ?? 0}`);
  }
  return lines.join('\n');
}
