import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { canSteward, type Viewer } from './viewer.ts';

/** Every grid code the viewer may see: all for stewards (null), else the assigned grids and their level-2 grids. */
export async function visibleGrids(db: Kysely<DB>, viewer: Viewer): Promise<Set<string> | null> {
  if (canSteward(viewer)) return null;
  if (viewer.grids.length === 0) return new Set();
  const children = await db.selectFrom('grid.grid').select('code').where('parent_code', 'in', viewer.grids).execute();
  return new Set([...viewer.grids, ...children.map((c) => c.code)]);
}

export async function canSeeGrid(db: Kysely<DB>, viewer: Viewer, code: string): Promise<boolean> {
  const grids = await visibleGrids(db, viewer);
  return grids === null || grids.has(code);
}

/** A unit is visible to an inspector when it is placed in one of their grids (at either level). */
export async function canSeeUnit(db: Kysely<DB>, viewer: Viewer, unitId: string): Promise<boolean> {
  const grids = await visibleGrids(db, viewer);
  if (grids === null) return true;
  const p = await db.selectFrom('grid.placement').select(['grid_l1', 'grid_l2']).where('unit_id', '=', unitId).executeTakeFirst();
  return !!p && ((p.grid_l1 !== null && grids.has(p.grid_l1)) || (p.grid_l2 !== null && grids.has(p.grid_l2)));
}
