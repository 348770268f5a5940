import type { Kysely } from 'kysely';
import type { Database } from '../db/connect.ts';
import type { DB, NewRegistryRecord } from '../db/types.ts';
import { ENTITY_KINDS } from '../schemas/feeds.ts';
import { cleanCode, isValidOrgCode, isValidRegNo, isValidUscc, orgCodeFromUscc, parseTaxId } from './normalize/codes.ts';
import { normalizeName } from './normalize/names.ts';
import { buildGazetteer, parseAddress, type Division, type Gazetteer } from './normalize/addresses.ts';
import { parseDate } from './normalize/dates.ts';
import { normalizePhone } from './normalize/phone.ts';
import { parseCount } from './normalize/numbers.ts';
import { copyRow, idRange, SequentialWriter } from './normalize/copy-writer.ts';
import { pendingRows, type Fields, type NormalizeTarget } from './normalize/pending-rows.ts';
import type { StageContext, StageCounts } from './stage.ts';
import { markCurrentSnapshots } from './snapshots.ts';

const ENTITY_TARGET: NormalizeTarget = { table: 'registry.record', kinds: ENTITY_KINDS };

// Every column normalizeEntity fills; is_current and superseded_by keep their defaults.
const RECORD_COLUMNS = [
  'record_id', 'file_id', 'agency', 'kind', 'row', 'snapshot_date', 'uscc', 'uscc_valid', 'org_code', 'org_code_valid', 'reg_no', 'reg_no_valid', 'tax_id',
  'name', 'name_key', 'trade_name', 'legal_form', 'region_key', 'is_branch', 'parent_name', 'address', 'district_code', 'street_code', 'community_code',
  'road', 'road_no', 'division_code', 'legal_rep', 'phone', 'established', 'status', 'flags',
] as const satisfies readonly (keyof NewRegistryRecord)[];

/**
 * Turns staged rows into typed, normalised rows: employer records into registry.record, the labour
 * bureau's own lists into the inspection tables. Only rows not normalised before are read (see
 * normalize/pending-rows.ts), so a re-run costs nothing and a new snapshot costs its own size. Rows go
 * in by COPY, one transaction per batch, and the next batch is read and normalised while one is written.
 */
export async function normalizeRecords(ctx: StageContext): Promise<StageCounts> {
  const gazetteer = await loadGazetteer(ctx.db);
  const snapshotDates = await loadSnapshotDates(ctx.db);
  const counts: Record<string, number> = { records: 0, flagged: 0 };
  const writer = new SequentialWriter(ctx.database);
  try {
    for await (const batch of pendingRows(ctx.db, [ENTITY_TARGET])) {
      const lines: string[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const s = batch[i]!;
        const record = normalizeEntity({ ...s, snapshot_date: snapshotDates.get(s.file_id) ?? null }, s.fields, gazetteer);
        if ((record.flags as string[]).length > 0) counts.flagged!++;
        lines[i] = copyRow(RECORD_COLUMNS, record);
      }
      await writer.write('registry.record', RECORD_COLUMNS, lines, idRange(batch.map((s) => s.id)));
      counts.records! += batch.length;
    }
    await writer.flush();
  } finally {
    await writer.settle();
  }
  await markCurrentSnapshots(ctx.db, ctx.runId);
  Object.assign(counts, await normalizeLabourLists(ctx.database));
  return counts;
}

/** Snapshot date by staging file: a small table, read once instead of joined into every batch. */
async function loadSnapshotDates(db: Kysely<DB>): Promise<Map<number, string | null>> {
  const files = await db.selectFrom('staging.file').select(['id', 'snapshot_date']).execute();
  return new Map(files.map((f) => [f.id, f.snapshot_date]));
}

export async function loadGazetteer(db: Kysely<DB>): Promise<Gazetteer> {
  const rows = await db.selectFrom('grid.division').select(['code', 'name', 'level', 'parent_code']).execute();
  const divisions: Division[] = rows
    .filter((r) => ['district', 'street', 'community'].includes(r.level))
    .map((r) => ({ code: r.code, name: r.name, level: r.level as Division['level'], parentCode: r.parent_code }));
  return buildGazetteer(divisions);
}

