import { sql, type Kysely } from 'kysely';

// Grid placement's memory: stewards' rules and decisions, what changed in the grid and where units moved,
// and the notices a grid gets about units it supervised (closed, moved away).
export async function up(db: Kysely<unknown>): Promise<void> {
  // A steward's rule: addresses containing `pattern` (normalised text), optionally only within a house-number
  // range and inside one district/street, belong to this grid. Removed rules are kept for the history.
  await sql`
    create table grid.rule (
      id serial primary key,
      pattern text not null,
      number_from int,
      number_to int,
      scope_code text,
      grid_l1 text not null,
      grid_l2 text,
      note text,
      created_by text,
      created_at timestamptz not null default now(),
      removed_by text,
      removed_at timestamptz
    )`.execute(db);

  // A steward placing one unit by hand; it wins over every automatic method in every later run.
  await sql`
    create table grid.unit_decision (
      unit_id text primary key references registry.unit(id),
      grid_l1 text not null,
      grid_l2 text,
      rule_id int references grid.rule(id),
      note text,
      decided_by text,
      decided_at timestamptz not null default now()
    )`.execute(db);

  // Differences between two grid deliveries: added, retired, renamed, recoded, split, merged, reparented, staff.
  await sql`
    create table grid.grid_event (
      id bigserial primary key,
      run_id int not null references runs.run(id),
      event text not null,
      grid_code text not null,
      detail jsonb
    )`.execute(db);
  await sql`create index grid_event_run on grid.grid_event (run_id)`.execute(db);

  // A unit's placement moving from one grid to another, and why (the grid changed, new evidence, a steward).
  await sql`
    create table grid.placement_change (
      id bigserial primary key,
      run_id int references runs.run(id),
      unit_id text not null,
      from_l1 text,
      from_l2 text,
      to_l1 text,
      to_l2 text,
      from_method text,
      to_method text,
      cause text not null,
      detail jsonb,
      changed_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index placement_change_unit on grid.placement_change (unit_id)`.execute(db);

  // A steward's placement happens between runs.
  await sql`alter table grid.placement alter column run_id drop not null`.execute(db);

  // What a grid is told about a unit it supervised: it closed (注销/吊销/撤销) or it is now placed in another grid.
  await sql`
    create table inspection.notice (
      id bigserial primary key,
      unit_id text not null references registry.unit(id),
      kind text not null,
      grid_code text not null,
      to_grid text,
      detail jsonb,
      as_of date not null,
      opened_run int not null references runs.run(id),
      opened_at timestamptz not null default now(),
      closed_run int references runs.run(id),
      closed_at timestamptz,
      close_reason text
    )`.execute(db);
  await sql`create unique index notice_open on inspection.notice (unit_id, kind, grid_code) where closed_run is null`.execute(db);
}
