// Ingest benchmark: a generated 1,000,000-row market register streamed through the ingest stage into a
// fresh database. Prints rows, seconds, rows/s and peak memory; PostgreSQL's plain COPY of the same
// file is the floor. Usage:
//   npm run bench:ingest -- [--db pglite|postgres] [--rows N] [--encoding utf-8|gb18030] [--method copy|insert] [--batch N] [--keep]
// PostgreSQL (and the floor) need DATABASE_URL; a throw-away database is created on that server.
// The database is created first (initdb, migrations); the ingest then runs in a child process that
// opens it as `gridlink sync` would, so the memory figures are the run's, not the set-up's.
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../db/connect.ts';
import { plainCopy } from './ingest/copy-floor.ts';
import { MARKET_HEADER, writeMarketFeed } from './ingest/market-feed.ts';
import type { IngestMeasurement } from './ingest/measure-ingest.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'pglite' },
    rows: { type: 'string', default: '1000000' },
    encoding: { type: 'string', default: 'utf-8' },
    method: { type: 'string', default: 'copy' },
    batch: { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
  },
});
const engine = args.db;
const rows = Number(args.rows);
const encoding = args.encoding as 'utf-8' | 'gb18030';
if (engine !== 'pglite' && engine !== 'postgres') throw new Error('--db must be pglite or postgres');
if (encoding !== 'utf-8' && encoding !== 'gb18030') throw new Error('--encoding must be utf-8 or gb18030');
if (args.method !== 'copy' && args.method !== 'insert') throw new Error('--method must be copy or insert');
if (!(rows > 0 && Number(args.batch) > 0)) throw new Error('--rows and --batch must be positive numbers');
const baseUrl = process.env.DATABASE_URL;
if (engine === 'postgres' && !baseUrl) throw new Error('--db postgres needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres');

const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function measureInChild(target: { url?: string; data?: string }, inbox: string): Promise<IngestMeasurement> {
  const script = fileURLToPath(new URL('./ingest/measure-ingest.ts', import.meta.url));
  const childArgs = ['--inbox', inbox, '--method', args.method!, '--batch', args.batch!];
  if (target.url) childArgs.push('--url', target.url);
  if (target.data) childArgs.push('--data', target.data);
  const child = fork(script, childArgs, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let result: IngestMeasurement | null = null;
  child.on('message', (m) => (result = m as IngestMeasurement));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || !result) throw new Error(`the ingest child process failed (exit code ${code}); see its output above`);
  return result;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-bench-ingest-'));
const inbox = path.join(work, 'inbox');
fs.mkdirSync(path.join(inbox, 'market'), { recursive: true });
const file = path.join(inbox, 'market', `market-20261127${encoding === 'gb18030' ? '-gb18030' : ''}.csv`);
let dropDatabase: (() => Promise<void>) | null = null;
try {
  console.log(`ingest bench: ${n(rows)} market rows, ${encoding}, into ${engine} (${args.method}, batches of ${n(Number(args.batch))}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
  let started = performance.now();
  const bytes = await writeMarketFeed(file, rows, encoding);
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  console.log(`  generated ${mb(bytes)} in ${((performance.now() - started) / 1000).toFixed(1)} s → ${file}`);

  const target: { url?: string; data?: string } = {};
  if (engine === 'postgres') {
    const name = `gridlink_bench_${crypto.randomBytes(4).toString('hex')}`;
    await adminQuery(baseUrl!, `create database ${name}`);
    dropDatabase = () => adminQuery(baseUrl!, `drop database if exists ${name} with (force)`);
    const u = new URL(baseUrl!);
    u.pathname = `/${name}`;
    target.url = u.toString();
  } else {
    target.data = path.join(work, 'pglite');
  }
  started = performance.now();
  await (await openDatabase({ url: target.url ?? '', dataDir: target.data })).close();
  console.log(`  fresh ${engine} database created and migrated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const m = await measureInChild(target, inbox);
  const read = Number(m.counts.rows_read);
  console.log(`  ingest: ${n(read)} rows read (${n(Number(m.counts.rows_staged))} staged, ${n(Number(m.counts.rows_rejected))} rejected) in ${m.seconds.toFixed(1)} s → ${n(read / m.seconds)} rows/s`);
  console.log(`  CPU time of the ingest process: ${m.cpuSeconds.toFixed(1)} s → ${n(read / m.cpuSeconds)} rows per CPU-second${engine === 'pglite' ? ' (PGlite runs inside it)' : " (PostgreSQL's own work not counted)"}`);
  console.log(`  memory: peak RSS ${mb(m.peakRss)} (sampled every 100 ms; ${mb(m.rssBefore)} with the database open, before ingest); maxRSS ${mb(m.maxRss)} (an upper bound only: Linux carries this bench's own peak over into the child it forks)`);
  const parts = (x: IngestMeasurement['peak']) => `V8 heap ${mb(x.heapUsed)} used of ${mb(x.heapTotal)}, external ${mb(x.external)} (array buffers ${mb(x.arrayBuffers)}${engine === 'pglite' ? "; most of the rest is PGlite's WebAssembly memory at its reserved size, not all of it resident" : ''})`;
  console.log(`    before: ${parts(m.before)}`);
  console.log(`    at the peak: ${parts(m.peak)}`);

  let floor: { seconds: number; rows: number } | null = null;
  const floorUrl = target.url ?? baseUrl;
  if (floorUrl) {
    floor = await plainCopy(floorUrl, file, MARKET_HEADER.length, encoding);
    console.log(`  floor: PostgreSQL COPY (csv) of the same file into a plain table: ${n(floor.rows)} rows in ${floor.seconds.toFixed(1)} s → ${n(floor.rows / floor.seconds)} rows/s`);
  } else {
    console.log("  floor: skipped (set DATABASE_URL to measure PostgreSQL's plain COPY of the same file)");
  }
  console.log(
    JSON.stringify({
      bench: 'ingest',
      engine,
      method: args.method,
      encoding,
      batch_rows: Number(args.batch),
      rows: read,
      bytes,
      seconds: Number(m.seconds.toFixed(2)),
      rows_per_second: Math.round(read / m.seconds),
      cpu_seconds: Number(m.cpuSeconds.toFixed(1)),
      rss_before_mb: Math.round(m.rssBefore / 1048576),
      peak_rss_mb: Math.round(m.peakRss / 1048576),
      peak_heap_used_mb: Math.round(m.peak.heapUsed / 1048576),
      peak_external_mb: Math.round(m.peak.external / 1048576),
      max_rss_mb: Math.round(m.maxRss / 1048576),
      floor_rows_per_second: floor ? Math.round(floor.rows / floor.seconds) : null,
      load_average: Number(os.loadavg()[0]!.toFixed(1)),
    }),
  );
} finally {
  await dropDatabase?.();
  if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
}
