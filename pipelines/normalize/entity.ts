/**
 * One staged employer row → one registry record, as pure functions: the normalise stage runs them on
 * its own thread or in a worker (entity-normalizer.ts), and both must give the same rows.
 */
import type { NewRegistryRecord } from '../../db/types.ts';
import { cleanCode, isValidOrgCode, isValidRegNo, isValidUscc, orgCodeFromUscc, parseTaxId } from './codes.ts';
import { normalizeName } from './names.ts';
import { buildGazetteer, parseAddress, type Division, type Gazetteer } from './addresses.ts';
import { parseDate } from './dates.ts';
import { normalizePhone } from './phone.ts';
import { copyRow } from './copy-row.ts';
import type { Fields, PendingRow } from './pending-rows.ts';

// Every column normalizeEntity fills; is_current and superseded_by keep their defaults.
export const RECORD_COLUMNS = [
  'record_id', 'file_id', 'agency', 'kind', 'row', 'snapshot_date', 'uscc', 'uscc_valid', 'org_code', 'org_code_valid', 'reg_no', 'reg_no_valid', 'tax_id',
  'name', 'name_key', 'trade_name', 'legal_form', 'region_key', 'is_branch', 'parent_name', 'address', 'district_code', 'street_code', 'community_code',
  'road', 'road_no', 'division_code', 'legal_rep', 'phone', 'established', 'status', 'flags',
] as const satisfies readonly (keyof NewRegistryRecord)[];

export interface Source {
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

/** A row of grid.division as the gazetteer is built from it. */
export interface DivisionRow {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
}

export function gazetteerOf(rows: readonly DivisionRow[]): Gazetteer {
  const divisions: Division[] = rows
    .filter((r) => ['district', 'street', 'community'].includes(r.level))
    .map((r) => ({ code: r.code, name: r.name, level: r.level as Division['level'], parentCode: r.parent_code }));
  return buildGazetteer(divisions);
}

/** A pending row whose fields may still be the JSON text they were read as (what a worker is sent). */
export type EntityRow = Omit<PendingRow, 'fields'> & { fields: Fields | string };

export interface EntityBatch {
  /** COPY text lines for registry.record, RECORD_COLUMNS, in the rows' order. */
  lines: string[];
  flagged: number;
}

export function normalizeEntityBatch(rows: readonly EntityRow[], snapshotDates: ReadonlyMap<number, string | null>, gazetteer: Gazetteer): EntityBatch {
  const lines: string[] = new Array(rows.length);
  let flagged = 0;
  for (let i = 0; i < rows.length; i++) {
    const s = rows[i]!;
    const fields = typeof s.fields === 'string' ? (JSON.parse(s.fields) as Fields) : s.fields;
    const record = normalizeEntity({ ...s, snapshot_date: snapshotDates.get(s.file_id) ?? null }, fields, gazetteer);
    if ((record.flags as string[]).length > 0) flagged++;
    lines[i] = copyRow(RECORD_COLUMNS, record);
  }
  return { lines, flagged };
}
