/** MatchRecords for the pure matching tests, normalised the way the normalize stage does it. */
import { normalizeName } from '../pipelines/normalize/names.ts';
import { toMatchRecord, type MatchRecord, type RecordRow } from '../pipelines/match/match-record.ts';

let nextId = 1;

export interface RecordSpec {
  name: string;
  kind?: string;
  fileId?: number;
  uscc?: string | null;
  usccValid?: boolean;
  orgCode?: string | null;
  orgCodeValid?: boolean;
  regNo?: string | null;
  taxId?: string | null;
  address?: string | null;
  district?: string | null;
  road?: string | null;
  roadNo?: string | null;
  community?: string | null;
  legalRep?: string | null;
  phone?: string | null;
  unitId?: string;
  id?: string;
}

export function rec(s: RecordSpec): MatchRecord {
  const n = normalizeName(s.name);
  const row: RecordRow = {
    record_id: s.id ?? String(nextId++),
    kind: s.kind ?? 'market',
    file_id: s.fileId ?? 1,
    is_current: true,
    uscc: s.uscc ?? null,
    uscc_valid: s.uscc ? (s.usccValid ?? true) : null,
    org_code: s.orgCode ?? (s.uscc && (s.usccValid ?? true) ? s.uscc.slice(8, 17) : null),
    org_code_valid: s.orgCode ? (s.orgCodeValid ?? true) : s.uscc && (s.usccValid ?? true) ? true : null,
    reg_no: s.regNo ?? null,
    reg_no_valid: s.regNo ? true : null,
    tax_id: s.taxId ?? null,
    name: n.display,
    name_key: n.key,
    trade_name: n.tradeName || null,
    legal_form: n.legalForm,
    region_key: n.regionKey,
    is_branch: n.isBranch,
    parent_name: n.parentName,
    address: s.address ?? null,
    district_code: s.district ?? null,
    division_code: null,
    community_code: s.community ?? null,
    road: s.road ?? null,
    road_no: s.roadNo ?? null,
    legal_rep: s.legalRep ?? null,
    phone: s.phone ?? null,
    status: 'active',
    unit_id: s.unitId ?? null,
  };
  return toMatchRecord(row);
}
