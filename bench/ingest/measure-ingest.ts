// Child process of bench/ingest.ts: opens the prepared database the way `gridlink sync` does and
// runs the ingest stage, so its memory figures are those of a real run, not of the set-up.
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connect.ts';
import { ingest, type LoadMethod } from '../../pipelines/ingest.ts';
import { createLogger } from '../../pipelines/logger.ts';
import { sampleRss, type MemoryPeak } from './memory-sampler.ts';

export interface IngestMeasurement {
  counts: Record<string, unknown>;
  seconds: number;
  cpuSeconds: number;
  rssBefore: number;
  peakRss: number;
  /** process.memoryUsage() at the peak sample. */
  peak: MemoryPeak;
  /** process.memoryUsage() with the database open, before ingest. */
  before: MemoryPeak;
  maxRss: number;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

function snapshot(): MemoryPeak {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
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
  const before = snapshot();
  const rssBefore = before.rss;
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
        const m = process.memoryUsage();
        process.stderr.write(`  … ${rows.toLocaleString('en-US')} rows, ${s.toFixed(0)} s, RSS ${mb(m.rss)} MB (V8 heap ${mb(m.heapUsed)}, external ${mb(m.external)})\n`);
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peak = sampler.stop();
  const result: IngestMeasurement = { counts, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBefore, peakRss: peak.rss, peak, before, maxRss: process.resourceUsage().maxRSS * 1024 };
  process.send!(result);
} finally {
  await database.close();
}
