import { sql, type Kysely } from 'kysely';

// The road-and-number gazetteer's evidence, kept between runs: the points each unit placed by its 12-digit
// division code teaches (road, house number, community). A run that re-places only the units that changed
// learns the gazetteer from these rows instead of re-reading every unit's records.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table grid.road_point (
      unit_id text not null,
      road text not null,
      number int not null,
      community text not null
    )`.execute(db);
  await sql`create index road_point_unit on grid.road_point (unit_id)`.execute(db);
  // What the last placement was made from (grid, divisions, rules, stewards' decisions) and in which run:
  // while these stay the same, only units changed since that run need placing again.
  await sql`
    create table grid.place_state (
      id int primary key default 1 check (id = 1),
      inputs_key text not null,
      run_id int not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table grid.place_state`.execute(db);
  await sql`drop table grid.road_point`.execute(db);
}
