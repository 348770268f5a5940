import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { pairwiseReport } from '../pipelines/match/accuracy.ts';
import { generateWorld, writeFeeds } from '../seeds/demo-world.ts';
import { label, parentBranchMerges, predictedRows } from '../bench/match/predicted.ts';
import { readTruth, type Truth } from '../bench/match/truth.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';

// The demo world's ground truth says which unit every source row is; matching never sees it.
describe.each(engines())('matching the demo world on %s', (engine) => {
  let database: TestDatabase;
  let truth: Truth;
  let inbox: string;
  const asOf = '2026-11-27';

  beforeAll(async () => {
    database = await freshDatabase(engine);
    inbox = `${tempDir('gl-world-')}/inbox`;
    const manifest = await writeFeeds(generateWorld({ units: 400, seed: 7, asOf }), inbox, { asOf, seed: 7 });
    truth = await readTruth(manifest.truthDir);
    await runSync(database, { inbox, asOf, archive: false, log: silentLogger });
  });
  afterAll(async () => database?.dispose());

  it('puts the records of one employer in one unit and no two employers together', async () => {
    const { labelled, unknown } = label(await predictedRows(database.db), truth);
    expect(unknown).toBe(0);
    const report = pairwiseReport(labelled);
    expect(report.all.precision).toBeGreaterThanOrEqual(0.99);
    expect(report.all.recall).toBeGreaterThanOrEqual(0.98);
    expect(report.keyless.truePairs).toBeGreaterThan(0);
    expect(report.keyless.f1).toBeGreaterThanOrEqual(0.95);
    expect(parentBranchMerges(labelled, truth)).toBe(0);
  });

  it('running the same inputs again compares nothing and moves no record', async () => {
    const before = await database.db.selectFrom('registry.unit_member').select(['record_id', 'unit_id']).orderBy('record_id').execute();
    const again = await runSync(database, { inbox, asOf, archive: false, log: silentLogger });
    expect(again.stages.find((s) => s.stage === 'match')!.counts).toMatchObject({ comparisons: 0, units_created: 0, units_retired: 0 });
    expect(await database.db.selectFrom('registry.unit_member').select(['record_id', 'unit_id']).orderBy('record_id').execute()).toEqual(before);
  });
});
