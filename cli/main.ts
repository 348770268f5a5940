import fs from 'node:fs';
import path from 'node:path';
import { AGENCIES } from '../schemas/feeds.ts';
import readline from 'node:readline';
import { Command, CommanderError } from 'commander';
import { defaultDataDir, type Database } from '../db/connect.ts';
import { createLogger } from '../pipelines/logger.ts';
import { runSync } from '../pipelines/run.ts';
import { exportCrosswalk, exportRegister, exportRejects, exportReports } from '../pipelines/publish/exports.ts';
import { classifyCode } from '../pipelines/normalize/codes.ts';
import { formatSummary } from './summary.ts';
import { formatStatus } from './status.ts';
import { isoDate, positiveInt, withDatabase } from './shared.ts';
import { registerGridCommands } from './grid.ts';
import { registerReviewCommands } from './review.ts';
import { registerOperationsCommands } from './operations.ts';
import { registerWebCommands } from './web.ts';
import { registerPullCommands } from './pull.ts';
import { createProgress } from './progress.ts';
import { openDatabaseForRun } from '../jobs/open-for-run.ts';
import { stopOnSignals } from '../jobs/stop-signals.ts';

async function sync(inbox: string, opts: { asOf?: string; archive: boolean; wait?: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const log = createLogger();
  const resolved = path.resolve(inbox);
  // Say so before opening the database: a typo in a cron line should fail in a second, not after migrations.
  if (!fs.existsSync(resolved)) {
    throw new Error(`Inbox folder ${resolved} does not exist. Create it with one sub-folder per agency (${AGENCIES.join(', ')}), or pass the right --inbox.`);
  }
  // SIGTERM/SIGINT: the stage in progress finishes, then the run stops (and the command fails saying so).
  const stop = stopOnSignals(log);
  try {
    const database = await openDatabaseForRun({ wait: opts.wait, signal: stop.signal, log });
    try {
      const progress = createProgress();
      try {
        const result = await runSync(database, { inbox: resolved, asOf: opts.asOf, archive: opts.archive, log, onProgress: progress.update, signal: stop.signal, wait: opts.wait });
        progress.stop();
        out.write(`${await formatSummary(database.db, result, database.location)}\n`);
        if (result.status === 'partial') out.write(`部分失败：${result.failures.map((f) => `${f.agency ?? f.stage}：${f.error}`).join('；')}\n`);
      } finally {
        progress.stop();
      }
    } finally {
      await database.close();
    }
  } finally {
    stop.dispose();
  }
}

export function buildProgram(out: NodeJS.WritableStream = process.stdout): Command {
  const program = new Command('gridlink')
    .description('Six agencies\' employer registers → one file per employer, placed on the labour-inspection grid.')
    .showHelpAfterError('(run "gridlink --help" for the commands)')
    .exitOverride();

  program
    .command('sync')
    .description('load every new file under INBOX/<agency>/ and run every stage')
    .requiredOption('--inbox <dir>', 'inbox folder with one sub-folder per agency')
    .option('--as-of <date>', 'date the reports are relative to (YYYY-MM-DD; default: today in Asia/Shanghai)', isoDate)
    .option('--no-archive', 'leave loaded files where they are instead of moving them to _archive/')
    .option('--wait', 'if another run is in progress, wait for it to finish instead of exiting with an error')
    .action(async (opts: { inbox: string; asOf?: string; archive: boolean; wait?: boolean }) => sync(opts.inbox, opts, out));

  program
    .command('demo')
    .description('generate the bundled Yangzhou demo feeds and run a full sync on them (what `npm start` does)')
    .option('--units <n>', 'size of the demo world', positiveInt)
    .action(async (opts: { units?: number }) => {
      const { DEMO, generateDemoInbox } = await import('../seeds/demo-inbox.ts');
      const inbox = path.join(defaultDataDir(), 'demo-inbox');
      const { asOf } = await generateDemoInbox(inbox, { units: opts.units ?? DEMO.units });
      out.write(`演示数据：${inbox}（${opts.units ?? DEMO.units} 个模拟单位，数据截至 ${asOf}）\n`);
      await sync(inbox, { asOf, archive: true }, out);
    });

  const exp = program.command('export').description('write a table of the database to a file (.csv: UTF-8 with BOM; .xlsx)');
  const exportCmd = (name: string, description: string, fn: (database: Database, file: string, grid: string | null) => Promise<number>, withGrid: boolean) => {
    const c = exp.command(name).description(description).requiredOption('--out <file>', 'output file, .csv or .xlsx');
    if (withGrid) c.option('--grid <code>', "one grid's book (一格一册): heading with the grid and its inspector, Chinese column names");
    c.action(async (opts: { out: string; grid?: string }) => {
      const rows = await withDatabase((database) => fn(database, opts.out, opts.grid ?? null));
      out.write(`${rows} rows → ${opts.out}\n`);
    });
  };
  exportCmd('crosswalk', 'one row per source row: source,file,row,unit_id,…', (d, f) => exportCrosswalk(d.db, f), false);
  exportCmd('register', 'one row per unit: unit_id,uscc,org_code,name,address,grid_l1,grid_l2,status,…', (d, f, g) => exportRegister(d.db, f, g), true);
  exportCmd('reports', 'one row per unit reported to inspectors: unit_id,uscc,name,grid_l1,grid_l2,reasons,…', (d, f, g) => exportReports(d.db, f, g), true);
  exportCmd('rejects', 'rows that could not be used, with file, row, raw text and reason', (d, f) => exportRejects(d.db, f), false);

  program
    .command('status')
    .description('the last runs, with per-stage counts and anything that failed')
    .option('--runs <n>', 'how many runs to show', positiveInt, 5)
    .action(async (opts: { runs: number }) => {
      out.write(`${await withDatabase((d) => formatStatus(d, opts.runs))}\n`);
    });

  const env = { out };
  registerGridCommands(program, env);
  registerReviewCommands(program, env);
  registerOperationsCommands(program, env);
  registerWebCommands(program, env);
  registerPullCommands(program, env);

  const codes = program.command('codes').description('national identifier rules');
  codes
    .command('validate')
    .description('read codes one per line on stdin, write one JSON object per line')
    .action(async () => {
      const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of rl) {
        if (line.trim() === '') continue;
        out.write(`${JSON.stringify(classifyCode(line))}\n`);
      }
    });

  const seed = program.command('seed').description('bundled seed data');
  seed
    .command('demo')
    .description('write the demo feeds (and their ground truth beside them) without syncing')
    .requiredOption('--out <dir>', 'inbox folder to create')
    .option('--units <n>', 'size of the world', positiveInt)
    .action(async (opts: { out: string; units?: number }) => {
      const { DEMO, generateDemoInbox } = await import('../seeds/demo-inbox.ts');
      const { asOf } = await generateDemoInbox(path.resolve(opts.out), { units: opts.units ?? DEMO.units });
      out.write(`demo feeds written to ${opts.out} (as of ${asOf})\n`);
    });
  return program;
}

/** Runs the command line; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`gridlink: ${(err as Error).message}\n`);
    if (process.env.GRIDLINK_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
