// Child process of bench/ingest.ts: opens the prepared database the way `gridlink sync` does and
// runs the ingest stage, so its memory figures are those of a real run, not of the set-up.
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connect.ts';
import { ingest, type LoadMethod } from '../../pipelines/ingest.ts';
import { createLogger } from '../../pipelines/logger.ts';
import { sampleRss } from './memory-sampler.ts';

export interface IngestMeasurement {
  counts: Record<string, unknown>;
  seconds: number;
  cpuSeconds: number;
  rssBefore: number;
  peakRss: number;
  maxRss: number;
}

const { values } = parseArgs({
  options: { url: { type: 'string' }, data: { type: 'string' }, inbox: { type: 'string' }, method: { type: 'string' }, batch: { type: 'string' } },
});
const database = await openDatabase({ url: values.url ?? '', dataDir: values.data });
try {
  const { id: runId } = await database.db
    .insertInto('runs.run')
    .values({ as_of: '2026-11-27', started_at: new Date(), finished_at: null, inbox: values.inbox!, error: null, summary: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const log = createLogger({ level: process.env.GRIDLINK_LOG_LEVEL ?? 'warn', pretty: false });
  const rssBefore = process.memoryUsage().rss;
  const sampler = sampleRss(100);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let shown = 0;
  const counts = await ingest(
    { database, db: database.db, runId, asOf: '2026-11-27', log },
    {
      inbox: values.inbox!,
      archive: false,
      method: values.method as LoadMethod,
      batchRows: Number(values.batch),
      onProgress: ({ rows }) => {
        if (rows - shown < 100_000) return;
        shown = rows;
        const s = (performance.now() - started) / 1000;
        process.stderr.write(`  … ${rows.toLocaleString('en-US')} rows, ${s.toFixed(0)} s, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB\n`);
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRss = sampler.stop();
  const result: IngestMeasurement = { counts, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBefore, peakRss, maxRss: process.resourceUsage().maxRSS * 1024 };
  process.send!(result);
} finally {
  await database.close();
}
