import { sql, type Kysely } from 'kysely';

// Operations: who holds the run lock (so a second process can name the run it is waiting for) and the
// scheduler's jobs (so `gridlink status` shows next times and what is failing, from any process).
export async function up(db: Kysely<unknown>): Promise<void> {
  // The lock itself is a PostgreSQL advisory lock held by a live connection; this row only describes the
  // holder. A crashed holder leaves its row behind, and the next process to take the lock overwrites it.
  await sql`
    create table runs.lock (
      name text primary key,
      run_id int references runs.run(id),
      run_started_at timestamptz,
      pid int not null,
      host text not null,
      acquired_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table runs.job (
      name text primary key,
      kind text not null,
      cron text not null,
      timezone text not null,
      agency text,
      active boolean not null default true,
      scheduler_pid int,
      scheduler_host text,
      registered_at timestamptz not null default now(),
      last_started timestamptz,
      last_finished timestamptz,
      last_status text,
      last_error text,
      last_run_id int references runs.run(id),
      failing_since timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists runs.job`.execute(db);
  await sql`drop table if exists runs.lock`.execute(db);
}
