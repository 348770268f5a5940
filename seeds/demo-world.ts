/**
 * The synthetic Yangzhou world behind `npm start` and the pipeline's
 * end-to-end tests: employing units with the hard cases real registers have,
 * written out as the seven agencies' exports, with the ground truth beside them.
 *
 *   const world = generateWorld({ units: 1500, seed: 1, asOf: '2026-11-27' });
 *   const manifest = await writeFeeds(world, 'out/inbox', { asOf: '2026-11-27' });
 *   // feeds in out/inbox/<agency>/, truth in out/inbox-truth/
 *
 * Same options → byte-identical files.
 */
import { type Division, loadDefaultDivisions } from './default-grid.ts';
import { type World, type WorldOptions, generateWorld as generate } from './demo/world.ts';

export { writeFeeds, truthDirFor, snapshotDays, type FeedManifest } from './demo/write-feeds.ts';
export { reportReasons, REPORT_REASONS, type ReportReason, type TruthSummary } from './demo/truth.ts';
export type { Agency, FeedFileInfo, BrokenCode } from './demo/feeds/common.ts';
export type {
  World,
  WorldOptions,
  TrueUnit,
  UnitKind,
  UnitStatus,
  Complaint,
  ComplaintType,
  ArrearsRecord,
  CreditGrade,
  Pitfall,
  Presence,
} from './demo/world.ts';

/** The default demo world: small, so `npm start` is quick. */
export const DEMO = { units: 1500, seed: 20261127, asOf: '2026-11-27' } as const;

export function generateWorld(opts: WorldOptions, divisions: Division[] = loadDefaultDivisions()): World {
  return generate({ ...opts, seed: opts.seed ?? DEMO.seed }, divisions);
}
