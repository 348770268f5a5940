import { sql, type Kysely } from 'kysely';

// The hash of each row's exact text as delivered, beside the hash of its canonical fields (row_hash): a
// re-delivered full register whose header is the previous snapshot's is mostly the same lines, and a line
// whose text the previous snapshot held is carried without being split into fields again (ingest/carry.ts).
// Null for rows loaded before this column existed: they are recognised by content, as before. A carried
// row keeps its own only when it differs from its record's (staging.carried grows by a register a night).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staging.record add column raw_hash text`.execute(db);
  await sql`alter table staging.carried add column raw_hash text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staging.carried drop column raw_hash`.execute(db);
  await sql`alter table staging.record drop column raw_hash`.execute(db);
}
