/**
 * A registry record as stewards see it (the queue, a pair side by side, a unit's file): its source
 * file and row, codes with their check, name, address and unit. One loader for the CLI and the web.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { RecordRow } from './match-record.ts';

export interface RecordView {
  recordId: string;
  unitId: string | null;
  agency: string;
  kind: string;
  file: string;
  row: number;
  snapshotDate: string | null;
  isCurrent: boolean;
  name: string | null;
  uscc: string | null;
  usccValid: boolean | null;
  orgCode: string | null;
  orgCodeValid: boolean | null;
  regNo: string | null;
  regNoValid: boolean | null;
  taxId: string | null;
  address: string | null;
  districtCode: string | null;
  legalRep: string | null;
  phone: string | null;
  established: string | null;
  status: string;
  isBranch: boolean;
  parentName: string | null;
}

const RECORD_VIEW_COLUMNS = [
  'r.record_id', 'r.kind', 'r.file_id', 'r.is_current', 'r.uscc', 'r.uscc_valid', 'r.org_code', 'r.org_code_valid', 'r.reg_no', 'r.reg_no_valid',
  'r.tax_id', 'r.name', 'r.name_key', 'r.trade_name', 'r.legal_form', 'r.region_key', 'r.is_branch', 'r.parent_name', 'r.address',
  'r.district_code', 'r.division_code', 'r.community_code', 'r.road', 'r.road_no', 'r.legal_rep', 'r.phone', 'r.status',
  'r.agency', 'r.row', 'r.snapshot_date', 'r.established', 'f.file_name', 'm.unit_id',
] as const;

export async function loadRecordRows(db: Kysely<DB>, ids: string[]) {
  if (ids.length === 0) return new Map<string, RecordRow & { agency: string; row: number; snapshot_date: string | null; established: string | null; file_name: string }>();
  const rows = await db
    .selectFrom('registry.record as r')
    .innerJoin('staging.file as f', 'f.id', 'r.file_id')
    .leftJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
    .select(RECORD_VIEW_COLUMNS)
    .where('r.record_id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.record_id, r]));
}

export type LoadedRow = Awaited<ReturnType<typeof loadRecordRows>> extends Map<string, infer V> ? V : never;

export function toView(r: LoadedRow): RecordView {
  return {
    recordId: r.record_id,
    unitId: r.unit_id,
    agency: r.agency,
    kind: r.kind,
    file: r.file_name,
    row: r.row,
    snapshotDate: r.snapshot_date,
    isCurrent: r.is_current,
    name: r.name,
    uscc: r.uscc,
    usccValid: r.uscc_valid,
    orgCode: r.org_code,
    orgCodeValid: r.org_code_valid,
    regNo: r.reg_no,
    regNoValid: r.reg_no_valid,
    taxId: r.tax_id,
    address: r.address,
    districtCode: r.district_code ?? r.division_code?.slice(0, 6) ?? null,
    legalRep: r.legal_rep,
    phone: r.phone,
    established: r.established,
    status: r.status,
    isBranch: r.is_branch,
    parentName: r.parent_name,
  };
}

