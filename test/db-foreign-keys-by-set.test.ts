import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import { withForeignKeysCheckedBySet } from '../db/foreign-keys-by-set.ts';
import { openDatabase } from '../db/connect.ts';
import { openStagingConnection } from '../pipelines/ingest/staging-connection.ts';
import { createThrowawayDatabase, engines, freshDatabase, type TestDatabase } from './support/databases.ts';

const raw = (text: string) => CompiledQuery.raw(text);
const count = async (database: TestDatabase, table: string) =>
  Number(((await database.db.executeQuery(raw(`select count(*)::int as n from ${table}`))).rows[0] as { n: number }).n);

describe.each(engines())('foreign keys checked by set on %s', (engine) => {
  let database: TestDatabase;
  let runId: number;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    const run = await database.db.insertInto('runs.run').values({ as_of: '2026-11-27', inbox: '/tmp/x', started_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    runId = run.id;
  });
  afterAll(() => database.dispose());

  const units = (ids: string[], run: number) => ids.map((id) => `${id}\t${run}\t${run}\n`);

  it('writes rows whose references hold, and turns the per-row triggers off while writing', async () => {
    const conn = await openStagingConnection(database);
    const roleInside = await withForeignKeysCheckedBySet(conn, [{ table: 'registry.unit', where: 't.created_run = $1', parameters: [runId] }], async () => {
      await conn.copy('registry.unit', ['id', 'created_run', 'updated_run'], units(['U9000001', 'U9000002'], runId));
      return (await conn.run(raw('show session_replication_role')))[0];
    });
    expect(await conn.run(raw('show session_replication_role'))).toEqual([{ session_replication_role: 'origin' }]);
    await conn.commit();
    expect(roleInside).toEqual({ session_replication_role: 'replica' });
    expect(await count(database, 'registry.unit')).toBe(2);
  });

  it('refuses a row pointing at nothing, names the key and the value, and the rollback keeps nothing', async () => {
    const before = await count(database, 'registry.unit');
    const conn = await openStagingConnection(database);
    const write = withForeignKeysCheckedBySet(conn, [{ table: 'registry.unit' }], () =>
      conn.copy('registry.unit', ['id', 'created_run', 'updated_run'], [...units(['U9000003'], runId), ...units(['U9000004'], 424242)]),
    );
    await expect(write).rejects.toThrow(/Foreign key unit_(created|updated)_run_fkey broken: registry\.unit \((created|updated)_run\) refers to rows runs\.run does not hold \(for example 424242\)/);
    await conn.rollback();
    expect(await count(database, 'registry.unit')).toBe(before);
    // The role was local to the rolled-back transaction.
    expect((await database.db.executeQuery(raw('show session_replication_role'))).rows).toEqual([{ session_replication_role: 'origin' }]);
  });

  it('checks only the rows in scope', async () => {
    const conn = await openStagingConnection(database);
    // An orphan outside the scope is not looked at (it cannot exist with the triggers on; here it is planted under replica).
    await conn.run(raw('set local session_replication_role = replica'));
    await conn.copy('registry.unit', ['id', 'created_run', 'updated_run'], units(['U9000005'], 777777));
    await conn.run(raw('set local session_replication_role = origin'));
    await withForeignKeysCheckedBySet(conn, [{ table: 'registry.unit', where: 't.created_run = $1', parameters: [runId] }], () =>
      conn.copy('registry.unit', ['id', 'created_run', 'updated_run'], units(['U9000006'], runId)),
    );
    await conn.rollback();
  });
});

describe.runIf(process.env.DATABASE_URL)('foreign keys checked by set for a role that is not a superuser', () => {
  let url: string;
  let drop: () => Promise<void>;
  const role = `gridlink_plain_${process.pid}`;
  beforeAll(async () => {
    ({ url, drop } = await createThrowawayDatabase());
    const setup = await openDatabase({ url });
    await setup.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop role if exists ${role}`);
    await admin.query(`create role ${role} login`);
    await admin.query(`grant usage on schema runs, registry to ${role}`);
    await admin.query(`grant select, insert on all tables in schema runs, registry to ${role}`);
    await admin.query(`insert into runs.run (as_of, inbox, started_at) values ('2026-11-27', '/tmp/x', now())`);
    await admin.end();
  });
  afterAll(async () => {
    await drop();
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`drop role if exists ${role}`);
    await admin.end();
  });

  it('leaves the triggers on, so a bad row still fails, at the row', async () => {
    const u = new URL(url);
    u.username = role;
    const pool = new pg.Pool({ connectionString: u.toString(), max: 1 });
    const conn = await openStagingConnection({ pool, pglite: null } as never);
    const write = withForeignKeysCheckedBySet(conn, [{ table: 'registry.unit' }], async () => {
      expect(await conn.run(raw('show session_replication_role'))).toEqual([{ session_replication_role: 'origin' }]);
      await conn.copy('registry.unit', ['id', 'created_run', 'updated_run'], ['U9100001\t424242\t424242\n']);
    });
    await expect(write).rejects.toThrow(/violates foreign key constraint/);
    await conn.rollback();
    await pool.end();
  });
});
