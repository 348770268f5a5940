import { sql, type Kysely } from 'kysely';

// The golden record moves out of registry.unit into a table of its own. Each unit's golden record is about
// 1.4 kB of JSON: just under the size at which PostgreSQL moves a value out of the row, so it stayed inline
// and made registry.unit 390 MB at 250,000 units. Nearly every stage reads registry.unit for a unit's
// lifecycle (created, updated, retired) and scans it whole, so every one of those reads went through the
// golden records too. Without them the table is an eighth of that size; the file of one unit reads its
// golden record by key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table registry.unit_golden (
      unit_id text primary key references registry.unit(id),
      golden jsonb not null
    )`.execute(db);
  await sql`insert into registry.unit_golden (unit_id, golden) select id, golden from registry.unit where golden <> '{}'::jsonb`.execute(db);
  await sql`alter table registry.unit drop column golden`.execute(db);
  // A dropped column's bytes stay in every row until the row is rewritten: rewrite the table now.
  await sql`cluster registry.unit using unit_pkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table registry.unit add column golden jsonb not null default '{}'::jsonb`.execute(db);
  await sql`update registry.unit u set golden = g.golden from registry.unit_golden g where g.unit_id = u.id`.execute(db);
  await sql`drop table registry.unit_golden`.execute(db);
}
