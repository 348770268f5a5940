/**
 * npm run bench:match [-- --units N --seed S --db pglite|postgres --change 0.01]
 *
 * Generates a labelled demo world (near-identical names, parents and branches, renamed units, one
 * trade name in two districts, records without codes, typos), runs a full sync into a fresh
 * database and prints pairwise precision, recall and F1 against the generator's truth, split into
 * pairs of keyed records and pairs with a record lacking a valid code, with parent–branch merges,
 * comparisons and time. Then it re-runs the same inputs (every unit id must stay), and applies a
 * change to a share of the rows as next day's snapshots, printing the incremental run's comparisons
 * against the full run's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../db/connect.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { runSync, type SyncResult } from '../pipelines/run.ts';
import { generateWorld, writeFeeds } from '../seeds/demo-world.ts';
import { createThrowawayDatabase } from '../test/support/databases.ts';
import { pairwiseReport, type PairScores } from '../pipelines/match/accuracy.ts';
import { label, parentBranchMerges, predictedRows } from './match/predicted.ts';
import { readTruth, type Truth } from './match/truth.ts';
import { writeChangedSnapshots } from './match/change.ts';
import { hardenFeeds } from './match/harden.ts';
import { estimateProbabilities, type Estimate } from '../pipelines/match/estimate-weights.ts';
import { loadRecords } from '../pipelines/match/match-stage.ts';
import { PROBABILITIES } from '../pipelines/match/score.ts';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '20261127' },
    'as-of': { type: 'string', default: '2026-11-27' },
    db: { type: 'string', default: 'pglite' },
    change: { type: 'string', default: '0.01' },
    work: { type: 'string', default: path.resolve('bench/work/match') },
    // Extra hard cases (see bench/match/harden.ts); --codeless 0 --typos 0 --no-district 0 --trap-codeless 0 leaves the demo world as it is.
    codeless: { type: 'string', default: '0.2' },
    'trap-codeless': { type: 'string', default: '0.5' },
    typos: { type: 'string', default: '0.03' },
    'no-district': { type: 'string', default: '0.05' },
    // Print m and u per feature level as estimated from key-labelled pairs (how score.ts's table was set).
    estimate: { type: 'boolean', default: false },
  },
});

const units = Number(args.units);
const seed = Number(args.seed);
const asOf = args['as-of']!;
const work = path.resolve(args.work!);
const out = (line = '') => process.stdout.write(`${line}\n`);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function openBenchDatabase(): Promise<{ database: Database; dispose: () => Promise<void> }> {
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

function stageCounts(result: SyncResult, stage: string): Record<string, unknown> {
  return (result.stages.find((s) => s.stage === stage)?.counts ?? {}) as Record<string, unknown>;
}

function line(name: string, s: PairScores): string {
  return `  ${name.padEnd(26)} precision ${pct(s.precision).padStart(8)}  recall ${pct(s.recall).padStart(8)}  F1 ${pct(s.f1).padStart(8)}   (true pairs ${s.truePairs}, predicted ${s.predictedPairs}, correct ${s.correctPairs})`;
}

async function accuracy(database: Database, truth: Truth, title: string): Promise<void> {
  const { labelled, unknown } = label(await predictedRows(database.db), truth);
  const report = pairwiseReport(labelled);
  const keyless = labelled.filter((r) => !r.keyed).length;
  out(`${title}: ${labelled.length} labelled records (${keyless} without a valid code), ${unknown} rows unknown to the truth`);
  out(line('all pairs', report.all));
  out(line('pairs of keyed records', report.keyed));
  out(line('pairs with a keyless record', report.keyless));
  out(`  parent–branch merges       ${parentBranchMerges(labelled, truth)}`);
}

function matchLine(c: Record<string, unknown>): string {
  const j = (x: unknown) => JSON.stringify(x ?? {});
  return [
    `match stage: ${c.records} records (${c.fresh} fresh, ${c.repeats} repeats of earlier rows), ${c.comparisons} comparisons, ${c.key_checks} key name checks`,
    `  blocks ${c.blocks}, oversized and skipped ${c.oversized_blocks} (${c.oversized_block_records} records; by kind ${j(c.oversized_blocks_by_kind)}), ruled out by a veto ${j(c.vetoed)}`,
    `  links new this run ${j(c.links_by_rule)}; refused by constraints ${j(c.rejected)}; review ${j(c.review_by_reason)}`,
    `  units ${c.units} (created ${c.units_created}, merged ${c.units_merged}, split ${c.units_split}, retired ${c.units_retired}); time load ${c.seconds_load} s, link ${c.seconds_link} s, write ${c.seconds_write} s`,
  ].join('\n');
}

function timing(result: SyncResult): string {
  return result.stages.map((s) => `${s.stage} ${s.seconds.toFixed(1)}s`).join(' · ');
}

async function memberships(database: Database): Promise<Map<string, string>> {
  const rows = await database.db.selectFrom('registry.unit_member').select(['record_id', 'unit_id']).execute();
  return new Map(rows.map((r) => [r.record_id, r.unit_id]));
}

async function main(): Promise<void> {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const inbox = path.join(work, 'inbox');
  let t = performance.now();
  const world = generateWorld({ units, seed, asOf });
  const manifest = await writeFeeds(world, inbox, { asOf, seed });
  out(`world: ${units} units, seed ${seed}, as of ${asOf}; ${manifest.truth.records} source rows written in ${secs(performance.now() - t)}`);
  out(`hard cases planted by the generator: ${Object.entries(countBy(world.pitfalls.map((p) => p.pitfall))).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const hard = await hardenFeeds({
    inbox, truthDir: manifest.truthDir, files: manifest.files, world, seed,
    codeless: Number(args.codeless), trapCodeless: Number(args['trap-codeless']), typos: Number(args.typos), noDistrict: Number(args['no-district']),
  });
  out(`hard cases added by the bench: of ${hard.rows} register rows, ${hard.codesBlanked} lost their codes, ${hard.typos} names got a sound-alike typo, ${hard.districtsDropped} addresses lost their district`);

  const { database, dispose } = await openBenchDatabase();
  try {
    t = performance.now();
    const full = await runSync(database, { inbox, asOf, archive: false, log: silentLogger });
    const match = stageCounts(full, 'match');
    out(`\nfull sync on ${database.engine} in ${secs(performance.now() - t)}: ${timing(full)}`);
    out(matchLine(match));
    const truth = await readTruth(manifest.truthDir);
    await accuracy(database, truth, 'accuracy after the full run');
    if (args.estimate) printEstimate(estimateProbabilities(await loadRecords(database)));

    const before = await memberships(database);
    const again = await runSync(database, { inbox, asOf, archive: false, log: silentLogger });
    const after = await memberships(database);
    const moved = [...before].filter(([r, u]) => after.get(r) !== u).length;
    out(`\nsame inputs again: ${moved} of ${before.size} records changed unit (must be 0)`);
    out(matchLine(stageCounts(again, 'match')));

    const share = Number(args.change);
    const nextDay = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const change = await writeChangedSnapshots({ inbox, truthDir: manifest.truthDir, files: manifest.files, share, seed, date: nextDay });
    out(`\n${pct(share)} change as next-day snapshots (${nextDay}): ${change.rows} rows in ${change.files} files, ${change.changed} changed, ${change.added} new units`);
    t = performance.now();
    const incremental = await runSync(database, { inbox, asOf: nextDay, archive: false, log: silentLogger });
    const inc = stageCounts(incremental, 'match');
    out(`incremental sync in ${secs(performance.now() - t)}: ${timing(incremental)}`);
    out(matchLine(inc));
    const fullComparisons = Number(match.comparisons ?? 0);
    const incComparisons = Number(inc.comparisons ?? 0);
    out(`comparisons: incremental ${incComparisons} vs full ${fullComparisons} = ${fullComparisons ? pct(incComparisons / fullComparisons) : 'n/a'} (target ≤ 5%)`);
    await accuracy(database, await readTruth(manifest.truthDir), 'accuracy after the incremental run');

    const settled = await memberships(database);
    const third = await runSync(database, { inbox, asOf: nextDay, archive: false, log: silentLogger });
    const after3 = await memberships(database);
    out(`\nsame inputs again after the change: ${[...settled].filter(([r, u]) => after3.get(r) !== u).length} of ${settled.size} records changed unit (must be 0)`);
    out(matchLine(stageCounts(third, 'match')));
  } finally {
    await dispose();
  }
}

function printEstimate(e: Estimate): void {
  out(`\nm/u estimated from ${e.matches} pairs sharing a valid unified code (m) and ${e.randomPairs} random pairs (u); current table in brackets:`);
  for (const [feature, levels] of Object.entries(e.levels)) {
    const current = PROBABILITIES[feature as keyof typeof PROBABILITIES] as Record<string, { m: number; u: number }>;
    const cells = Object.entries(levels!).map(([level, v]) => `${level} m ${v.m.toFixed(3)} u ${v.u.toFixed(4)} w ${Math.log2(v.m / v.u).toFixed(1)} (${v.matchCount}/${v.randomCount}) [${current[level]!.m}/${current[level]!.u}]`);
    out(`  ${feature.padEnd(9)} ${cells.join(' · ')}`);
  }
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

main().catch((err) => {
  process.stderr.write(`bench:match failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
