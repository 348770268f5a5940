import type { Role } from '../../db/tables/web.ts';

/** The signed-in person a request acts for. */
export interface Viewer {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  /** Grid codes assigned to an inspector (level-1 codes include their level-2 grids). */
  grids: string[];
}

export const ROLE_ZH: Record<Role, string> = { admin: '管理员', steward: '数据管理员', inspector: '监察员' };

/** Stewards and admins settle matches and placements and see every grid; inspectors see their own grids. */
export function canSteward(viewer: Viewer): boolean {
  return viewer.role === 'steward' || viewer.role === 'admin';
}
