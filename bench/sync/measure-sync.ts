// One sync of the city-scale benchmark, in a process of its own, as `gridlink sync` runs at night: what it
// measures (seconds and peak RSS per stage) is the run's alone, not the generated world's in the parent.
// Started by bench/sync.ts with --inbox, --as-of and --url (PostgreSQL) or --data (a PGlite folder);
// sends a SyncMeasurement over IPC.
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openDatabase } from '../../db/connect.ts';
import { runSync, type SyncResult } from '../../pipelines/run.ts';

export interface SyncMeasurement {
  result: SyncResult;
  /** Peak RSS in bytes per stage, sampled every 100 ms. */
  peaks: Record<string, number>;
  peak: number;
  /** RSS with the database open, before the run. */
  rssBefore: number;
}

/** Peak RSS per stage: the run's own log lines mark where each stage starts and ends. */
function stageMemoryProbe() {
  const peaks: Record<string, number> = {};
  let current: string | null = null;
  let overall = 0;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    overall = Math.max(overall, rss);
    if (current) peaks[current] = Math.max(peaks[current] ?? 0, rss);
  };
  const timer = setInterval(sample, 100);
  timer.unref();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { stage?: string; msg?: string; level?: number; err?: unknown };
        if (entry.stage && entry.msg?.endsWith('started')) current = entry.stage;
        else if (entry.stage && entry.msg?.endsWith('done')) {
          sample();
          current = null;
        }
        if ((entry.level ?? 0) >= 50) process.stderr.write(`${line}\n`);
      }
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), peaks, overall: () => overall, stop: () => clearInterval(timer) };
}

const { values: args } = parseArgs({ options: { inbox: { type: 'string' }, 'as-of': { type: 'string' }, url: { type: 'string' }, data: { type: 'string' } } });
if (!args.inbox || !args['as-of'] || !(args.url || args.data)) throw new Error('measure-sync needs --inbox, --as-of and --url or --data');
const database = await openDatabase(args.url ? { url: args.url } : { url: '', dataDir: args.data });
try {
  const rssBefore = process.memoryUsage().rss;
  const probe = stageMemoryProbe();
  const result = await runSync(database, { inbox: args.inbox, asOf: args['as-of'], log: probe.log, archive: false });
  probe.stop();
  const measurement: SyncMeasurement = { result, peaks: probe.peaks, peak: probe.overall(), rssBefore };
  process.send?.(measurement);
} finally {
  await database.close();
}
