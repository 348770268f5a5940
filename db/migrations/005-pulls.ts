import { sql, type Kysely } from 'kysely';

// Connector state that outlives a run: what each agency's HTTP pull last got (so the next pull asks
// only for something newer), and how each loaded snapshot relates to the one before it.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per agency and URL. The URL is stored without credentials; the cursor and validators are
  // whatever the agency's server returned, sent back on the next pull (connectors/http-pull.ts).
  await sql`
    create table staging.pull_state (
      agency text not null,
      url text not null,
      etag text,
      last_modified text,
      cursor text,
      last_status text,
      last_error text,
      last_file text,
      last_bytes bigint,
      attempts int not null default 0,
      last_attempt_at timestamptz,
      last_success_at timestamptz,
      primary key (agency, url)
    )`.execute(db);

  // A snapshot's delta to the previous snapshot of the same feed kind: the rows re-delivered
  // unchanged (same row_hash) are the rows normalisation could skip.
  await sql`
    create table staging.snapshot_delta (
      file_id int primary key references staging.file(id),
      kind text not null,
      previous_file_id int references staging.file(id),
      rows_unchanged int not null
    )`.execute(db);
}
