/**
 * Incremental placement: a run whose grid, divisions, rules and stewards' decisions are those of the last
 * placing run places only the units that changed — and ends where placing every unit would have ended.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync, type SyncResult } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { placeUnits } from '../pipelines/place.ts';
import { placeBySteward } from '../pipelines/grid/unplaced-queue.ts';
import { generateWorld, writeFeeds, DEMO } from '../seeds/demo-world.ts';
import { writeChangedSnapshots } from '../bench/match/change.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { tempDir } from './support/inbox.ts';

const placeCounts = (r: SyncResult) => r.stages.find((s) => s.stage === 'place')!.counts as Record<string, number>;

describe.each(engines())('incremental grid placement (%s)', (engine) => {
  let database: TestDatabase;
  let inbox: string;
  let first: SyncResult;
  let second: SyncResult;

  beforeAll(async () => {
    inbox = path.join(tempDir('gl-place-incr-'), 'inbox');
    const manifest = await writeFeeds(generateWorld({ units: 600, seed: 7, asOf: DEMO.asOf }), inbox, { asOf: DEMO.asOf });
    database = await freshDatabase(engine);
    first = await runSync(database, { inbox, asOf: DEMO.asOf, log: silentLogger, archive: false });
    await writeChangedSnapshots({ inbox, truthDir: manifest.truthDir, files: manifest.files, share: 0.05, seed: 8, date: '2026-11-28' });
    second = await runSync(database, { inbox, asOf: '2026-11-28', log: silentLogger, archive: false });
  }, 600_000);
  afterAll(async () => database?.dispose());

  it('the first run places every unit; after a small change only the changed units are placed again', () => {
    const a = placeCounts(first);
    const b = placeCounts(second);
    expect(a.full_placement).toBe(1);
    expect(a.units_placed_this_run).toBe(a.units);
    expect(b.full_placement).toBe(0);
    expect(b.units_placed_this_run).toBeGreaterThan(0);
    expect(b.units_placed_this_run).toBeLessThan(b.units! / 2);
    // Totals still describe every live unit.
    expect(b.units).toBeGreaterThanOrEqual(a.units!);
  });

  it('ends where placing every unit again ends: nothing to write, the same road points', async () => {
    const { db } = database;
    const points = async () => (await sql<{ k: string }>`select unit_id || road || number || community as k from grid.road_point order by 1`.execute(db)).rows.map((r) => r.k);
    const before = await points();
    expect(before.length).toBeGreaterThan(0);
    // Forget what the last placement was made from: the next placement is a full one.
    await db.deleteFrom('grid.place_state').execute();
    const full = await placeUnits({ database, db, runId: second.runId, asOf: '2026-11-28', log: silentLogger });
    expect(full.full_placement).toBe(1);
    expect(full.placements_written).toBe(0);
    expect(await points()).toEqual(before);
  });

  it("a steward's decision between runs makes the next run place every unit again, and the decision holds", async () => {
    const { db } = database;
    const target = await db
      .selectFrom('grid.placement as p')
      .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
      .select(['p.unit_id', 'p.grid_l2'])
      .where('u.retired_run', 'is', null)
      .where('p.grid_l2', 'is not', null)
      .orderBy('p.unit_id')
      .executeTakeFirstOrThrow();
    const other = await db.selectFrom('grid.grid').select('code').where('level', '=', 2).where('code', '<>', target.grid_l2!).orderBy('code').executeTakeFirstOrThrow();
    await placeBySteward(db, { unitId: target.unit_id, gridCode: other.code, by: 'test', note: null, rule: null });
    const third = await runSync(database, { inbox, asOf: '2026-11-28', log: silentLogger, archive: false });
    expect(placeCounts(third).full_placement).toBe(1);
    const after = await db.selectFrom('grid.placement').select(['grid_l2', 'method']).where('unit_id', '=', target.unit_id).executeTakeFirstOrThrow();
    expect(after).toEqual({ grid_l2: other.code, method: 'steward' });
    // And the run after that, with nothing changed, places nothing again.
    const fourth = await runSync(database, { inbox, asOf: '2026-11-28', log: silentLogger, archive: false });
    expect(placeCounts(fourth)).toMatchObject({ full_placement: 0, units_placed_this_run: 0, placements_written: 0, road_points: placeCounts(third).road_points });
    expect(placeCounts(fourth).units).toBe(placeCounts(third).units);
  });
});
