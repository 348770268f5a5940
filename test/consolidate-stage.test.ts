import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolidateUnits, goldenRecord } from '../pipelines/consolidate.ts';
import { loadMembers } from './support/reference-members.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { runSync } from '../pipelines/run.ts';
import type { StageContext } from '../pipelines/stage.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

describe.each(engines())('the consolidate stage on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    await runSync(database, { inbox: copyInbox(SAMPLES), asOf: '2026-11-27', log: silentLogger });
  });
  afterAll(async () => database?.dispose());

  const liveUnits = () =>
    database.db
      .selectFrom('registry.unit as u')
      .leftJoin('registry.unit_golden as g', 'g.unit_id', 'u.id')
      .select(['u.id', 'u.name', 'u.uscc', 'u.org_code', 'u.address', 'u.status', 'u.established', 'g.golden'])
      .where('u.retired_run', 'is', null)
      .orderBy('u.id')
      .execute();

  /** A later run that marks every live unit (or the given ones) changed, so consolidate re-derives them. */
  async function markChanged(ids?: string[]): Promise<StageContext> {
    const run = await database.db.insertInto('runs.run').values({ as_of: '2026-11-27' }).returning('id').executeTakeFirstOrThrow();
    let q = database.db.updateTable('registry.unit').set({ updated_run: run.id }).where('retired_run', 'is', null);
    if (ids) q = q.where('id', 'in', ids);
    await q.execute();
    return { database, db: database.db, runId: run.id, asOf: '2026-11-27', log: silentLogger };
  }

  // Row versions of every unit and golden record: a rewrite of either changes its xmin.
  const versions = async () =>
    new Map(
      (await sql<{ id: string; v: string }>`select u.id, u.xmin::text || '/' || coalesce(g.xmin::text, '') as v from registry.unit u left join registry.unit_golden g on g.unit_id = u.id`.execute(database.db)).rows.map((r) => [r.id, r.v]),
    );

  it('stores for every unit the golden record the rules give for its members', async () => {
    const units = await liveUnits();
    expect(units.length).toBeGreaterThan(50);
    const members = await loadMembers(database.db, units.map((u) => u.id));
    for (const u of units) {
      const g = goldenRecord(members.filter((m) => m.unit_id === u.id));
      expect(u.golden, u.id).toEqual(JSON.parse(JSON.stringify(g)));
      expect([u.name, u.uscc, u.org_code, u.address, u.status]).toEqual([g.name?.value ?? null, g.uscc?.value ?? null, g.org_code?.value ?? null, g.address?.value ?? null, g.status?.value ?? 'active']);
      expect(u.established === null ? null : String(u.established).slice(0, 10)).toBe(g.established?.value?.slice(0, 10) ?? null);
    }
  });

  it('re-derives in small batches without rewriting an unchanged unit, and rewrites one whose golden record differs', async () => {
    const before = await liveUnits();
    const ctx = await markChanged();
    const xmins = await versions();
    expect(await consolidateUnits(ctx, { batch: 7 })).toEqual({ units_consolidated: before.length, units_written: 0 });
    expect(await versions()).toEqual(xmins);

    const [a, b] = [before[3]!, before[before.length - 1]!];
    await database.db.updateTable('registry.unit_golden').set({ golden: JSON.stringify({}) }).where('unit_id', '=', a.id).execute();
    await database.db.updateTable('registry.unit').set({ name: null, status: 'active' }).where('id', '=', b.id).execute();
    const ctx2 = await markChanged([a.id, b.id]);
    // Only the units marked changed are read: the earlier run's consolidate did not succeed as a stage, so
    // "since" is still the first run; the units marked in ctx2 and ctx are all re-derived.
    const counts = await consolidateUnits(ctx2, { batch: 7 });
    expect(counts.units_written).toBe(2);
    expect(await liveUnits()).toEqual(before);
  });
});
