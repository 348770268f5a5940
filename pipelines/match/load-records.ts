/**
 * Loading what matching needs in one streaming COPY … TO (db/copy-out.ts: pg-copy-streams on PostgreSQL,
 * PGlite's COPY to a blob): a register of a million records is one query, not a page per 50,000, and
 * COPY's text rows parse in a fraction of the time the driver takes per column of an ordinary result.
 * Rows are parsed as they arrive, so memory holds the records, never the whole text.
 */
import { CompiledQuery } from 'kysely';
import type { Database } from '../../db/connect.ts';
import { copyOut } from '../../db/copy-out.ts';
import { toMatchRecord, type MatchRecord, type RecordRow } from './match-record.ts';

/** The columns matching reads, in RecordRow's names (toRow reads them by position); `b` boolean, `i` integer, `s` text. */
export const COLUMNS: [keyof RecordRow, string, 'b' | 'i' | 's'][] = [
  ['record_id', 'r.record_id', 's'], ['kind', 'r.kind', 's'], ['file_id', 'r.file_id', 'i'], ['is_current', 'r.is_current', 'b'],
  ['uscc', 'r.uscc', 's'], ['uscc_valid', 'r.uscc_valid', 'b'], ['org_code', 'r.org_code', 's'], ['org_code_valid', 'r.org_code_valid', 'b'],
  ['reg_no', 'r.reg_no', 's'], ['reg_no_valid', 'r.reg_no_valid', 'b'], ['tax_id', 'r.tax_id', 's'], ['name', 'r.name', 's'],
  ['name_key', 'r.name_key', 's'], ['trade_name', 'r.trade_name', 's'], ['legal_form', 'r.legal_form', 's'], ['region_key', 'r.region_key', 's'],
  ['is_branch', 'r.is_branch', 'b'], ['parent_name', 'r.parent_name', 's'], ['address', 'r.address', 's'], ['district_code', 'r.district_code', 's'],
  ['division_code', 'r.division_code', 's'], ['community_code', 'r.community_code', 's'], ['road', 'r.road', 's'], ['road_no', 'r.road_no', 's'],
  ['legal_rep', 'r.legal_rep', 's'], ['phone', 'r.phone', 's'], ['status', 'r.status', 's'], ['unit_id', 'm.unit_id', 's'],
];

/**
 * Every registry record that stands for its content (none superseded by a later repeat), with its unit
 * after the previous run, in record order (the order ids are minted in).
 */
const query = (after: string | null, limit: number | null) =>
  CompiledQuery.raw(`select ${COLUMNS.map(([, c]) => c).join(', ')}
  from registry.record r left join registry.unit_member m on m.record_id = r.record_id
  where r.superseded_by is null${after === null ? '' : ` and r.record_id > ${BigInt(after)}`}
  order by r.record_id${limit === null ? '' : ` limit ${limit}`}`);

/** PGlite hands COPY's output over as one blob in this process's memory: pages keep it a few tens of MB. */
const PGLITE_PAGE = 100_000;

export async function loadRecords(database: Database): Promise<MatchRecord[]> {
  const records: MatchRecord[] = [];
  const intern = interner();
  const take = (fields: (string | null)[]) => records.push(toMatchRecord(toRow(fields, intern)));
  if (database.pglite) {
    for (;;) {
      const before = records.length;
      await copyOut(database, query(records.at(-1)?.id ?? null, PGLITE_PAGE), take);
      if (records.length - before < PGLITE_PAGE) break;
    }
  } else await copyOut(database, query(null, null), take);
  return records;
}

const bool = (v: string | null) => (v === null ? null : v === 't');

/**
 * One string object per distinct value of the columns with few values (kind, legal form, region,
 * division codes, road, house number, status). Matching holds every record at once; each of these
 * would otherwise be a copy of its own in every record (about a quarter of a record's memory).
 */
function interner(): (s: string | null) => string | null {
  const seen = new Map<string, string>();
  return (s) => {
    if (s === null) return null;
    const known = seen.get(s);
    if (known !== undefined) return known;
    seen.set(s, s);
    return s;
  };
}

/** A literal of one shape (not a row built key by key): V8 keeps it a fast object. Order as COLUMNS. */
function toRow(f: (string | null)[], i: (s: string | null) => string | null): RecordRow {
  return {
    record_id: f[0]!, kind: i(f[1]!)!, file_id: Number(f[2]), is_current: f[3] === 't',
    uscc: f[4]!, uscc_valid: bool(f[5]!), org_code: f[6]!, org_code_valid: bool(f[7]!),
    reg_no: f[8]!, reg_no_valid: bool(f[9]!), tax_id: f[10]!, name: f[11]!,
    name_key: f[12]!, trade_name: f[13]!, legal_form: i(f[14]!), region_key: i(f[15]!),
    is_branch: f[16] === 't', parent_name: f[17]!, address: f[18]!, district_code: i(f[19]!),
    division_code: i(f[20]!), community_code: i(f[21]!), road: i(f[22]!), road_no: i(f[23]!),
    legal_rep: f[24]!, phone: f[25]!, status: i(f[26]!)!, unit_id: f[27]!,
  };
}
