// Kysely table types, kept beside the migrations that define them. Column types follow what
// node-postgres returns on both engines: bigint and bigserial as string, date as string (see
// db/connect.ts type parsers), timestamptz as Date, jsonb as objects.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { MatchingTables } from './tables/matching.ts';
import type { GridRuleTables } from './tables/grid-rules.ts';
import type { OperationsTables } from './tables/operations.ts';
import type { WebTables } from './tables/web.ts';
import type { PullTables } from './tables/pulls.ts';
import type { CarriedTables } from './tables/carried.ts';
import type { RoadPointTables } from './tables/road-points.ts';
import type { ListLinkTables } from './tables/list-links.ts';

type Json = unknown;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back as strings from pg; we accept numbers on the way in. */
type BigId = ColumnType<string, string | number, string | number>;

export interface RunTable {
  id: Generated<number>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  status: Generated<string>;
  as_of: string;
  inbox: string | null;
  error: string | null;
  summary: Json | null;
}

export interface StageTable {
  run_id: number;
  stage: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  status: Generated<string>;
  counts: Json | null;
  error: string | null;
}

export interface FileTable {
  id: Generated<number>;
  agency: string;
  kind: string | null;
  file_name: string;
  source_path: string | null;
  content_hash: string;
  byte_size: BigId;
  format: string | null;
  encoding: string | null;
  snapshot_date: string | null;
  status: string;
  reason: string | null;
  headers: Json | null;
  row_count: Generated<number>;
  reject_count: Generated<number>;
  run_id: number | null;
  loaded_at: Timestamp;
}

export interface StagingRecordTable {
  id: ColumnType<string, never, never>;
  file_id: number;
  agency: string;
  kind: string;
  row: number;
  row_hash: string;
  /** Hash of the row's exact text (see pipelines/ingest/staged-rows.ts rawTextHash); null before migration 009. */
  raw_hash: ColumnType<string | null, string | null | undefined, string | null>;
  fields: Json;
  extras: Json | null;
}

export interface RejectTable {
  id: ColumnType<string, never, never>;
  file_id: number;
  row: number | null;
  raw_text: string | null;
  reason: string;
}

export interface RegistryRecordTable {
  record_id: BigId;
  file_id: number;
  agency: string;
  kind: string;
  row: number;
  snapshot_date: string | null;
  is_current: Generated<boolean>;
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
  /** normalizeName's regionKey (江都 for 江都区/江都市), for matching; migration 002-matching. */
  region_key: string | null;
  /** The later record of the same feed that repeats this one's content (matching loads only that one); migration 002-matching. */
  superseded_by: Generated<string | null>;
  is_branch: Generated<boolean>;
  parent_name: string | null;
  address: string | null;
  district_code: string | null;
  street_code: string | null;
  community_code: string | null;
  road: string | null;
  road_no: string | null;
  division_code: string | null;
  legal_rep: string | null;
  phone: string | null;
  established: string | null;
  status: Generated<string>;
  flags: Generated<string[]>;
}

export interface UnitTable {
  id: string;
  created_run: number;
  updated_run: number;
  retired_run: number | null;
  name: string | null;
  uscc: string | null;
  org_code: string | null;
  address: string | null;
  status: Generated<string>;
  established: string | null;
}

/** A unit's golden record (一企一档), written by the consolidate stage. */
export interface UnitGoldenTable {
  unit_id: string;
  golden: Json;
}

export interface UnitMemberTable {
  record_id: BigId;
  unit_id: string;
  since_run: number;
}

export interface LinkTable {
  record_a: BigId;
  record_b: BigId;
  rule: string;
  score: number | null;
  evidence: Json | null;
  run_id: number;
}

export interface UnitEventTable {
  id: ColumnType<string, never, never>;
  run_id: number;
  event: string;
  unit_id: string;
  detail: Json | null;
}

export interface DivisionTable {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
  source: string;
}

export interface GridTable {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
  inspector: string | null;
  assistant: string | null;
  phone: string | null;
  source: string;
  active: Generated<boolean>;
}

export interface GridDivisionTable {
  grid_code: string;
  division_code: string;
}

export interface PlacementTable {
  unit_id: string;
  grid_l1: string | null;
  grid_l2: string | null;
  division_code: string | null;
  method: string;
  evidence: Json | null;
  /** Null when a steward placed the unit between runs. */
  run_id: number | null;
}

export interface SupervisedTable {
  record_id: BigId;
  code: string | null;
  name: string | null;
  name_key: string | null;
  grid_code: string | null;
  since: string | null;
  inspector: string | null;
  unit_id: string | null;
}

export interface ComplaintTable {
  record_id: BigId;
  uscc: string | null;
  name: string | null;
  name_key: string | null;
  received: string | null;
  complaint_type: string | null;
  unit_id: string | null;
}

export interface ArrearsTable {
  record_id: BigId;
  uscc: string | null;
  name: string | null;
  name_key: string | null;
  wage_months: number | null;
  fee_months: number | null;
  registered: string | null;
  unit_id: string | null;
}

export interface CreditTable {
  record_id: BigId;
  uscc: string | null;
  name: string | null;
  name_key: string | null;
  year: number | null;
  grade: string | null;
  dishonest: boolean | null;
  unit_id: string | null;
}

export interface ReportTable {
  id: ColumnType<string, never, never>;
  unit_id: string;
  reason: string;
  grid_l1: string | null;
  grid_l2: string | null;
  detail: Json | null;
  as_of: string;
  opened_run: number;
  opened_at: Timestamp;
  closed_run: number | null;
  closed_at: Timestamp | null;
  close_reason: string | null;
}

// Feature areas keep their tables' types in db/tables/, beside the migration that creates them.
export interface DB extends MatchingTables, GridRuleTables, OperationsTables, PullTables, WebTables, CarriedTables, RoadPointTables, ListLinkTables {
  'runs.run': RunTable;
  'runs.stage': StageTable;
  'staging.file': FileTable;
  'staging.record': StagingRecordTable;
  'staging.reject': RejectTable;
  'registry.record': RegistryRecordTable;
  'registry.unit': UnitTable;
  'registry.unit_golden': UnitGoldenTable;
  'registry.unit_member': UnitMemberTable;
  'registry.link': LinkTable;
  'registry.unit_event': UnitEventTable;
  'grid.division': DivisionTable;
  'grid.grid': GridTable;
  'grid.grid_division': GridDivisionTable;
  'grid.placement': PlacementTable;
  'inspection.supervised': SupervisedTable;
  'inspection.complaint': ComplaintTable;
  'inspection.arrears': ArrearsTable;
  'inspection.credit': CreditTable;
  'inspection.report': ReportTable;
}

export type RegistryRecord = Selectable<RegistryRecordTable>;
export type NewRegistryRecord = Insertable<RegistryRecordTable>;
