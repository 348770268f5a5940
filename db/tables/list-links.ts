// Tables of one feature area: what the bureau's list rows were last tied to units against (incremental
// list linking). Created by migrations/010-list-link-state.ts.
import type { ColumnType } from 'kysely';

export interface ListLinkStateTable {
  id: ColumnType<number, number | undefined, never>;
  /** The run whose supervise stage last linked the lists. */
  run_id: number;
  /** The last grid.placement_change it had seen. */
  placement_change_id: ColumnType<string, string | number, string | number>;
}

export interface ListLinkTables {
  'inspection.link_state': ListLinkStateTable;
}
