// City-scale benchmark: a generated world of N units and its agencies' feeds through a full sync, then a
// second sync after a 1 % change, with per-stage rows, seconds, rows/s and peak RSS; as the I/O floor,
// PostgreSQL's plain COPY of the same CSV files into plain tables, measured in the same run. Usage:
//   npm run bench -- [--units N] [--db pglite|postgres] [--share 0.01] [--keep]
// PostgreSQL (and the floor) need DATABASE_URL; a throw-away database is created on that server.
// Writes the table as markdown to bench/results/sync-<db>-<N>.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openDatabase, type Database } from '../db/connect.ts';
import { runSync, type SyncResult } from '../pipelines/run.ts';
import { generateWorld, writeFeeds, DEMO, truthDirFor } from '../seeds/demo-world.ts';
import { createThrowawayDatabase } from '../test/support/databases.ts';
import { plainCopy } from './ingest/copy-floor.ts';
import { writeChangedSnapshots } from './match/change.ts';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '50000' },
    db: { type: 'string', default: 'pglite' },
    share: { type: 'string', default: '0.01' },
    keep: { type: 'boolean', default: false },
  },
});
const units = Number(args.units);
const engine = args.db;
if (!(units > 0)) throw new Error('--units must be a positive number');
if (engine !== 'pglite' && engine !== 'postgres') throw new Error('--db must be pglite or postgres');
if (engine === 'postgres' && !process.env.DATABASE_URL) throw new Error('--db postgres needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test');

const work = fs.mkdtempSync(path.join(os.tmpdir(), `gridlink-bench-${units}-`));
const mb = (bytes: number) => Math.round(bytes / 1048576);

/** Peak RSS per stage: the run's own log lines mark where each stage starts and ends. */
function stageMemoryProbe() {
  const peaks = new Map<string, number>();
  let current: string | null = null;
  let overall = 0;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    overall = Math.max(overall, rss);
    if (current) peaks.set(current, Math.max(peaks.get(current) ?? 0, rss));
  }, 100);
  timer.unref();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { stage?: string; msg?: string };
        if (entry.stage && entry.msg?.endsWith('started')) current = entry.stage;
        else if (entry.stage && entry.msg?.endsWith('done')) current = null;
      }
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), peaks, overall: () => overall, stop: () => clearInterval(timer) };
}

async function measuredSync(database: Database, inbox: string, asOf: string) {
  const probe = stageMemoryProbe();
  const result = await runSync(database, { inbox, asOf, log: probe.log, archive: false });
  probe.stop();
  return { result, peaks: probe.peaks, peak: probe.overall() };
}

function stageRows(result: SyncResult, stage: string): number {
  const c = result.stages.find((s) => s.stage === stage)?.counts as Record<string, unknown> | undefined;
  const pick = (k: string) => (typeof c?.[k] === 'number' ? (c[k] as number) : 0);
  switch (stage) {
    case 'ingest':
      return pick('rows_read');
    case 'normalize':
      return pick('records');
    case 'match':
      return pick('records');
    default:
      return pick('units') || pick('units_consolidated') || 0;
  }
}

