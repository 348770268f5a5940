import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../pipelines/run.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { copyInbox } from './support/inbox.ts';
import { SAMPLES } from './support/paths.ts';

/** A debug logger that keeps, for each table, whether the run refreshed its statistics or kept them. */
function statisticsLog(): { log: pino.Logger; tables: Map<string, 'refreshed' | 'kept'> } {
  const tables = new Map<string, 'refreshed' | 'kept'>();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { msg?: string; table?: string };
        if (entry.msg === 'table statistics refreshed') tables.set(entry.table!, 'refreshed');
        if (entry.msg === 'table statistics kept') tables.set(entry.table!, 'kept');
      }
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), tables };
}

describe.each(engines())('table statistics after a stage (%s)', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => database?.dispose());

  it('are refreshed where a stage loaded a table, and kept when a run changed nothing', async () => {
    const inbox = copyInbox(SAMPLES);
    const first = statisticsLog();
    await runSync(database, { inbox, asOf: '2026-11-27', log: first.log, archive: false });
    for (const table of ['staging.record', 'registry.record', 'registry.unit', 'registry.unit_member', 'grid.placement', 'inspection.supervised']) expect(first.tables.get(table), table).toBe('refreshed');
    // The list was normalised with no unit yet; its statistics were taken again once linked.
    const { rows } = await sql<{ null_frac: number }>`
      select null_frac from pg_stats where schemaname = 'inspection' and tablename = 'supervised' and attname = 'unit_id'`.execute(database.db);
    expect(Number(rows[0]!.null_frac)).toBeLessThan(0.5);

    const second = statisticsLog();
    await runSync(database, { inbox, asOf: '2026-11-27', log: second.log, archive: false });
    for (const table of ['staging.record', 'registry.record', 'registry.unit', 'registry.unit_member', 'grid.placement', 'inspection.supervised']) expect(second.tables.get(table), table).toBe('kept');
  });
});
