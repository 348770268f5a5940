/**
 * node --import tsx bench/grid.ts [--units N --seed S --db pglite|postgres --plain]
 *
 * Placement and reports on the matching bench's world (a generated demo world, by default hardened as
 * bench/match.ts hardens it: codes blanked, typos, districts dropped), scored against the generator's truth:
 * level-2 placement accuracy on the units whose code or address allows it, wrong placements, placement by
 * method, reports F1 per (unit, reason) over all units and over the correctly clustered ones, then a second
 * run of the same inputs (it must write nothing). Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../db/connect.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { runSync, type SyncResult } from '../pipelines/run.ts';
import { generateWorld, writeFeeds } from '../seeds/demo-world.ts';
import { createThrowawayDatabase } from '../test/support/databases.ts';
import { hardenFeeds } from './match/harden.ts';
import { crosswalk, scorePlacement, scoreReports } from './grid/score.ts';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '20261127' },
    'as-of': { type: 'string', default: '2026-11-27' },
    db: { type: 'string', default: 'pglite' },
    work: { type: 'string', default: path.resolve('bench/work/grid') },
    // The demo world as generated, without the matching bench's extra hard cases.
    plain: { type: 'boolean', default: false },
  },
});

const out = (line = '') => process.stdout.write(`${line}\n`);
const pct = (n: number, d: number) => `${d ? ((100 * n) / d).toFixed(2) : '-'} %`;

async function openBenchDatabase(work: string): Promise<{ database: Database; dispose: () => Promise<void> }> {
  if (args.db === 'postgres') {
    if (!process.env.DATABASE_URL) throw new Error('--db postgres needs DATABASE_URL=postgres://user@host:5432/db (a server where a throw-away database may be created)');
    const { url, drop } = await createThrowawayDatabase();
    const database = await openDatabase({ url });
    return { database, dispose: async () => { await database.close(); await drop(); } };
  }
  if (args.db !== 'pglite') throw new Error(`--db must be pglite or postgres, got ${args.db}`);
  const database = await openDatabase({ url: '', dataDir: path.join(work, 'data') });
  return { database, dispose: () => database.close() };
}

const counts = (r: SyncResult, stage: string) => (r.stages.find((s) => s.stage === stage)?.counts ?? {}) as Record<string, unknown>;

async function main(): Promise<void> {
  const units = Number(args.units);
  const seed = Number(args.seed);
  const asOf = args['as-of']!;
  const work = path.resolve(args.work!);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const inbox = path.join(work, 'inbox');
  const world = generateWorld({ units, seed, asOf });
  const manifest = await writeFeeds(world, inbox, { asOf, seed });
  out(`world: ${units} units, seed ${seed}, as of ${asOf}, ${manifest.truth.records} source rows`);
  if (!args.plain) {
    const hard = await hardenFeeds({ inbox, truthDir: manifest.truthDir, files: manifest.files, world, seed, codeless: 0.2, trapCodeless: 0.5, typos: 0.03, noDistrict: 0.05 });
    out(`hardened as bench/match.ts does: ${hard.codesBlanked} rows lost their codes, ${hard.typos} typos, ${hard.districtsDropped} addresses lost their district`);
  }
  const { database, dispose } = await openBenchDatabase(work);
  try {
    const t = performance.now();
    const first = await runSync(database, { inbox, asOf, archive: false, log: silentLogger });
    out(`full sync on ${database.engine} in ${((performance.now() - t) / 1000).toFixed(1)} s: ${first.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)}s`).join(' · ')}`);
    const cw = await crosswalk(database.db, manifest.truthDir);
    out(`units: ${cw.truthOf.size}, correctly clustered ${cw.clean.size} (${pct(cw.clean.size, cw.truthOf.size)})`);

    const s = await scorePlacement(database.db, manifest.truthDir, cw);
    out('\nplacement');
    out(`  level 2, units whose code or address allows it: ${s.allowedRight}/${s.allowed} = ${pct(s.allowedRight, s.allowed)}`);
    out(`  level 2, all units in a grid:                   ${s.inGridRight}/${s.inGrid} = ${pct(s.inGridRight, s.inGrid)}`);
    out(`  placed at level 2: ${s.placed}, on the wrong grid: ${s.wrong} (${pct(s.wrong, s.placed)})`);
    for (const [method, m] of Object.entries(s.byMethod).sort((a, b) => b[1].units - a[1].units)) out(`  ${method.padEnd(22)} ${String(m.units).padStart(7)} units  right ${m.right}  wrong ${m.wrong}`);
    out(`  unplaced by reason: ${JSON.stringify(counts(first, 'place').unplaced_by_reason)}`);
    if (s.problems.length) out(`  PROBLEMS (${s.problems.length}): ${s.problems.slice(0, 5).join('; ')}`);

    const { all, clean } = await scoreReports(database.db, manifest.truthDir, cw);
    out('\nreports (unit, reason)');
    out(`  all units:               F1 ${all.f1.toFixed(4)}  (tp ${all.tp}, fp ${all.fp}, fn ${all.fn})`);
    out(`  correctly clustered:     F1 ${clean.f1.toFixed(4)}  (tp ${clean.tp}, fp ${clean.fp}, fn ${clean.fn})`);
    const sup = counts(first, 'supervise');
    out(`  list rows linked ${sup.list_rows_linked}, unlinked ${sup.list_rows_unlinked}; notices opened ${sup.notices_opened}`);

    const t2 = performance.now();
    const again = await runSync(database, { inbox, asOf, archive: false, log: silentLogger });
    out(`\nsecond run of the same inputs in ${((performance.now() - t2) / 1000).toFixed(1)} s: placements written ${counts(again, 'place').placements_written}, reports opened ${counts(again, 'supervise').reports_opened}, closed ${counts(again, 'supervise').reports_closed}, notices opened ${counts(again, 'supervise').notices_opened}`);
  } finally {
    await dispose();
  }
}

await main();
