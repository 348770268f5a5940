import { sql, type Kysely } from 'kysely';

// What the bureau's list rows were last tied to units against: the run whose supervise stage linked them
// and the last placement change it had seen. A row's unit changes only when a unit carrying one of its
// codes or names gained or lost records since, or such a unit moved grid (the supervised list's grid
// breaks ties), or its file is new: the next run relinks only those rows (pipelines/inspection/list-links.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inspection.link_state (
      id int primary key default 1 check (id = 1),
      run_id int not null,
      placement_change_id bigint not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table inspection.link_state`.execute(db);
}
