import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

export interface GridInfo {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
}

/** The grid as placement reads it: which grid covers a division code, at each level. */
export interface GridIndex {
  grids: Map<string, GridInfo>;
  /** 12-digit community/village code → level-2 grid (one level-2 grid may cover several). */
  level2ByDivision: Map<string, string>;
  /** 9-digit street/town code, or 12-digit village code a park took over → level-1 grid. */
  level1ByDivision: Map<string, string>;
  /** Per 9-digit street: every level-1 grid that one of its communities ends up in, its own grid first. */
  level1ByStreet: Map<string, string[]>;
  /** District codes (6 digits) some grid reaches into. */
  coveredDistricts: Set<string>;
}

export interface GridRow {
  code: string;
  name: string;
  level: number;
  parent_code: string | null;
}

export interface GridLink {
  grid_code: string;
  division_code: string;
}

export function buildGridIndex(grids: GridRow[], links: GridLink[]): GridIndex {
  const index: GridIndex = { grids: new Map(), level2ByDivision: new Map(), level1ByDivision: new Map(), level1ByStreet: new Map(), coveredDistricts: new Set() };
  for (const g of grids) index.grids.set(g.code, { code: g.code, name: g.name, level: g.level, parentCode: g.parent_code });
  for (const l of links) {
    const g = index.grids.get(l.grid_code);
    if (!g) continue;
    (g.level === 2 ? index.level2ByDivision : index.level1ByDivision).set(l.division_code, l.grid_code);
    index.coveredDistricts.add(l.division_code.slice(0, 6));
  }
  // A park that takes over some villages of a town splits the town: its 9-digit code alone no longer says which
  // level-1 grid a unit is in.
  const add = (street: string, l1: string | null) => {
    if (!l1) return;
    const list = index.level1ByStreet.get(street) ?? [];
    if (!list.includes(l1)) list.push(l1);
    index.level1ByStreet.set(street, list);
  };
  for (const [code, l1] of index.level1ByDivision) if (code.length === 9) add(code, l1);
  const communities = new Set([...index.level2ByDivision.keys(), ...[...index.level1ByDivision.keys()].filter((c) => c.length === 12)]);
  for (const code of communities) add(code.slice(0, 9), gridsOfCommunity(code, index).l1);
  return index;
}

export async function loadGridIndex(db: Kysely<DB>): Promise<GridIndex> {
  const grids = await db.selectFrom('grid.grid').select(['code', 'name', 'level', 'parent_code']).where('active', '=', true).execute();
  const links = await db.selectFrom('grid.grid_division').select(['grid_code', 'division_code']).execute();
  return buildGridIndex(grids, links);
}

/**
 * The grids of a 12-digit community code. Its level-2 grid decides level 1 through its parent (a park may
 * take over villages of a town); without a level-2 grid, a park's own list or the town's grid decides level 1.
 */
export function gridsOfCommunity(code: string, index: GridIndex): { l1: string | null; l2: string | null } {
  const l2 = index.level2ByDivision.get(code) ?? null;
  const parent = l2 ? index.grids.get(l2)?.parentCode : null;
  const l1 = (parent && index.grids.get(parent)?.level === 1 ? parent : null) ?? index.level1ByDivision.get(code) ?? index.level1ByDivision.get(code.slice(0, 9)) ?? null;
  return { l1, l2 };
}

/** The level-1 grid of a 9-digit street/town code, or every candidate when parks share the town. */
export function gridsOfStreet(code: string, index: GridIndex): { l1: string | null; candidates: string[] } {
  const candidates = index.level1ByStreet.get(code) ?? [];
  return { l1: candidates.length === 1 ? candidates[0]! : null, candidates };
}