interface Source {
  id: string;
  file_id: number;
  agency: string;
  kind: string;
  row: number;
  snapshot_date: string | null;
}

const CLOSED = /注销|吊销|撤销/;
const MOVED_OUT = /迁出/;

/** The codes a row carries, as normalizeEntity settles them. */
interface Codes {
  flags: string[];
  uscc: string | null;
  usccValid: boolean | null;
  orgCode: string | null;
  orgCodeValid: boolean | null;
}

// Module-level rather than closures inside normalizeEntity: a closure made per row costs more than its work.
function takeUscc(c: Codes, code: string): void {
  c.uscc = code;
  c.usccValid = isValidUscc(code);
  if (c.usccValid) {
    c.orgCode = orgCodeFromUscc(code);
    c.orgCodeValid = true;
  } else c.flags.push('uscc_check_failed');
}

function takeOrgCode(c: Codes, code: string): void {
  const valid = isValidOrgCode(code);
  if (!c.orgCodeValid) {
    c.orgCode = code;
    c.orgCodeValid = valid;
  }
  if (!valid) c.flags.push('org_code_check_failed');
}

export function normalizeEntity(s: Source, f: Fields, gazetteer: Gazetteer): NewRegistryRecord {
  const flags: string[] = [];
  const c: Codes = { flags, uscc: null, usccValid: null, orgCode: null, orgCodeValid: null };
  let regNo: string | null = null;
  let regNoValid: boolean | null = null;
  let taxId: string | null = null;

  const usccField = cleanCode(f.uscc);
  // Some agencies put whatever code they had under the unified-code header: a 9-character value is an organisation code.
  if (usccField.length === 9) takeOrgCode(c, usccField);
  else if (usccField) takeUscc(c, usccField);
  const orgField = cleanCode(f.org_code);
  if (orgField) takeOrgCode(c, orgField);
  const regField = cleanCode(f.reg_no);
  if (regField) {
    regNo = regField;
    regNoValid = isValidRegNo(regField);
    if (!regNoValid) flags.push('reg_no_check_failed');
  }
  if (f.tax_id) {
    const tax = parseTaxId(f.tax_id);
    taxId = tax.normalized;
    if (tax.kind === 'uscc' && !c.uscc) takeUscc(c, tax.normalized);
    else if (tax.kind === 'division_org' && tax.orgCode) {
      if (tax.valid) takeOrgCode(c, tax.orgCode);
      else flags.push('tax_id_check_failed');
    } else if (!tax.valid) flags.push('tax_id_check_failed');
  }

  const name = normalizeName(f.name);
  const address = parseAddress(f.address, gazetteer);
  const established = parseDate(f.established);
  if (!established.ok) flags.push(`established_invalid`);
  const statusText = f.reg_status ?? f.tax_status ?? '';
  const status = CLOSED.test(statusText) ? 'closed' : MOVED_OUT.test(statusText) ? 'moved_out' : 'active';
  const division = cleanCode(f.division_code);

  return {
    record_id: s.id,
    file_id: s.file_id,
    agency: s.agency,
    kind: s.kind,
    row: s.row,
    snapshot_date: s.snapshot_date,
    uscc: c.uscc,
    uscc_valid: c.usccValid,
    org_code: c.orgCode,
    org_code_valid: c.orgCodeValid,
    reg_no: regNo,
    reg_no_valid: regNoValid,
    tax_id: taxId,
    name: name.display || null,
    name_key: name.key || null,
    trade_name: name.tradeName || null,
    legal_form: name.legalForm,
    region_key: name.regionKey,
    is_branch: name.isBranch,
    parent_name: name.parentName,
    address: address.normalized || null,
    district_code: address.districtCode,
    street_code: address.streetCode,
    community_code: address.communityCode,
    road: address.road,
    road_no: address.number,
    division_code: /^\d{6}(\d{3}(\d{3})?)?$/.test(division) ? division : null,
    legal_rep: f.legal_rep?.trim() || null,
    phone: normalizePhone(f.phone),
    established: established.ok ? established.date : null,
    status,
    flags,
  };
}

