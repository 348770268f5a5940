/**
 * node --import tsx bench/web.ts [--units 5000 | --samples] [--db pglite|postgres] [--rounds 7]
 *
 * How quickly the web pages answer on a synced demo world: signs in as a steward over real HTTP and
 * times each page and API call (median and slowest of the rounds), the decide → next-pair round trip
 * of the review queue, and the register downloads of the largest grid. Prints a table; asserts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../db/connect.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { runSync } from '../pipelines/run.ts';
import { generateDemoInbox } from '../seeds/demo-inbox.ts';
import { createThrowawayDatabase } from '../test/support/databases.ts';
import { SAMPLES } from '../test/support/paths.ts';
import { WebClient } from '../test/support/web-client.ts';
import { startServer } from '../web/server.ts';
import { addUser } from '../web/users.ts';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '5000' },
    db: { type: 'string', default: 'pglite' },
    rounds: { type: 'string', default: '7' },
    work: { type: 'string', default: path.resolve('bench/work/web') },
    // The agencies' sample files instead of the demo world (they have review pairs to decide).
    samples: { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);

async function main(): Promise<void> {
  fs.rmSync(args.work!, { recursive: true, force: true });
  const inbox = path.join(args.work!, 'inbox');
  let asOf = '2026-11-27';
  if (args.samples) fs.cpSync(SAMPLES, inbox, { recursive: true });
  else asOf = (await generateDemoInbox(inbox, { units: Number(args.units) })).asOf;
  const throwaway = args.db === 'postgres' ? await createThrowawayDatabase() : null;
  const database = await openDatabase(throwaway ? { url: throwaway.url } : { url: '', dataDir: 'memory://' });
  const t0 = performance.now();
  await runSync(database, { inbox, asOf, log: silentLogger, archive: false });
  console.log(`${args.samples ? 'agency samples' : `demo world: ${args.units} units`}, synced on ${database.engine} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await addUser(database.db, { username: 'bench', password: 'bench-password-1', role: 'steward' });
  const server = await startServer(database, { port: 0, host: '127.0.0.1' });
  const client = new WebClient(server.url);
  try {
    const signIn = performance.now();
    if ((await client.signIn('bench', 'bench-password-1')).status !== 303) throw new Error('sign-in failed');
    const signInMs = performance.now() - signIn;
    const csrf = await client.csrfToken();

    const { rows: big } = await sql<{ grid: string; n: string }>`select grid_l1 as grid, count(*) as n from grid.placement where grid_l1 is not null group by 1 order by 2 desc limit 1`.execute(database.db);
    const grid = big[0]!.grid;
    const { rows: unit } = await sql<{ unit_id: string }>`select unit_id from registry.unit_member group by 1 order by count(*) desc, 1 limit 1`.execute(database.db);
    const counts = await sql<{ units: string; review: string; unplaced: string }>`select
      (select count(*) from registry.unit where retired_run is null) as units,
      (select count(*) from registry.review_item where status = 'open') as review,
      (select count(*) from grid.placement where grid_l2 is null and method <> 'outside_grid') as unplaced`.execute(database.db);
    const c = counts.rows[0]!;
    console.log(`units ${c.units}, open review pairs ${c.review}, units without a level-2 grid ${c.unplaced}; largest grid ${grid} with ${big[0]!.n} units\n`);

    const rows: [string, number[], number][] = [];
    const time = async (label: string, run: () => Promise<Response>) => {
      const ms: number[] = [];
      let bytes = 0;
      for (let i = 0; i < rounds; i++) {
        const start = performance.now();
        const res = await run();
        const body = await res.arrayBuffer();
        ms.push(performance.now() - start);
        if (res.status >= 400) throw new Error(`${label}: HTTP ${res.status}`);
        bytes = body.byteLength;
      }
      rows.push([label, ms, bytes]);
    };
    await time('GET /grids (overview + chart)', () => client.page('/grids'));
    await time(`GET /grids/${grid}`, () => client.page(`/grids/${grid}`));
    await time(`GET /grids/${grid}?reason=unsupervised`, () => client.page(`/grids/${grid}?reason=unsupervised`));
    await time(`GET /units/${unit[0]!.unit_id}`, () => client.page(`/units/${unit[0]!.unit_id}`));
    await time('GET /review', () => client.page('/review'));
    await time('GET /api/review/next (prefetch)', () => client.fetch('/api/review/next'));
    await time('GET /unplaced', () => client.page('/unplaced'));
    await time('GET /runs', () => client.page('/runs'));
    await time('GET /runs/1', () => client.page('/runs/1'));
    await time(`register ${grid} csv`, () => client.fetch(`/api/grids/${grid}/register?format=csv`));
    await time(`register ${grid} xlsx`, () => client.fetch(`/api/grids/${grid}/register?format=xlsx`));
    if (Number(c.review) > 0) {
      // Decide (answer carries the next pair) then undo, so every round sees the same queue.
      const decideMs: number[] = [];
      const undoMs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const next = (await (await client.fetch('/api/review/next')).json()) as { item: string };
        let start = performance.now();
        const d = await client.postJson(`/api/review/items/${next.item}/decision`, { verdict: 'skip' }, { 'x-csrf-token': csrf });
        await d.arrayBuffer();
        decideMs.push(performance.now() - start);
        start = performance.now();
        await (await client.postJson('/api/review/undo-last', {}, { 'x-csrf-token': csrf })).arrayBuffer();
        undoMs.push(performance.now() - start);
      }
      rows.push(['POST decision → next pair', decideMs, 0], ['POST undo-last → pair again', undoMs, 0]);
    }

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`sign-in (scrypt N=16384 + session): ${signInMs.toFixed(0)} ms\n`);
    console.log(`${'request'.padEnd(44)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)} ${'KB'.padStart(8)}`);
    for (const [label, ms, bytes] of rows) console.log(`${label.padEnd(44)} ${median(ms).toFixed(0).padStart(10)} ${Math.max(...ms).toFixed(0).padStart(8)} ${(bytes / 1024).toFixed(0).padStart(8)}`);
  } finally {
    await server.close();
    await database.close();
    await throwaway?.drop();
  }
}

await main();
