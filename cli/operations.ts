import path from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../db/connect.ts';
import { pullAgency } from '../connectors/http-pull.ts';
import { createLogger } from '../pipelines/logger.ts';
import { ConfigError, loadSchedulerConfig, parseSchedulerConfig, type SchedulerConfig } from '../schemas/config.ts';
import { nextRuns } from '../jobs/next-runs.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { formatShanghai } from '../jobs/shanghai-time.ts';
import { stopOnSignals } from '../jobs/stop-signals.ts';
import type { PullFn } from '../jobs/pull-agencies.ts';
import { startServer, type RunningServer } from '../web/server.ts';
import { formatStatus } from './status.ts';
import { positiveInt, type CommandEnv } from './shared.ts';

interface ScheduleOptions {
  config?: string;
  inbox?: string;
  check?: boolean;
  webPort?: number;
  webHost: string;
}

/** `gridlink schedule`: the nightly scheduler (`gridlink pull` lives in cli/pull.ts). */
export function registerOperationsCommands(program: Command, env: CommandEnv): void {
  program
    .command('schedule')
    .description('run the scheduler: nightly sync, inbox polling and agency pulls on Beijing time, with /healthz; stops cleanly on SIGTERM')
    .option('--config <file>', 'scheduler config, JSON (default: $GRIDLINK_CONFIG; see deploy/gridlink.example.json)')
    .option('--inbox <dir>', 'inbox folder (overrides "inbox" in the config; enough on its own for the default schedule)')
    .option('--check', 'check the config and print the jobs with their next times, then exit')
    .option('--web-port <n>', 'also serve the web pages from this process (needed with the embedded database, which one process only can open)', positiveInt)
    .option('--web-host <address>', 'address for the web pages', '127.0.0.1')
    .action(async (opts: ScheduleOptions) => {
      const config = readConfig(opts);
      if (opts.check) {
        env.out.write(`${describeSchedule(config)}\n`);
        return;
      }
      await runScheduler(config, env, opts.webPort === undefined ? null : { port: opts.webPort, host: opts.webHost });
    });
}

function readConfig(opts: ScheduleOptions): SchedulerConfig {
  const file = opts.config ?? process.env.GRIDLINK_CONFIG;
  const inbox = opts.inbox ? path.resolve(opts.inbox) : undefined;
  if (file) return loadSchedulerConfig(file, { inbox });
  if (!inbox) throw new ConfigError('Say where the inbox is: gridlink schedule --inbox DIR, or --config FILE (see deploy/gridlink.example.json).');
  return parseSchedulerConfig({ inbox }, 'the default schedule');
}

/** The jobs with their next three times: what `--check` prints, so a cron line can be verified before deploying it. */
export function describeSchedule(config: SchedulerConfig): string {
  const jobs: [string, string][] = [['sync', config.sync.cron]];
  if (config.poll.enabled) jobs.push(['poll', config.poll.cron]);
  for (const p of config.pulls) if (p.cron) jobs.push([`pull:${p.agency}`, p.cron]);
  const lines = [`调度配置有效（${config.timezone}，北京时间）`];
  for (const [name, cron] of jobs) lines.push(`  ${name.padEnd(20)} ${cron.padEnd(16)} 下次 ${nextRuns(cron, 3).map(formatShanghai).join('，')}`);
  const nightlyPulls = config.pulls.map((p) => p.agency);
  lines.push(`收件箱：${config.inbox}${config.archive ? '' : '（不归档）'}`);
  lines.push(`每晚同步前拉取：${nightlyPulls.length ? nightlyPulls.join('、') : '无'}`);
  lines.push(
    config.health.port === null
      ? '健康检查：关闭'
      : `健康检查：http://${config.health.host}:${config.health.port || '（启动时分配的端口）'}/healthz（超过 ${config.health.maxAgeHours} 小时没有成功运行即返回 503）`,
  );
  return lines.join('\n');
}

async function runScheduler(config: SchedulerConfig, env: CommandEnv, web: { port: number; host: string } | null): Promise<void> {
  const log = createLogger();
  const stop = stopOnSignals(log, 'the stage in progress of a running sync');
  try {
    // With the embedded database this process holds the data folder for as long as it runs.
    const database = await openDatabase();
    try {
      const scheduler = await startScheduler({
        database,
        config,
        log,
        pull: pullAgency as PullFn,
        statusText: () => formatStatus(database, 5),
      });
      env.out.write(`${describeSchedule(config)}\n`);
      if (scheduler.healthPort !== null) env.out.write(`健康检查已启动：http://${config.health.host}:${scheduler.healthPort}/healthz\n`);
      let pages: RunningServer | null = null;
      try {
        if (web) {
          pages = await startServer(database, { port: web.port, host: web.host, secureCookies: process.env.GRIDLINK_SECURE_COOKIES === '1' });
          env.out.write(`网页已启动：${pages.url}/\n`);
        }
        await new Promise<void>((resolve) => {
          if (stop.signal.aborted) resolve();
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await pages?.close();
        await scheduler.stop(String(stop.signal.reason ?? 'stop requested'));
      }
      env.out.write(`调度已停止（${String(stop.signal.reason ?? '')}）\n`);
    } finally {
      await database.close();
    }
  } finally {
    stop.dispose();
  }
}
