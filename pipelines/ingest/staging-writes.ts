import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { writeCarried, type CarriedRow } from './carry.ts';
import { copyLine } from './copy-text.ts';
import type { StagedRecord, StagedReject } from './staged-rows.ts';
import type { StagingConnection } from './staging-connection.ts';

/**
 * How rows reach staging: COPY (pg-copy-streams on PostgreSQL, a blob per batch on PGlite) or
 * multi-row INSERTs. COPY is the default on both engines (bench/ingest.ts measures both).
 */
export type LoadMethod = 'copy' | 'insert';

export interface FileScope {
  id: number;
  agency: string;
  kind: string;
}

const RECORD_COLUMNS = ['file_id', 'agency', 'kind', 'row', 'row_hash', 'raw_hash', 'fields', 'extras'] as const;
const REJECT_COLUMNS = ['file_id', 'row', 'raw_text', 'reason'] as const;
// 8 parameters a record: 1,000 rows stay far below PostgreSQL's 65,535 bind parameters.
const INSERT_ROWS = 1000;

/** Writes a batch of records, and the rows the file's carry took instead (carry.ts) to staging.carried. */
export async function writeRecords(db: Kysely<DB>, conn: StagingConnection, method: LoadMethod, file: FileScope, records: readonly StagedRecord[], carried: readonly CarriedRow[] = []): Promise<void> {
  await writeCarried(db, conn, method, file, carried);
  if (records.length === 0) return;
  if (method === 'copy') {
    const lines = records.map((r) => copyLine([file.id, file.agency, file.kind, r.row, r.rowHash, r.rawHash, r.fields, r.extras]));
    await conn.copy('staging.record', RECORD_COLUMNS, lines);
    return;
  }
  for (let i = 0; i < records.length; i += INSERT_ROWS) {
    const values = records.slice(i, i + INSERT_ROWS).map((r) => ({ file_id: file.id, agency: file.agency, kind: file.kind, row: r.row, row_hash: r.rowHash, raw_hash: r.rawHash, fields: r.fields, extras: r.extras }));
    await conn.run(db.insertInto('staging.record').values(values).compile());
  }
}

export async function writeRejects(db: Kysely<DB>, conn: StagingConnection, method: LoadMethod, fileId: number, rejects: readonly StagedReject[]): Promise<void> {
  if (rejects.length === 0) return;
  if (method === 'copy') {
    await conn.copy('staging.reject', REJECT_COLUMNS, rejects.map((r) => copyLine([fileId, r.row, r.rawText, r.reason])));
    return;
  }
  for (let i = 0; i < rejects.length; i += INSERT_ROWS) {
    const values = rejects.slice(i, i + INSERT_ROWS).map((r) => ({ file_id: fileId, row: r.row, raw_text: r.rawText, reason: r.reason }));
    await conn.run(db.insertInto('staging.reject').values(values).compile());
  }
}
