import { sql, type Kysely } from 'kysely';

// One schema per layer of the data flow, so a stage's reads and writes are visible in its table names.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const schema of ['runs', 'staging', 'registry', 'grid', 'inspection']) {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  }

  await sql`
    create table runs.run (
      id serial primary key,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      status text not null default 'running',
      as_of date not null,
      inbox text,
      error text,
      summary jsonb
    )`.execute(db);
  await sql`
    create table runs.stage (
      run_id int not null references runs.run(id),
      stage text not null,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      status text not null default 'running',
      counts jsonb,
      error text,
      primary key (run_id, stage)
    )`.execute(db);

  await sql`
    create table staging.file (
      id serial primary key,
      agency text not null,
      kind text,
      file_name text not null,
      source_path text,
      content_hash text not null unique,
      byte_size bigint not null,
      format text,
      encoding text,
      snapshot_date date,
      status text not null,
      reason text,
      headers jsonb,
      row_count int not null default 0,
      reject_count int not null default 0,
      run_id int references runs.run(id),
      loaded_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table staging.record (
      id bigserial primary key,
      file_id int not null references staging.file(id),
      agency text not null,
      kind text not null,
      row int not null,
      row_hash text not null,
      fields jsonb not null,
      extras jsonb,
      unique (file_id, row)
    )`.execute(db);
  await sql`create index record_kind on staging.record (kind, file_id)`.execute(db);
  await sql`
    create table staging.reject (
      id bigserial primary key,
      file_id int not null references staging.file(id),
      row int,
      raw_text text,
      reason text not null
    )`.execute(db);

  // Normalised employer-bearing records; record_id is the staging record it came from (lineage).
  await sql`
    create table registry.record (
      record_id bigint primary key references staging.record(id),
      file_id int not null,
      agency text not null,
      kind text not null,
      row int not null,
      snapshot_date date,
      is_current boolean not null default true,
      uscc text,
      uscc_valid boolean,
      org_code text,
      org_code_valid boolean,
      reg_no text,
      reg_no_valid boolean,
      tax_id text,
      name text,
      name_key text,
      trade_name text,
      legal_form text,
      is_branch boolean not null default false,
      parent_name text,
      address text,
      district_code text,
      street_code text,
      community_code text,
      road text,
      road_no text,
      division_code text,
      legal_rep text,
      phone text,
      established date,
      status text not null default 'active',
      flags text[] not null default '{}'
    )`.execute(db);
  await sql`create index record_uscc on registry.record (uscc) where uscc_valid`.execute(db);
  await sql`create index record_org_code on registry.record (org_code) where org_code_valid`.execute(db);
  await sql`create index record_name_key on registry.record (name_key)`.execute(db);

  await sql`
    create table registry.unit (
      id text primary key,
      created_run int not null references runs.run(id),
      updated_run int not null references runs.run(id),
      retired_run int references runs.run(id),
      name text,
      uscc text,
      org_code text,
      address text,
      status text not null default 'active',
      established date,
      golden jsonb not null default '{}'::jsonb
    )`.execute(db);
  await sql`
    create table registry.unit_member (
      record_id bigint primary key references registry.record(record_id),
      unit_id text not null references registry.unit(id),
      since_run int not null references runs.run(id)
    )`.execute(db);
  await sql`create index unit_member_unit on registry.unit_member (unit_id)`.execute(db);
  // A link says why two records belong together; key links are stored as a star from the group's first record.
  await sql`
    create table registry.link (
      record_a bigint not null,
      record_b bigint not null,
      rule text not null,
      score real,
      evidence jsonb,
      run_id int not null references runs.run(id),
      primary key (record_a, record_b, rule)
    )`.execute(db);
  await sql`
    create table registry.unit_event (
      id bigserial primary key,
      run_id int not null references runs.run(id),
      event text not null,
      unit_id text not null,
      detail jsonb
    )`.execute(db);

  await sql`
    create table grid.division (
      code text primary key,
      name text not null,
      level text not null,
      parent_code text,
      source text not null
    )`.execute(db);
  await sql`
    create table grid.grid (
      code text primary key,
      name text not null,
      level int not null,
      parent_code text,
      inspector text,
      assistant text,
      phone text,
      source text not null,
      active boolean not null default true
    )`.execute(db);
  await sql`
    create table grid.grid_division (
      grid_code text not null references grid.grid(code),
      division_code text not null,
      primary key (grid_code, division_code)
    )`.execute(db);
  await sql`
    create table grid.placement (
      unit_id text primary key references registry.unit(id),
      grid_l1 text,
      grid_l2 text,
      division_code text,
      method text not null,
      evidence jsonb,
      run_id int not null references runs.run(id)
    )`.execute(db);

  await sql`
    create table inspection.supervised (
      record_id bigint primary key references staging.record(id),
      code text,
      name text,
      name_key text,
      grid_code text,
      since date,
      inspector text,
      unit_id text
    )`.execute(db);
  await sql`
    create table inspection.complaint (
      record_id bigint primary key references staging.record(id),
      uscc text,
      name text,
      name_key text,
      received date,
      complaint_type text,
      unit_id text
    )`.execute(db);
  await sql`
    create table inspection.arrears (
      record_id bigint primary key references staging.record(id),
      uscc text,
      name text,
      name_key text,
      wage_months int,
      fee_months int,
      registered date,
      unit_id text
    )`.execute(db);
  await sql`
    create table inspection.credit (
      record_id bigint primary key references staging.record(id),
      uscc text,
      name text,
      name_key text,
      year int,
      grade text,
      dishonest boolean,
      unit_id text
    )`.execute(db);
  await sql`
    create table inspection.report (
      id bigserial primary key,
      unit_id text not null references registry.unit(id),
      reason text not null,
      grid_l1 text,
      grid_l2 text,
      detail jsonb,
      as_of date not null,
      opened_run int not null references runs.run(id),
      opened_at timestamptz not null default now(),
      closed_run int references runs.run(id),
      closed_at timestamptz,
      close_reason text
    )`.execute(db);
  // Re-runs must never open a second report for the same unit and reason while one is open.
  await sql`create unique index report_open on inspection.report (unit_id, reason) where closed_run is null`.execute(db);
}
