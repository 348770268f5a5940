// City-scale benchmark: a generated world of N units and its agencies' feeds through a full sync, then a
// second sync after a 1 % change and a third with nothing new, with per-stage rows, seconds, rows/s and
// peak RSS; as the I/O floor, PostgreSQL's plain COPY of the same CSV files into plain tables, measured in
// the same run. Usage:
//   npm run bench -- [--units N] [--db pglite|postgres|both] [--share 0.01] [--keep]
// PostgreSQL (and the floor) need DATABASE_URL; a throw-away database is created on that server. With
// --db both, both engines sync the same files in the same run and the table gives PGlite / PostgreSQL.
// Each sync runs in a child process of its own (bench/sync/measure-sync.ts), as `gridlink sync` does, so
// its peak RSS is the run's, not the generated world's. Writes bench/results/sync-<db>-<N>.md.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SyncResult } from '../pipelines/run.ts';
import { generateWorld, writeFeeds, DEMO, truthDirFor } from '../seeds/demo-world.ts';
import { createThrowawayDatabase } from '../test/support/databases.ts';
import { plainCopy } from './ingest/copy-floor.ts';
import { writeChangedSnapshots } from './match/change.ts';
import type { SyncMeasurement } from './sync/measure-sync.ts';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '50000' },
    db: { type: 'string', default: 'pglite' },
    share: { type: 'string', default: '0.01' },
    keep: { type: 'boolean', default: false },
  },
});
const units = Number(args.units);
const which = args.db!;
if (!(units > 0)) throw new Error('--units must be a positive number');
if (!['pglite', 'postgres', 'both'].includes(which)) throw new Error('--db must be pglite, postgres or both');
const engines = (which === 'both' ? ['postgres', 'pglite'] : [which]) as ('pglite' | 'postgres')[];
if (engines.includes('postgres') && !process.env.DATABASE_URL) throw new Error(`--db ${which} needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), `gridlink-bench-${units}-`));
const mb = (bytes: number) => Math.round(bytes / 1048576);

type Target = { url: string } | { data: string };

async function measuredSync(target: Target, inbox: string, asOf: string): Promise<SyncMeasurement> {
  const script = fileURLToPath(new URL('./sync/measure-sync.ts', import.meta.url));
  const childArgs = ['--inbox', inbox, '--as-of', asOf, ...('url' in target ? ['--url', target.url] : ['--data', target.data])];
  const child = fork(script, childArgs, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let result: SyncMeasurement | null = null;
  child.on('message', (m) => (result = m as SyncMeasurement));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || !result) throw new Error(`the sync child process failed (exit code ${code}); see its output above`);
  return result;
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
      // A match whose inputs had not changed loaded no record.
      return pick('inputs_unchanged') ? 0 : pick('records');
    case 'place':
      return c && 'units_placed_this_run' in c ? pick('units_placed_this_run') : pick('units');
    default:
      return pick('units') || pick('units_consolidated') || 0;
  }
}

function stageTable(title: string, run: SyncMeasurement): string[] {
  const lines = [`## ${title}`, '', '| stage | rows | seconds | rows/s | peak RSS (MB) |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const s of run.result.stages) {
    const rows = stageRows(run.result, s.stage);
    lines.push(`| ${s.stage} | ${rows.toLocaleString('en-US')} | ${s.seconds.toFixed(1)} | ${rows && s.seconds ? Math.round(rows / s.seconds).toLocaleString('en-US') : '–'} | ${mb(run.peaks[s.stage] ?? 0)} |`);
  }
  lines.push(`| **total** | | **${run.result.seconds.toFixed(1)}** | | **${mb(run.peak)}** |`, '');
  return lines;
}

const stageSeconds = (r: SyncResult, stage: string) => r.stages.find((s) => s.stage === stage)?.seconds ?? 0;