async function main() {
  const asOf = DEMO.asOf;
  const inbox = path.join(work, 'inbox');
  let t = performance.now();
  const world = generateWorld({ units, seed: DEMO.seed, asOf });
  const manifest = await writeFeeds(world, inbox, { asOf });
  const generateSeconds = (performance.now() - t) / 1000;
  const sourceRows = manifest.files.reduce((n, f) => n + f.records, 0);
  console.error(`generated ${units} units, ${sourceRows} source rows in ${generateSeconds.toFixed(1)} s → ${inbox}`);

  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (engine === 'postgres') ({ url, drop } = await createThrowawayDatabase());
  const database = await openDatabase(engine === 'postgres' ? { url } : { url: '', dataDir: path.join(work, 'data') });

  try {
    console.error('full sync …');
    const full = await measuredSync(database, inbox, asOf);
    console.error(`full sync: ${full.result.seconds.toFixed(1)} s`);

    const share = Number(args.share);
    const nextDay = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const change = await writeChangedSnapshots({ inbox, truthDir: truthDirFor(inbox), files: manifest.files, share, seed: DEMO.seed + 1, date: nextDay });
    console.error(`changed ${change.changed} rows and added ${change.added} in ${change.files} new snapshot files; second sync …`);
    // The new snapshots sit beside the old files, which the inbox recognises by hash and skips.
    const incremental = await measuredSync(database, inbox, nextDay);
    console.error(`incremental sync: ${incremental.result.seconds.toFixed(1)} s`);

    let floor: { seconds: number; rows: number } | null = null;
    if (engine === 'postgres' && url) {
      floor = { seconds: 0, rows: 0 };
      for (const f of manifest.files.filter((x) => x.format === 'csv')) {
        const file = path.join(inbox, f.path);
        const header = firstLine(file, f.encoding === 'gb18030');
        const r = await plainCopy(url, file, header.split(',').length, f.encoding === 'gb18030' ? 'gb18030' : 'utf-8');
        floor.seconds += r.seconds;
        floor.rows += r.rows;
      }
    }

    const lines: string[] = [];
    lines.push(`# gridlink sync benchmark — ${units.toLocaleString('en-US')} units on ${engine}`);
    lines.push('');
    lines.push(`Run ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), ${mb(os.totalmem())} MB, Node ${process.version}.`);
    lines.push(`World: ${units.toLocaleString('en-US')} units → ${sourceRows.toLocaleString('en-US')} source rows in ${manifest.files.length} files (generated in ${generateSeconds.toFixed(1)} s).`);
    lines.push('');
    for (const [title, run] of [['Full sync', full], [`Second sync after a ${(share * 100).toFixed(0)} % change (${change.changed} rows changed, ${change.added} added, ${change.files} new snapshot files)`, incremental]] as const) {
      lines.push(`## ${title}`);
      lines.push('');
      lines.push('| stage | rows | seconds | rows/s | peak RSS (MB) |');
      lines.push('| --- | ---: | ---: | ---: | ---: |');
      for (const s of run.result.stages) {
        const rows = stageRows(run.result, s.stage);
        lines.push(`| ${s.stage} | ${rows.toLocaleString('en-US')} | ${s.seconds.toFixed(1)} | ${rows && s.seconds ? Math.round(rows / s.seconds).toLocaleString('en-US') : '–'} | ${mb(run.peaks.get(s.stage) ?? 0)} |`);
      }
      lines.push(`| **total** | | **${run.result.seconds.toFixed(1)}** | | **${mb(run.peak)}** |`);
      lines.push('');
    }
    const ingestSeconds = full.result.stages.find((s) => s.stage === 'ingest')!.seconds + full.result.stages.find((s) => s.stage === 'normalize')!.seconds;
    lines.push('## Ratios');
    lines.push('');
    if (floor) {
      lines.push(`- I/O floor: PostgreSQL COPY of the same ${manifest.files.filter((x) => x.format === 'csv').length} CSV files (${floor.rows.toLocaleString('en-US')} rows) into plain text tables: ${floor.seconds.toFixed(1)} s.`);
      lines.push(`- ingest + normalise (read, validate, normalise, stage) / COPY floor: ${(ingestSeconds / floor.seconds).toFixed(1)} × (target ≤ 3 ×).`);
    } else {
      lines.push('- I/O floor: measured on PostgreSQL only (run with --db postgres).');
    }
    lines.push(`- full sync: ${full.result.seconds.toFixed(1)} s (target < 300 s at 250,000 units on PostgreSQL).`);
    lines.push(`- second sync after the change / full sync: ${((incremental.result.seconds / full.result.seconds) * 100).toFixed(0)} % (target ≤ 10 %).`);
    lines.push(`- peak RSS: ${mb(Math.max(full.peak, incremental.peak))} MB (target < 1,536 MB); includes the generated world held in memory by this benchmark process.`);
    const table = lines.join('\n');
    fs.mkdirSync('bench/results', { recursive: true });
    const out = path.join('bench/results', `sync-${engine}-${units}.md`);
    fs.writeFileSync(out, `${table}\n`);
    console.log(table);
    console.error(`\nwritten to ${out}`);
  } finally {
    await database.close();
    await drop?.();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.error(`kept ${work}`);
  }
}

function firstLine(file: string, gb18030: boolean): string {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const text = gb18030 ? new TextDecoder('gb18030').decode(buf.subarray(0, n)) : buf.subarray(0, n).toString('utf8');
  return text.replace(/^\ufeff/, '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
}

await main();
