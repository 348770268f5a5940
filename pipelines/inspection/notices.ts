/**
 * What a grid is told about a unit it supervises that is no longer its business: the unit closed
 * (注销/吊销/撤销) while still on the supervised list, or it is now placed in another grid. These are not
 * report reasons (the five reasons of `export reports` are about units to act on in one's own grid);
 * they go to the supervising grid as notices. Pure.
 */

export type NoticeKind = 'closed' | 'moved';

export interface SupervisedUnit {
  unitId: string;
  status: string;
  /** The grid the bureau's list names for the unit (level 1 or 2), when it names an active one. */
  listGrid: string | null;
  listGridLevel: number | null;
  /** Where the unit was placed before its latest move on new evidence (not a grid change), if it moved. */
  previousGrid: string | null;
  placement: { gridL1: string | null; gridL2: string | null; method: string } | null;
}

export interface DesiredNotice {
  unitId: string;
  kind: NoticeKind;
  gridCode: string;
  toGrid: string | null;
  detail: Record<string, unknown>;
}

export function noticesFor(u: SupervisedUnit): DesiredNotice[] {
  const p = u.placement;
  const supervisor = u.listGrid ?? u.previousGrid ?? p?.gridL2 ?? p?.gridL1 ?? null;
  if (!supervisor) return [];
  if (u.status === 'closed') return [{ unitId: u.unitId, kind: 'closed', gridCode: supervisor, toGrid: null, detail: { status: u.status } }];
  if (!p) return [];
  let moved: string | null = null;
  if (u.listGrid) {
    // Compare at the level the list names: a list that only gives the street grid is not contradicted by a community.
    const now = u.listGridLevel === 1 ? p.gridL1 : p.gridL2;
    if (now && now !== u.listGrid) moved = now;
  } else if (u.previousGrid) {
    const now = p.gridL2 ?? p.gridL1;
    if (now && now !== u.previousGrid && p.gridL1 !== u.previousGrid) moved = now;
  }
  return moved ? [{ unitId: u.unitId, kind: 'moved', gridCode: supervisor, toGrid: moved, detail: { to_l1: p.gridL1, to_l2: p.gridL2, method: p.method } }] : [];
}
