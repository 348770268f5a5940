// Tables of one feature area: the road gazetteer's stored evidence (incremental placement). Created by
// migrations/008-road-points.ts.
import type { ColumnType } from 'kysely';

export interface RoadPointTable {
  unit_id: string;
  road: string;
  number: number;
  community: string;
}

export interface PlaceStateTable {
  id: ColumnType<number, number | undefined, never>;
  inputs_key: string;
  run_id: number;
}

export interface RoadPointTables {
  'grid.road_point': RoadPointTable;
  'grid.place_state': PlaceStateTable;
}
