/**
 * Writes one snapshot of the world into an inbox, one folder per agency,
 * and the ground truth into `<inbox>-truth/` beside it. Files are streamed,
 * so a world of 250,000 units (about a million source rows) fits in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gridIndex } from '../default-grid.ts';
import { compactDate, dayOf, parseIsoDate, toIso, ymd } from './dates.ts';
import { writeDivisions, writeSocialOrgs } from './feeds/civil-affairs.ts';
import type { FeedContext, FeedFileInfo, Snapshots } from './feeds/common.ts';
import { writeArrears, writeComplaints, writeCredit, writeGrids, writeSupervised } from './feeds/labour.ts';
import { writeMarket } from './feeds/market.ts';
import { writeOrgCode } from './feeds/org-code.ts';
import { writePersonnel } from './feeds/personnel.ts';
import { writeStatistics } from './feeds/statistics.ts';
import { writeTax } from './feeds/tax.ts';
import { type TruthSummary, TruthWriter } from './truth.ts';
import type { World } from './world.ts';

export interface FeedManifest {
  asOf: string;
  seed: number;
  units: number;
  /** Absolute paths of what was written. */
  inbox: string;
  truthDir: string;
  /** Snapshot date of each register (YYYY-MM-DD). */
  snapshots: Record<keyof Snapshots, string>;
  files: FeedFileInfo[];
  truth: TruthSummary;
}

/** The statistics bureau's register is quarterly: the last quarter end at least a month old. */
function lastQuarterEnd(day: number): number {
  const { y } = ymd(day);
  const ends = [dayOf(y - 1, 12, 31), dayOf(y, 3, 31), dayOf(y, 6, 30), dayOf(y, 9, 30), dayOf(y, 12, 31)];
  return ends.filter((e) => e <= day).pop() as number;
}

export function snapshotDays(asOf: number): Snapshots {
  return {
    statistics: lastQuarterEnd(asOf - 30),
    market: asOf,
    tax: asOf - 7,
    civil: asOf - 12,
    personnel: asOf,
    // Organisation codes stopped being issued after the unified-code reform; the bureau's copy is old.
    orgCode: Math.min(dayOf(2018, 6, 30), asOf - 365),
    labour: asOf,
  };
}

export function truthDirFor(inbox: string): string {
  const abs = path.resolve(inbox);
  return path.join(path.dirname(abs), `${path.basename(abs)}-truth`);
}

export async function writeFeeds(world: World, dir: string, opts: { asOf: string; seed?: number }): Promise<FeedManifest> {
  const inbox = path.resolve(dir);
  const truthDir = truthDirFor(inbox);
  const asOf = parseIsoDate(opts.asOf);
  const seed = opts.seed ?? world.seed;
  fs.mkdirSync(inbox, { recursive: true });
  fs.mkdirSync(truthDir, { recursive: true });
  const truth = new TruthWriter(truthDir);
  await truth.open();
  const gridOf = gridIndex(world.grids);
  const ctx: FeedContext = {
    world,
    seed,
    asOf,
    inbox,
    snapshots: snapshotDays(asOf),
    gridOf,
    gridByCode: new Map(world.grids.map((g) => [g.code, g])),
    truth,
  };
  const files: FeedFileInfo[] = [];
  // Sequential on purpose: records.csv lists files in this order, and the order must not depend on I/O timing.
  for (const write of [
    writeStatistics, writeMarket, writeTax, writeSocialOrgs, writeDivisions, writePersonnel, writeOrgCode,
    writeGrids, writeSupervised, writeComplaints, writeArrears, writeCredit,
  ]) {
    files.push(await write(ctx));
  }
  const summary = await truth.finish(world, asOf, gridOf);
  const snapshots = Object.fromEntries(Object.entries(ctx.snapshots).map(([k, d]) => [k, toIso(d)])) as Record<keyof Snapshots, string>;
  const manifest: FeedManifest = {
    asOf: opts.asOf,
    seed,
    units: world.units.length,
    inbox,
    truthDir,
    snapshots,
    files,
    truth: summary,
  };
  // The stored copy leaves out absolute paths, so two generations anywhere are byte-identical.
  const stored = { ...manifest, inbox: undefined, truthDir: undefined, generated: `seeds/demo-world.ts seed=${seed} asOf=${opts.asOf} snapshot=${compactDate(asOf)}` };
  fs.writeFileSync(path.join(truthDir, 'manifest.json'), `${JSON.stringify(stored, null, 2)}\n`);
  return manifest;
}
