import type { Database } from '../db/connect.ts';
import { nextRuns } from '../jobs/next-runs.ts';
import { currentHolder } from '../jobs/run-lock.ts';
import { formatShanghai } from '../jobs/shanghai-time.ts';

// The parts of `gridlink status` about operations: the run in progress, the last runs with their stages,
// the scheduler's jobs with their next times, and what needs someone's attention.

export const RUN_STATUS_ZH: Record<string, string> = {
  running: '运行中',
  succeeded: '成功',
  partial: '部分失败',
  failed: '失败',
  stopped: '已停止',
  interrupted: '中断',
};

const firstLine = (text: string) => text.split('\n')[0] ?? '';
const seconds = (from: Date | string, to: Date | string | null) => (to ? `${((new Date(to).getTime() - new Date(from).getTime()) / 1000).toFixed(1)}s` : '-');

export async function runningNow(database: Database): Promise<string[]> {
  const holder = await currentHolder(database);
  if (!holder) return [];
  const who = holder.pid ? `（进程 ${holder.pid}@${holder.host}）` : '';
  return [
    holder.runId !== null
      ? `正在运行：批次 #${holder.runId}，开始于 ${formatShanghai(holder.runStartedAt ?? holder.acquiredAt)}${who}`
      : `正在运行：一个批次正在启动${who}`,
  ];
}

export async function lastRuns(database: Database, count: number): Promise<string[]> {
  const { db } = database;
  const runs = await db.selectFrom('runs.run').selectAll().orderBy('id', 'desc').limit(count).execute();
  if (runs.length === 0) return ['还没有运行过同步：gridlink sync --inbox DIR'];
  const lines = ['最近的批次（北京时间）：'];
  for (const r of runs) {
    const trigger = (r.summary as { trigger?: string } | null)?.trigger;
    lines.push(
      `批次 #${r.id}  ${RUN_STATUS_ZH[r.status] ?? r.status}  开始 ${formatShanghai(r.started_at)}  用时 ${seconds(r.started_at, r.finished_at)}  数据截至 ${r.as_of}${trigger ? `  触发 ${trigger}` : ''}  收件箱 ${r.inbox ?? ''}`,
    );
    const stages = await db.selectFrom('runs.stage').selectAll().where('run_id', '=', r.id).orderBy('started_at').execute();
    for (const s of stages) {
      const counts = s.counts
        ? Object.entries(s.counts as Record<string, unknown>)
            .filter(([, v]) => typeof v === 'number')
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : '';
      lines.push(`    ${s.stage.padEnd(12)} ${RUN_STATUS_ZH[s.status] ?? s.status} ${seconds(s.started_at, s.finished_at)} ${counts}`);
      // A partial pull lists each failed agency on its own line; a stack trace shows its first line only.
      const errors = s.status === 'partial' ? (s.error ?? '').split('\n') : s.error ? [firstLine(s.error)] : [];
      for (const e of errors) lines.push(`      错误：${e}`);
    }
    if (r.error && r.status !== 'partial') lines.push(`    错误：${firstLine(r.error)}`);
  }
  return lines;
}

export async function scheduledJobs(database: Database): Promise<string[]> {
  const jobs = await database.db.selectFrom('runs.job').selectAll().where('active', '=', true).orderBy('name').execute();
  if (jobs.length === 0) return ['计划任务：无（调度进程未启动过：gridlink schedule --config FILE）'];
  const lines = ['计划任务（北京时间）：'];
  for (const j of jobs) {
    const next = safeNext(j.cron, j.timezone);
    let last = '尚未执行';
    if (j.last_status) {
      last = `上次 ${RUN_STATUS_ZH[j.last_status] ?? j.last_status} ${j.last_finished ? formatShanghai(j.last_finished) : ''}${j.last_run_id ? `（批次 #${j.last_run_id}）` : ''}`;
    } else if (j.last_finished) {
      last = `上次检查 ${formatShanghai(j.last_finished)}（无事可做）`;
    }
    lines.push(`    ${j.name.padEnd(18)} ${j.cron.padEnd(14)} 下次 ${next}  ${last}`);
  }
  const s = jobs[0]!;
  if (s.scheduler_pid) lines.push(`  登记这些任务的调度进程：${s.scheduler_pid}@${s.scheduler_host ?? ''}，${formatShanghai(s.registered_at)}`);
  return lines;
}

/** What needs someone's attention: the last run if it did not succeed, and jobs whose last execution failed. */
export async function needsAttention(database: Database): Promise<string[]> {
  const { db } = database;
  const items: string[] = [];
  const last = await db.selectFrom('runs.run').selectAll().orderBy('id', 'desc').executeTakeFirst();
  if (last?.status === 'running' && !(await currentHolder(database))) {
    items.push(`批次 #${last.id} 仍标记为运行中，但没有进程在运行它（进程被终止？）：下次运行会把它标记为中断并补做未完成的工作`);
  } else if (last && ['failed', 'partial', 'stopped', 'interrupted'].includes(last.status)) {
    const errors = (last.error ?? '').split('\n').filter(Boolean);
    items.push(`批次 #${last.id} ${RUN_STATUS_ZH[last.status]}${errors.length ? `：${errors[0]}` : ''}`);
    for (const e of errors.slice(1)) items.push(`    ${e}`);
  }
  const failing = await db
    .selectFrom('runs.job')
    .selectAll()
    .where('active', '=', true)
    .where('last_status', 'in', ['failed', 'partial'])
    .orderBy('name')
    .execute();
  for (const j of failing) {
    const since = j.failing_since ? `（自 ${formatShanghai(j.failing_since)} 起）` : '';
    items.push(`任务 ${j.name} ${RUN_STATUS_ZH[j.last_status!] ?? j.last_status}${since}：${firstLine(j.last_error ?? '')}`);
  }
  return items.length ? ['需要处理：', ...items.map((i) => `    ${i}`)] : ['需要处理：无'];
}

function safeNext(cron: string, timezone: string): string {
  try {
    const [next] = nextRuns(cron, 1, timezone);
    return next ? formatShanghai(next) : '-';
  } catch {
    return `（无效的 cron：${cron}）`;
  }
}
