import { sql, type Kysely } from 'kysely';

// Entity matching: stewards' decisions, the review queue, and what matching reads per record.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The region a name carries (江苏 vs 扬州): two companies may differ only there (see normalizeName.regionKey).
  await sql`alter table registry.record add column region_key text`.execute(db);
  // A record whose content a later record of its feed repeats: matching loads only the later one, and
  // the earlier follows it from unit to unit (a register grows by a snapshot a night; matching need not).
  await sql`alter table registry.record add column superseded_by bigint`.execute(db);
  await sql`create index record_superseded_by on registry.record (superseded_by) where superseded_by is not null`.execute(db);

  // A steward's word on two records. Never deleted: undoing one stamps it, so the history stays.
  await sql`
    create table registry.match_decision (
      id bigserial primary key,
      record_a bigint not null references registry.record(record_id),
      record_b bigint not null references registry.record(record_id),
      verdict text not null check (verdict in ('same', 'different', 'skip')),
      steward text not null,
      note text,
      decided_at timestamptz not null default now(),
      review_id bigint,
      undone_at timestamptz,
      undone_by text,
      undo_note text,
      check (record_a < record_b)
    )`.execute(db);
  await sql`create index match_decision_pair on registry.match_decision (record_a, record_b)`.execute(db);

  // Pairs the rules could not settle. status: open (awaiting a steward), decided, settled (other evidence settled it).
  await sql`
    create table registry.review_item (
      id bigserial primary key,
      record_a bigint not null references registry.record(record_id),
      record_b bigint not null references registry.record(record_id),
      reason text not null,
      score real,
      evidence jsonb,
      status text not null default 'open',
      first_run int not null references runs.run(id),
      last_run int not null references runs.run(id),
      unique (record_a, record_b, reason),
      check (record_a < record_b)
    )`.execute(db);
  await sql`create index review_item_status on registry.review_item (status, id)`.execute(db);
  await sql`create index review_item_b on registry.review_item (record_b)`.execute(db);

  // A unit's file (gridlink show UNIT) reads links and events by record and by unit.
  await sql`create index link_record_b on registry.link (record_b)`.execute(db);
  await sql`create index unit_event_unit on registry.unit_event (unit_id)`.execute(db);
}
