// Tables of one feature area (issue 9: re-delivery carry-forward): rows of a snapshot that re-deliver a
// record of the previous snapshot unchanged (db/migrations/007-carried-rows.ts).
import type { ColumnType } from 'kysely';

export interface CarriedTable {
  /** The file that delivered the row again. */
  file_id: number;
  /** The row's 1-based data-record number in that file. */
  row: number;
  /** The staging record that first delivered this content (its file and row are the lineage). */
  record_id: ColumnType<string, string | number, string | number>;
  /**
   * Hash of the row's exact text in this file when it differs from its record's raw_hash; null when it
   * is the same (most rows: an unchanged line) or the row was carried before migration 009.
   */
  raw_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CarriedTables {
  'staging.carried': CarriedTable;
}
