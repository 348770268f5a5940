import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { StageContext, StageCounts } from './stage.ts';

/** The grid as placement needs it: which grid covers a division code, and each level-2 grid's parent. */
export interface GridIndex {
  level2ByDivision: Map<string, string>;
  level1ByDivision: Map<string, string>;
  parentOf: Map<string, string | null>;
  /** District codes (6 digits) that at least one grid reaches into. */
  coveredDistricts: Set<string>;
}

export async function loadGridIndex(db: Kysely<DB>): Promise<GridIndex> {
  const grids = await db.selectFrom('grid.grid').select(['code', 'level', 'parent_code']).where('active', '=', true).execute();
  const links = await db.selectFrom('grid.grid_division').innerJoin('grid.grid', 'grid.grid.code', 'grid.grid_division.grid_code').select(['grid_code', 'division_code', 'level']).where('active', '=', true).execute();
  const index: GridIndex = { level2ByDivision: new Map(), level1ByDivision: new Map(), parentOf: new Map(), coveredDistricts: new Set() };
  for (const g of grids) index.parentOf.set(g.code, g.parent_code);
  for (const l of links) {
    (l.level === 2 ? index.level2ByDivision : index.level1ByDivision).set(l.division_code, l.grid_code);
    index.coveredDistricts.add(l.division_code.slice(0, 6));
  }
  return index;
}

export interface PlacementEvidence {
  record_id: string;
  agency: string;
  field: 'division_code' | 'address';
  value: string;
}

export interface Placement {
  gridL1: string | null;
  gridL2: string | null;
  divisionCode: string | null;
  method: string;
  evidence: PlacementEvidence[] | { reason: string };
}

export interface PlacementRecord {
  record_id: string;
  agency: string;
  is_current: boolean;
  division_code: string | null;
  community_code: string | null;
  street_code: string | null;
  district_code: string | null;
}

/** A 12-digit division code decides level 2 and, through its grid's parent, level 1 (a park may take over villages). */
function byCommunity(code: string, index: GridIndex): { l1: string | null; l2: string | null } {
  const l2 = index.level2ByDivision.get(code) ?? null;
  if (l2) return { l1: index.parentOf.get(l2) ?? null, l2 };
  return { l1: index.level1ByDivision.get(code.slice(0, 9)) ?? null, l2: null };
}

/**
 * Places one unit, strongest evidence first: a division code from a feed (12 digits: both levels;
 * 9 digits: level 1 only), then the community or street/town found in an address. Never from the
 * division digits of a unified code: they record where the code was issued.
 */
export function placeUnit(records: PlacementRecord[], index: GridIndex): Placement {
  const ordered = [...records].sort((a, b) => Number(b.is_current) - Number(a.is_current) || Number(a.record_id) - Number(b.record_id));
  const tries: [string, (r: PlacementRecord) => Placement | null][] = [
    ['division_code', (r) => (r.division_code?.length === 12 ? fromCode(r, r.division_code, 'division_code', 'division_code') : null)],
    ['division_code_street', (r) => (r.division_code?.length === 9 ? fromStreet(r, r.division_code, 'division_code', 'division_code_street') : null)],
    ['address_community', (r) => (r.community_code ? fromCode(r, r.community_code, 'address', 'address_community') : null)],
    ['address_street', (r) => (r.street_code ? fromStreet(r, r.street_code, 'address', 'address_street') : null)],
  ];
  function fromCode(r: PlacementRecord, code: string, field: PlacementEvidence['field'], method: string): Placement | null {
    const { l1, l2 } = byCommunity(code, index);
    if (!l1 && !l2) return null;
    return { gridL1: l1, gridL2: l2, divisionCode: code, method: l2 ? method : `${method}_l1`, evidence: [{ record_id: r.record_id, agency: r.agency, field, value: code }] };
  }
  function fromStreet(r: PlacementRecord, code: string, field: PlacementEvidence['field'], method: string): Placement | null {
    const l1 = index.level1ByDivision.get(code) ?? null;
    if (!l1) return null;
    return { gridL1: l1, gridL2: null, divisionCode: code, method, evidence: [{ record_id: r.record_id, agency: r.agency, field, value: code }] };
  }
  for (const [, attempt] of tries) {
    for (const r of ordered) {
      const p = attempt(r);
      if (p) return p;
    }
  }
  const known = ordered.map((r) => r.division_code ?? r.community_code ?? r.street_code ?? r.district_code).find((c) => c);
  if (known && !index.coveredDistricts.has(known.slice(0, 6))) {
    return { gridL1: null, gridL2: null, divisionCode: known, method: 'outside_grid', evidence: { reason: '单位位于市内但不在任何网格范围内（区县未划分网格）' } };
  }
  return { gridL1: null, gridL2: null, divisionCode: known ?? null, method: 'unplaced', evidence: { reason: known ? '区划代码或地址未能对应到网格' : '无区划代码，地址中未找到街道（乡镇）或社区（村）' } };
}

export async function placeUnits(ctx: StageContext): Promise<StageCounts> {
  const index = await loadGridIndex(ctx.db);
  const records = await ctx.db
    .selectFrom('registry.unit_member as m')
    .innerJoin('registry.unit as u', 'u.id', 'm.unit_id')
    .innerJoin('registry.record as r', 'r.record_id', 'm.record_id')
    .select(['m.unit_id', 'r.record_id', 'r.agency', 'r.is_current', 'r.division_code', 'r.community_code', 'r.street_code', 'r.district_code'])
    .where('u.retired_run', 'is', null)
    .orderBy('m.unit_id')
    .execute();
  const existing = new Map((await ctx.db.selectFrom('grid.placement').selectAll().execute()).map((p) => [p.unit_id, p]));
  const counts: Record<string, number> = {};
  const changed: { unit_id: string; grid_l1: string | null; grid_l2: string | null; division_code: string | null; method: string; evidence: string; run_id: number }[] = [];
  let i = 0;
  while (i < records.length) {
    const unitId = records[i]!.unit_id;
    const members: PlacementRecord[] = [];
    while (i < records.length && records[i]!.unit_id === unitId) members.push(records[i++]!);
    const p = placeUnit(members, index);
    counts[p.method] = (counts[p.method] ?? 0) + 1;
    const old = existing.get(unitId);
    if (!old || old.grid_l1 !== p.gridL1 || old.grid_l2 !== p.gridL2 || old.method !== p.method || old.division_code !== p.divisionCode) {
      changed.push({ unit_id: unitId, grid_l1: p.gridL1, grid_l2: p.gridL2, division_code: p.divisionCode, method: p.method, evidence: JSON.stringify(p.evidence), run_id: ctx.runId });
    }
  }
  for (let j = 0; j < changed.length; j += 1000) {
    await ctx.db
      .insertInto('grid.placement')
      .values(changed.slice(j, j + 1000))
      .onConflict((oc) =>
        oc.column('unit_id').doUpdateSet((eb) => ({
          grid_l1: eb.ref('excluded.grid_l1'),
          grid_l2: eb.ref('excluded.grid_l2'),
          division_code: eb.ref('excluded.division_code'),
          method: eb.ref('excluded.method'),
          evidence: eb.ref('excluded.evidence'),
          run_id: eb.ref('excluded.run_id'),
        })),
      )
      .execute();
  }
  return { placements_changed: changed.length, by_method: counts };
}
