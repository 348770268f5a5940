import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../pipelines/ingest.ts';
import { loadGrids } from '../pipelines/load-grids.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { normalizeRecords } from '../pipelines/normalize-records.ts';
import { pendingRows, type NormalizeTarget } from '../pipelines/normalize/pending-rows.ts';
import type { StageContext } from '../pipelines/stage.ts';
import { ENTITY_KINDS } from '../schemas/feeds.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

const TARGETS: readonly NormalizeTarget[] = [
  { table: 'registry.record', kinds: ENTITY_KINDS },
  { table: 'inspection.supervised', kinds: ['labour.supervised'] },
  { table: 'inspection.complaint', kinds: ['labour.complaints'] },
  { table: 'inspection.arrears', kinds: ['labour.arrears'] },
  { table: 'inspection.credit', kinds: ['labour.credit'] },
];
const LABOUR_COUNTS: Record<string, string> = {
  'inspection.supervised': 'supervised',
  'inspection.complaint': 'complaints',
  'inspection.arrears': 'arrears',
  'inspection.credit': 'credit',
};

describe.each(engines())('normalize stage on %s', (engine) => {
  let database: TestDatabase;
  let ctx: StageContext;
  /** Every target table as the first, uninterrupted normalisation left it. */
  const reference = new Map<string, unknown[]>();

  const tableRows = async (table: NormalizeTarget['table']) =>
    (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by record_id`.execute(database.db)).rows;
  const stagedIds = async (kinds: readonly string[]) =>
    (await database.db.selectFrom('staging.record').select('id').where('kind', 'in', [...kinds]).orderBy('id').execute()).map((r) => String(r.id));
  const normalisedIds = async (table: NormalizeTarget['table']) => (await tableRows(table)).map((r) => String(r.record_id));

  beforeAll(async () => {
    database = await freshDatabase(engine);
    const { id: runId } = await database.db
      .insertInto('runs.run')
      .values({ as_of: '2026-11-27', inbox: 'samples', started_at: new Date(), finished_at: null, error: null, summary: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx = { database, db: database.db, runId, asOf: '2026-11-27', log: silentLogger };
    await ingest(ctx, { inbox: copyInbox(SAMPLES), archive: false });
    await loadGrids(ctx);
  }, 120_000);
  afterAll(async () => database?.dispose());

  it('normalises every staged row of the samples exactly once, and a second run finds nothing to do', async () => {
    const counts = await normalizeRecords(ctx);
    for (const target of TARGETS) {
      const staged = await stagedIds(target.kinds);
      expect(staged.length, target.table).toBeGreaterThan(0);
      expect(await normalisedIds(target.table), target.table).toEqual(staged);
      expect(counts[LABOUR_COUNTS[target.table] ?? 'records'], target.table).toBe(staged.length);
      reference.set(target.table, await tableRows(target.table));
    }
    const again = await normalizeRecords(ctx);
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
    for (const target of TARGETS) expect(await tableRows(target.table)).toEqual(reference.get(target.table));
  });

  // `auto` normalises the first batch on this thread and hands the worker the rest.
  it.each(['worker', 'auto'] as const)('gives the same records when a worker thread normalises them, batch after batch (%s)', async (thread) => {
    const expected = reference.get('registry.record')!;
    // Several batches of 40 staging ids: the worker takes the next while the last is written.
    expect(expected.length).toBeGreaterThan(120);
    await database.db.deleteFrom('registry.record').execute();
    const counts = await normalizeRecords(ctx, { thread, span: 40 });
    expect(counts.records).toBe(expected.length);
    expect(await tableRows('registry.record')).toEqual(expected);
  });

  it('fills gaps below the greatest normalised id, whichever tables have them', async () => {
    // Rows missing in the middle (as if written out of order before a crash) and at the end of some tables only.
    const records = await normalisedIds('registry.record');
    const holes = records.filter((_, i) => i % 7 === 3);
    await database.db.deleteFrom('registry.record').where('record_id', 'in', holes).execute();
    const credit = await normalisedIds('inspection.credit');
    const creditHoles = [credit[0]!, credit[Math.floor(credit.length / 2)]!, credit.at(-1)!];
    await database.db.deleteFrom('inspection.credit').where('record_id', 'in', creditHoles).execute();

    // Read in small ranges, the rows handed out are exactly the missing ones, each once.
    const seen: string[] = [];
    for await (const batch of pendingRows(database.db, TARGETS, { span: 5 })) {
      expect(batch.length).toBeLessThanOrEqual(5);
      seen.push(...batch.map((r) => r.id));
    }
    expect(seen.sort()).toEqual([...holes, ...creditHoles].map(String).sort());

    const counts = await normalizeRecords(ctx);
    expect(counts).toMatchObject({ records: holes.length, credit: creditHoles.length, supervised: 0, complaints: 0, arrears: 0 });
    for (const target of TARGETS) expect(await tableRows(target.table), target.table).toEqual(reference.get(target.table));
  });

  it('after a run that stopped part-way, the next normalises the rest and the rows staged since', async () => {
    // A stopped run leaves a prefix in staging-id order: batches commit in that order.
    const records = await normalisedIds('registry.record');
    const cut = records[Math.floor(records.length / 2)]!;
    await database.db.deleteFrom('registry.record').where('record_id', '>', cut).execute();
    const dropped = records.filter((id) => BigInt(id) > BigInt(cut)).length;

    // Then a new snapshot arrives: rows staged with higher ids, with text COPY must escape.
    const market = await database.db.selectFrom('staging.record').select(['fields', 'row']).where('kind', '=', 'market').orderBy('id').limit(3).execute();
    expect(market.length).toBe(3);
    const file = await database.db
      .insertInto('staging.file')
      .values({ agency: 'market', kind: 'market', file_name: 'market-20261128.csv', content_hash: `test-${engine}-later`, byte_size: 1, snapshot_date: '2026-11-28', status: 'loaded', row_count: 3, run_id: ctx.runId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const awkward = ['张\\三', '李\t四\n"五"', '{王,六}'];
    await database.db
      .insertInto('staging.record')
      .values(
        market.map((m, i) => ({
          file_id: file.id,
          agency: 'market',
          kind: 'market',
          row: m.row,
          row_hash: `later-${i}`,
          fields: JSON.stringify({ ...(m.fields as Record<string, string>), legal_rep: awkward[i]!, established: i === 0 ? '2019-02-30' : '2019-02-03' }),
          extras: null,
        })),
      )
      .execute();

    const counts = await normalizeRecords(ctx);
    expect(counts.records).toBe(dropped + 3);
    const staged = await stagedIds(ENTITY_KINDS);
    expect(await normalisedIds('registry.record')).toEqual(staged);
    const now = await tableRows('registry.record');
    const old = reference.get('registry.record')!;
    // The rows redone are those of the first run again; the current flag follows the newest snapshot.
    const strip = (rows: unknown[]) => rows.map((r) => ({ ...(r as Record<string, unknown>), is_current: null }));
    expect(strip(now.slice(0, old.length))).toEqual(strip(old));
    const later = now.slice(old.length);
    expect(later.map((r) => r.file_id)).toEqual([file.id, file.id, file.id]);
    expect(later.map((r) => r.legal_rep)).toEqual(awkward);
    expect(later.map((r) => r.snapshot_date)).toEqual(['2026-11-28', '2026-11-28', '2026-11-28']);
    expect(later[0]!.flags).toContain('established_invalid');
    expect(later[0]!.established).toBeNull();
    expect(later[1]!.established).toBe('2019-02-03');
    expect(later.every((r) => typeof r.is_branch === 'boolean')).toBe(true);
  });
});