async function main() {
  const asOf = DEMO.asOf;
  const inbox = path.join(work, 'inbox');
  let t = performance.now();
  const manifest = await writeFeeds(generateWorld({ units, seed: DEMO.seed, asOf }), inbox, { asOf });
  const generateSeconds = (performance.now() - t) / 1000;
  const sourceRows = manifest.files.reduce((n, f) => n + f.records, 0);
  console.error(`generated ${units} units, ${sourceRows} source rows in ${generateSeconds.toFixed(1)} s → ${inbox}`);

  const drops: (() => Promise<void>)[] = [];
  try {
    const targets = new Map<string, Target>();
    for (const engine of engines) {
      if (engine === 'postgres') {
        const { url, drop } = await createThrowawayDatabase();
        drops.push(drop);
        targets.set(engine, { url });
      } else targets.set(engine, { data: path.join(work, 'pglite') });
    }
    const full = new Map<string, SyncMeasurement>();
    const second = new Map<string, SyncMeasurement>();
    for (const [engine, target] of targets) {
      console.error(`full sync on ${engine} …`);
      full.set(engine, await measuredSync(target, inbox, asOf));
      console.error(`full sync on ${engine}: ${full.get(engine)!.result.seconds.toFixed(1)} s`);
    }

    const share = Number(args.share);
    const nextDay = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const change = await writeChangedSnapshots({ inbox, truthDir: truthDirFor(inbox), files: manifest.files, share, seed: DEMO.seed + 1, date: nextDay });
    console.error(`changed ${change.changed} rows and added ${change.added} in ${change.files} new snapshot files`);
    // The new snapshots sit beside the old files, which the inbox recognises by hash and skips.
    for (const [engine, target] of targets) {
      console.error(`second sync on ${engine} …`);
      second.set(engine, await measuredSync(target, inbox, nextDay));
      console.error(`second sync on ${engine}: ${second.get(engine)!.result.seconds.toFixed(1)} s`);
    }
    // The same inbox again: a sync the same night after no agency delivered anything new.
    const third = new Map<string, SyncMeasurement>();
    for (const [engine, target] of targets) {
      console.error(`third sync (nothing new) on ${engine} …`);
      third.set(engine, await measuredSync(target, inbox, nextDay));
      console.error(`third sync on ${engine}: ${third.get(engine)!.result.seconds.toFixed(1)} s`);
    }

    let floor: { seconds: number; rows: number } | null = null;
    const pgUrl = (targets.get('postgres') as { url: string } | undefined)?.url;
    if (pgUrl) {
      floor = { seconds: 0, rows: 0 };
      for (const f of manifest.files.filter((x) => x.format === 'csv')) {
        const file = path.join(inbox, f.path);
        const header = firstLine(file, f.encoding === 'gb18030');
        const r = await plainCopy(pgUrl, file, header.split(',').length, f.encoding === 'gb18030' ? 'gb18030' : 'utf-8');
        floor.seconds += r.seconds;
        floor.rows += r.rows;
      }
    }

    const lines: string[] = [];
    lines.push(`# gridlink sync benchmark — ${units.toLocaleString('en-US')} units on ${engines.join(' and ')}`);
    lines.push('');
    lines.push(`Run ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), ${mb(os.totalmem())} MB, Node ${process.version}; load average at the end ${os.loadavg()[0]!.toFixed(1)}.`);
    lines.push(`World: ${units.toLocaleString('en-US')} units → ${sourceRows.toLocaleString('en-US')} source rows in ${manifest.files.length} files (generated in ${generateSeconds.toFixed(1)} s).`);
    lines.push('Each sync ran in a process of its own; peak RSS is that process\'s (the database server\'s own memory not counted on PostgreSQL).');
    lines.push('');
    const changeTitle = `Second sync after a ${(share * 100).toFixed(0)} % change (${change.changed} rows changed, ${change.added} added, ${change.files} new snapshot files)`;
    for (const engine of engines) {
      lines.push(...stageTable(`Full sync — ${engine}`, full.get(engine)!));
      lines.push(...stageTable(`${changeTitle} — ${engine}`, second.get(engine)!));
      lines.push(...stageTable(`Third sync with nothing new — ${engine}`, third.get(engine)!));
    }
    lines.push('## Ratios', '');
    if (floor) {
      const pg = full.get('postgres')!.result;
      const ingestSeconds = stageSeconds(pg, 'ingest') + stageSeconds(pg, 'normalize');
      lines.push(`- I/O floor: PostgreSQL COPY of the same ${manifest.files.filter((x) => x.format === 'csv').length} CSV files (${floor.rows.toLocaleString('en-US')} rows) into plain text tables: ${floor.seconds.toFixed(1)} s.`);
      lines.push(`- ingest + normalise (read, validate, normalise, stage) on PostgreSQL / COPY floor: ${ingestSeconds.toFixed(1)} s / ${floor.seconds.toFixed(1)} s = ${(ingestSeconds / floor.seconds).toFixed(1)} × (target ≤ 3 ×).`);
    } else {
      lines.push('- I/O floor: measured on PostgreSQL only (run with --db postgres or both).');
    }
    for (const engine of engines) {
      const f = full.get(engine)!;
      const s = second.get(engine)!;
      const t = third.get(engine)!;
      lines.push(
        `- ${engine}: full sync ${f.result.seconds.toFixed(1)} s (target < 300 s at 250,000 units on PostgreSQL); second sync after the change ${s.result.seconds.toFixed(1)} s = ${((s.result.seconds / f.result.seconds) * 100).toFixed(0)} % of the full sync (target ≤ 10 %); third sync with nothing new ${t.result.seconds.toFixed(1)} s = ${((t.result.seconds / f.result.seconds) * 100).toFixed(0)} %; peak RSS ${mb(Math.max(f.peak, s.peak, t.peak))} MB (target < 1,536 MB).`,
      );
    }
    if (full.has('postgres') && full.has('pglite')) {
      const ratio = (m: Map<string, SyncMeasurement>) => (m.get('pglite')!.result.seconds / m.get('postgres')!.result.seconds).toFixed(2);
      lines.push(`- PGlite / PostgreSQL: full sync ${ratio(full)} ×, second sync ${ratio(second)} × (target ≤ 3 × at 50,000 units).`);
    }
    const table = lines.join('\n');
    fs.mkdirSync('bench/results', { recursive: true });
    const out = path.join('bench/results', `sync-${which}-${units}.md`);
    fs.writeFileSync(out, `${table}\n`);
    console.log(table);
    console.error(`\nwritten to ${out}`);
  } finally {
    for (const drop of drops) await drop();
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
