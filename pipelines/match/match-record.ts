/**
 * A registry record as matching sees it: the normalised columns of registry.record plus a few values
 * derived once per record (district, name core, code tokens), so comparing two records is cheap.
 */
import type { KeyedRecord } from './key-links.ts';

export interface MatchRecord extends KeyedRecord {
  /** registry.record.record_id (bigint as a string). */
  id: string;
  kind: string;
  fileId: number;
  isCurrent: boolean;
  taxId: string | null;
  name: string | null;
  nameKey: string | null;
  tradeName: string | null;
  legalForm: string | null;
  /** The region a name carries in one spelling per place (江都 for 江都区/江都市), see normalizeName. */
  regionKey: string | null;
  isBranch: boolean;
  parentName: string | null;
  address: string | null;
  /** 6-digit district from the address, else from the division code. */
  district: string | null;
  communityCode: string | null;
  road: string | null;
  /** House number: the last number before 号 in the address, else the parsed road number. */
  houseNo: string | null;
  legalRep: string | null;
  phone: string | null;
  status: string;
  /** The unit the record belonged to after the previous run; undefined for records new to this run. */
  unitId: string | undefined;
  /** Name key without its organisational form: what blocking masks. */
  core: string;
  /** For a branch whose name starts with its parent's, the part after it (第二分公司, 荷花池浴室). */
  branchTail: string | null;
}

/** The columns matching reads from registry.record (and the previous membership). */
export interface RecordRow {
  record_id: string;
  kind: string;
  file_id: number;
  is_current: boolean;
  uscc: string | null;
  uscc_valid: boolean | null;
  org_code: string | null;
  org_code_valid: boolean | null;
  reg_no: string | null;
  reg_no_valid: boolean | null;
  tax_id: string | null;
  name: string | null;
  name_key: string | null;
  trade_name: string | null;
  legal_form: string | null;
  region_key: string | null;
  is_branch: boolean;
  parent_name: string | null;
  address: string | null;
  district_code: string | null;
  division_code: string | null;
  community_code: string | null;
  road: string | null;
  road_no: string | null;
  legal_rep: string | null;
  phone: string | null;
  status: string;
  unit_id: string | null;
}

const HOUSE_NO = /(\d+)号(?!.*\d+号)/;

/** The last number before 号, read with stray spaces removed ('2 04号' is 204). */
export function houseNumber(address: string | null): string | null {
  if (!address) return null;
  return HOUSE_NO.exec(address.replace(/\s+/g, ''))?.[1] ?? null;
}

export function toMatchRecord(r: RecordRow): MatchRecord {
  const nameKey = r.name_key;
  let core = nameKey ?? '';
  if (r.legal_form && core.endsWith(r.legal_form) && core.length > r.legal_form.length) core = core.slice(0, core.length - r.legal_form.length);
  let branchTail: string | null = null;
  if (r.is_branch && r.name && r.parent_name && r.name.startsWith(r.parent_name) && r.name.length > r.parent_name.length) {
    branchTail = r.name.slice(r.parent_name.length);
  }
  return {
    id: r.record_id,
    kind: r.kind,
    fileId: r.file_id,
    isCurrent: r.is_current,
    uscc: r.uscc,
    usccValid: r.uscc_valid === true,
    orgCode: r.org_code,
    orgCodeValid: r.org_code_valid === true,
    regNo: r.reg_no,
    regNoValid: r.reg_no_valid === true,
    taxId: r.tax_id,
    name: r.name,
    nameKey,
    tradeName: r.trade_name,
    legalForm: r.legal_form,
    regionKey: r.region_key,
    isBranch: r.is_branch,
    parentName: r.parent_name,
    address: r.address,
    district: r.district_code ?? (r.division_code && r.division_code.length >= 6 ? r.division_code.slice(0, 6) : null),
    communityCode: r.community_code ?? (r.division_code?.length === 12 ? r.division_code : null),
    road: r.road,
    houseNo: houseNumber(r.address) ?? r.road_no,
    legalRep: r.legal_rep,
    phone: r.phone,
    status: r.status,
    unitId: r.unit_id ?? undefined,
    core,
    branchTail,
  };
}

export function hasKey(r: MatchRecord): boolean {
  return (r.usccValid && !!r.uscc) || (r.orgCodeValid && !!r.orgCode) || (r.regNoValid && !!r.regNo);
}
