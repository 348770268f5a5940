/**
 * node --import tsx bench/match/stage-timing.ts [--units N] [--db postgres|pglite] [--impl path/to/match-stage.ts …]
 *
 * Times the match stage alone, on one database, for one or more implementations taken in turn (so two
 * versions are measured side by side on a busy machine): a full match from no units, then an
 * incremental one where 1 % of the records are new (their memberships removed). Prints the stage's
 * own split (seconds_load, seconds_link, seconds_write) and the best of --repeat runs.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../db/connect.ts';
import { silentLogger } from '../../pipelines/logger.ts';
import { runSync } from '../../pipelines/run.ts';
import type { StageContext, StageCounts } from '../../pipelines/stage.ts';
import { generateWorld, writeFeeds, DEMO } from '../../seeds/demo-world.ts';
import { createThrowawayDatabase } from '../../test/support/databases.ts';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '10000' },
    db: { type: 'string', default: 'postgres' },
    impl: { type: 'string', multiple: true, default: [path.resolve('pipelines/match/match-stage.ts')] },
    repeat: { type: 'string', default: '2' },
    work: { type: 'string', default: '/tmp/gridlink-match-timing' },
  },
});

type MatchFn = (ctx: StageContext) => Promise<StageCounts>;

async function resetMatching(database: Database): Promise<void> {
  await sql`truncate registry.unit_member, registry.link, registry.unit_event, registry.review_item, registry.match_decision, registry.match_state`.execute(database.db);
  await sql`truncate registry.unit cascade`.execute(database.db);
  await sql`update registry.record set superseded_by = null where superseded_by is not null`.execute(database.db);
}

async function newRun(database: Database): Promise<number> {
  const row = await database.db
    .insertInto('runs.run')
    .values({ as_of: DEMO.asOf, inbox: 'timing', started_at: new Date(), finished_at: new Date(), error: null, summary: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function timed(database: Database, match: MatchFn): Promise<{ seconds: number; counts: StageCounts }> {
  const ctx: StageContext = { database, db: database.db, runId: await newRun(database), asOf: DEMO.asOf, log: silentLogger };
  const t = performance.now();
  const counts = await match(ctx);
  return { seconds: (performance.now() - t) / 1000, counts };
}

async function main(): Promise<void> {
  const units = Number(args.units);
  const inbox = path.join(args.work!, 'inbox');
  const world = generateWorld({ units, seed: DEMO.seed, asOf: DEMO.asOf });
  await writeFeeds(world, inbox, { asOf: DEMO.asOf });
  let drop: (() => Promise<void>) | undefined;
  let database: Database;
  if (args.db === 'postgres') {
    const created = await createThrowawayDatabase();
    drop = created.drop;
    database = await openDatabase({ url: created.url });
  } else database = await openDatabase({ url: '', dataDir: path.join(args.work!, `data-${Date.now()}`) });
  try {
    await runSync(database, { inbox, asOf: DEMO.asOf, archive: false, log: silentLogger });
    const impls: [string, MatchFn][] = [];
    for (const file of args.impl!) impls.push([file, ((await import(path.resolve(file))) as { matchRecords: MatchFn }).matchRecords]);
    const best = new Map<string, number>();
    const keep = (key: string, s: number) => best.set(key, Math.min(best.get(key) ?? Infinity, s));
    for (let round = 0; round < Number(args.repeat); round++) {
      for (const [file, match] of impls) {
        await resetMatching(database);
        const full = await timed(database, match);
        // 1 % of records new to the run: no membership, as a next-day snapshot's new or changed rows are.
        await sql`delete from registry.unit_member where record_id % 100 = 7`.execute(database.db);
        const inc = await timed(database, match);
        const c = (x: StageCounts) => `load ${x.seconds_load} s, link ${x.seconds_link} s, write ${x.seconds_write} s; ${x.records} records, ${x.fresh} fresh, ${x.comparisons} comparisons, ${x.units} units`;
        process.stdout.write(`${file}\n  full        ${full.seconds.toFixed(2)} s (${c(full.counts)})\n  incremental ${inc.seconds.toFixed(2)} s (${c(inc.counts)})\n`);
        keep(`${file} full`, full.seconds);
        keep(`${file} incremental`, inc.seconds);
      }
    }
    for (const [k, s] of best) process.stdout.write(`best ${k}: ${s.toFixed(2)} s\n`);
  } finally {
    await database.close();
    await drop?.();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
