import { sql, type Kysely } from 'kysely';

// The web pages' own state: who may sign in, their open sessions, failed sign-ins (for rate limiting)
// and the audit trail of every change made through the pages.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create schema if not exists web`.execute(db);
  // password_hash is self-describing (scrypt$N$r$p$salt$hash) so the cost can be raised later
  // without invalidating existing passwords.
  await sql`
    create table web.user (
      id serial primary key,
      username text not null unique,
      display_name text,
      role text not null check (role in ('steward', 'inspector', 'admin')),
      password_hash text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    )`.execute(db);
  // No foreign key to grid.grid: a grid file may drop and re-add a grid; access follows the code.
  await sql`
    create table web.user_grid (
      user_id int not null references web.user(id) on delete cascade,
      grid_code text not null,
      primary key (user_id, grid_code)
    )`.execute(db);
  // Only a hash of the session id is stored, so a leaked table cannot be replayed as cookies.
  await sql`
    create table web.session (
      id_hash text primary key,
      user_id int not null references web.user(id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      ip text,
      user_agent text
    )`.execute(db);
  await sql`create index session_expiry on web.session (expires_at)`.execute(db);
  await sql`
    create table web.login_attempt (
      id bigserial primary key,
      at timestamptz not null default now(),
      ip text not null,
      username text not null,
      succeeded boolean not null
    )`.execute(db);
  await sql`create index login_attempt_ip on web.login_attempt (ip, at)`.execute(db);
  await sql`create index login_attempt_user on web.login_attempt (username, at)`.execute(db);
  await sql`
    create table web.audit (
      id bigserial primary key,
      at timestamptz not null default now(),
      user_id int references web.user(id),
      username text not null,
      action text not null,
      target text,
      detail jsonb,
      ip text
    )`.execute(db);
  await sql`create index audit_target on web.audit (target, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop schema if exists web cascade`.execute(db);
}
