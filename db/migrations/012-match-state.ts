import { sql, type Kysely } from 'kysely';

// What the last match was made from (registry records, memberships, units, links, stewards' decisions) and
// in which run: while these stay the same, matching again would decide exactly what is stored, so the
// stage keeps the units as they are (pipelines/match/match-inputs.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table registry.match_state (
      id int primary key default 1 check (id = 1),
      inputs_key text not null,
      run_id int not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.match_state`.execute(db);
}