function firstCode(value: string | undefined): string | null {
  const code = cleanCode(value);
  return code || null;
}

function count(value: string | undefined): number | null {
  const n = parseCount(value);
  return n === null || Number.isNaN(n) ? null : n;
}

function date(value: string | undefined): string | null {
  const d = parseDate(value);
  return d.ok ? d.date : null;
}

interface LabourList {
  target: NormalizeTarget & { kinds: readonly [string] };
  count: string;
  columns: readonly string[];
  row(f: Fields): Record<string, string | number | boolean | null>;
}

/** The bureau's own lists (supervised units, complaints, arrears, credit grades), typed for the supervise stage. */
const LABOUR_LISTS: readonly LabourList[] = [
  {
    target: { table: 'inspection.supervised', kinds: ['labour.supervised'] },
    count: 'supervised',
    columns: ['record_id', 'code', 'name', 'name_key', 'grid_code', 'since', 'inspector'],
    row: (f) => {
      const n = normalizeName(f.name);
      return { code: firstCode(f.code), name: n.display || null, name_key: n.key || null, grid_code: f.grid_code?.trim() || null, since: date(f.supervised_since), inspector: f.inspector?.trim() || null };
    },
  },
  {
    target: { table: 'inspection.complaint', kinds: ['labour.complaints'] },
    count: 'complaints',
    columns: ['record_id', 'uscc', 'name', 'name_key', 'received', 'complaint_type'],
    row: (f) => {
      const n = normalizeName(f.name);
      return { uscc: firstCode(f.uscc), name: n.display || null, name_key: n.key || null, received: date(f.received), complaint_type: f.complaint_type?.trim() || null };
    },
  },
  {
    target: { table: 'inspection.arrears', kinds: ['labour.arrears'] },
    count: 'arrears',
    columns: ['record_id', 'uscc', 'name', 'name_key', 'wage_months', 'fee_months', 'registered'],
    row: (f) => {
      const n = normalizeName(f.name);
      return { uscc: firstCode(f.uscc), name: n.display || null, name_key: n.key || null, wage_months: count(f.wage_months), fee_months: count(f.fee_months), registered: date(f.registered) };
    },
  },
  {
    target: { table: 'inspection.credit', kinds: ['labour.credit'] },
    count: 'credit',
    columns: ['record_id', 'uscc', 'name', 'name_key', 'year', 'grade', 'dishonest'],
    row: (f) => {
      const n = normalizeName(f.name);
      const year = /(\d{4})/.exec(f.year ?? '');
      return {
        uscc: firstCode(f.uscc),
        name: n.display || null,
        name_key: n.key || null,
        year: year ? Number(year[1]) : null,
        grade: (f.grade ?? '').trim().toUpperCase().normalize('NFKC') || null,
        dishonest: /^(是|Y|YES|TRUE|1)$/i.test((f.dishonest ?? '').trim()),
      };
    },
  },
];

/** All four lists in one pass over the pending staged rows, each batch's rows copied into their tables. */
async function normalizeLabourLists(database: Database): Promise<Record<string, number>> {
  const byKind = new Map(LABOUR_LISTS.map((l) => [l.target.kinds[0], l]));
  const out: Record<string, number> = Object.fromEntries(LABOUR_LISTS.map((l) => [l.count, 0]));
  const writer = new SequentialWriter(database);
  try {
    for await (const batch of pendingRows(database.db, LABOUR_LISTS.map((l) => l.target))) {
      const lines = new Map<LabourList, string[]>();
      for (const s of batch) {
        const list = byKind.get(s.kind)!;
        let own = lines.get(list);
        if (!own) lines.set(list, (own = []));
        own.push(copyRow(list.columns, { record_id: s.id, ...list.row(s.fields) }));
      }
      const ids = idRange(batch.map((s) => s.id));
      for (const [list, own] of lines) {
        await writer.write(list.target.table, list.columns, own, ids);
        out[list.count]! += own.length;
      }
    }
    await writer.flush();
  } finally {
    await writer.settle();
  }
  return out;
}
