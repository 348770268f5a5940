import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/connect.ts';
import type { DB } from '../db/types.ts';

const STATUS_ZH: Record<string, string> = { running: '运行中', succeeded: '成功', failed: '失败' };

export async function formatStatus(database: Database, runs: number): Promise<string> {
  const { db } = database;
  const lines = [`数据库：${database.engine === 'pglite' ? '内嵌 PGlite' : 'PostgreSQL'} ${database.location}`];
  const last = await db.selectFrom('runs.run').selectAll().orderBy('id', 'desc').limit(runs).execute();
  if (last.length === 0) return `${lines[0]}\n还没有运行过同步：gridlink sync --inbox DIR`;
  for (const r of last) {
    const secs = r.finished_at ? ((new Date(r.finished_at).getTime() - new Date(r.started_at).getTime()) / 1000).toFixed(1) : '-';
    lines.push(`批次 #${r.id}  ${STATUS_ZH[r.status] ?? r.status}  开始 ${new Date(r.started_at).toISOString()}  用时 ${secs}s  数据截至 ${r.as_of}  收件箱 ${r.inbox ?? ''}`);
    const stages = await db.selectFrom('runs.stage').selectAll().where('run_id', '=', r.id).orderBy('started_at').execute();
    for (const s of stages) {
      const t = s.finished_at ? ((new Date(s.finished_at).getTime() - new Date(s.started_at).getTime()) / 1000).toFixed(1) : '-';
      const counts = s.counts ? Object.entries(s.counts as Record<string, unknown>).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k}=${v}`).join(' ') : '';
      lines.push(`    ${s.stage.padEnd(12)} ${STATUS_ZH[s.status] ?? s.status} ${t}s ${counts}`);
      if (s.error) lines.push(`      错误：${s.error.split('\n')[0]}`);
    }
    if (r.error) lines.push(`    错误：${r.error}`);
  }
  const quarantined = await db.selectFrom('staging.file').select(['file_name', 'agency', 'reason']).where('status', '=', 'quarantined').orderBy('id', 'desc').limit(5).execute();
  if (quarantined.length) {
    lines.push('最近隔离的文件：');
    for (const q of quarantined) lines.push(`    ${q.agency}/${q.file_name}：${q.reason}`);
  }
  return lines.join('\n');
}

export async function formatGridStatus(db: Kysely<DB>): Promise<string> {
  const lines: string[] = [];
  const grids = await db
    .selectFrom('grid.grid as g')
    .leftJoin('grid.placement as p', (j) => j.on((eb) => eb.or([eb('p.grid_l1', '=', eb.ref('g.code')), eb('p.grid_l2', '=', eb.ref('g.code'))])))
    .leftJoin('registry.unit as u', (j) => j.onRef('u.id', '=', 'p.unit_id').on('u.retired_run', 'is', null))
    .select(['g.code', 'g.name', 'g.level', 'g.parent_code', sql<string>`count(u.id)`.as('units')])
    .where('g.active', '=', true)
    .groupBy(['g.code', 'g.name', 'g.level', 'g.parent_code'])
    .orderBy('g.code')
    .execute();
  const reports = await db
    .selectFrom('inspection.report as r')
    .select(['r.grid_l1', 'r.grid_l2', 'r.reason', sql<string>`count(*)`.as('n')])
    .where('r.closed_run', 'is', null)
    .groupBy(['r.grid_l1', 'r.grid_l2', 'r.reason'])
    .execute();
  lines.push('网格编码          级别  单位数  未关闭报告  名称');
  for (const g of grids) {
    const open = reports.filter((r) => (g.level === 1 ? r.grid_l1 : r.grid_l2) === g.code).reduce((s, r) => s + Number(r.n), 0);
    lines.push(`${g.level === 2 ? '  ' : ''}${g.code.padEnd(g.level === 2 ? 16 : 18)}${String(g.level).padStart(3)}  ${String(g.units).padStart(6)}  ${String(open).padStart(10)}  ${g.name}`);
  }
  const unplaced = await db
    .selectFrom('grid.placement as p')
    .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
    .select(['p.method', sql<string>`count(*)`.as('n')])
    .where('u.retired_run', 'is', null)
    .where('p.grid_l1', 'is', null)
    .groupBy('p.method')
    .execute();
  lines.push(`未定位：${unplaced.map((u) => `${u.method === 'outside_grid' ? '市内但不在网格范围' : '无法定位'} ${u.n}`).join('，') || '无'}`);
  const byReason = await db.selectFrom('inspection.report').select(['reason', sql<string>`count(*)`.as('n')]).where('closed_run', 'is', null).groupBy('reason').orderBy('reason').execute();
  lines.push(`未关闭报告：${byReason.map((r) => `${r.reason} ${r.n}`).join('，') || '无'}`);
  return lines.join('\n');
}
