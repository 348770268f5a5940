import { sql, type Kysely } from 'kysely';

// Agencies re-deliver their full register as each new snapshot. A row whose content (row_hash) a
// record of the previous snapshot already holds is not staged again: the new file's row points at
// that record, so an unchanged unit keeps its records (and its unit, its golden record, its place)
// and a second sync costs in proportion to what changed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table staging.carried (
      file_id int not null references staging.file(id),
      row int not null,
      record_id bigint not null references staging.record(id),
      primary key (file_id, row)
    )`.execute(db);
  // The other way round: which files re-delivered a record (currency, the record's last delivery).
  await sql`create index carried_record on staging.carried (record_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists staging.carried`.execute(db);
}
