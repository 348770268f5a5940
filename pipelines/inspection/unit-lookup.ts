/**
 * Which unit a row of the bureau's own lists (supervised, complaints, arrears, credit) is about: by its
 * unified or organisation code, else by a name only one unit carries. Lists are typed by desk staff: the
 * code column may hold an organisation code, the name may lack its region prefix, and two units may share
 * a name once the region is dropped (扬州市邗江区疾病预防控制中心 / 扬州市广陵区疾病预防控制中心).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { cleanCode, isValidOrgCode, isValidUscc, orgCodeFromUscc } from '../normalize/codes.ts';

export interface UnitLookup {
  byUscc: Map<string, string | null>;
  /** Codes whose check character is wrong, as every register spells them (early pilot codes): equal strings only. */
  byInvalidUscc: Map<string, string | null>;
  byOrgCode: Map<string, string | null>;
  /** Normalised display name → unit (null when two units carry it). */
  byName: Map<string, string | null>;
  /** Name key (region prefix dropped, legal form canonical) → every unit that carries it. */
  byKey: Map<string, string[]>;
}

export interface LookupRecord {
  unit_id: string;
  uscc: string | null;
  uscc_valid: boolean | null;
  org_code: string | null;
  org_code_valid: boolean | null;
  name: string | null;
  name_key: string | null;
}

function put(map: Map<string, string | null>, key: string, unit: string): void {
  const seen = map.get(key);
  // One key, two units: the key alone cannot tell which, so it decides nothing.
  map.set(key, seen === undefined || seen === unit ? unit : null);
}

export function buildUnitLookup(records: Iterable<LookupRecord>): UnitLookup {
  const lookup: UnitLookup = { byUscc: new Map(), byInvalidUscc: new Map(), byOrgCode: new Map(), byName: new Map(), byKey: new Map() };
  for (const r of records) {
    if (r.uscc) put(r.uscc_valid ? lookup.byUscc : lookup.byInvalidUscc, r.uscc, r.unit_id);
    if (r.org_code_valid && r.org_code) put(lookup.byOrgCode, r.org_code, r.unit_id);
    if (r.name) put(lookup.byName, r.name, r.unit_id);
    if (r.name_key) {
      const list = lookup.byKey.get(r.name_key) ?? [];
      if (!list.includes(r.unit_id)) list.push(r.unit_id);
      lookup.byKey.set(r.name_key, list);
    }
  }
  return lookup;
}

export async function loadUnitLookup(db: Kysely<DB>): Promise<UnitLookup> {
  const rows = await db
    .selectFrom('registry.record as r')
    .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
    .innerJoin('registry.unit as u', 'u.id', 'm.unit_id')
    .select(['m.unit_id', 'r.uscc', 'r.uscc_valid', 'r.org_code', 'r.org_code_valid', 'r.name', 'r.name_key'])
    .where('u.retired_run', 'is', null)
    .execute();
  return buildUnitLookup(rows);
}

export interface ListRow {
  code: string | null;
  name: string | null;
  nameKey: string | null;
}

export type LinkedBy = 'uscc' | 'org_code' | 'invalid_uscc' | 'name' | 'name_key' | 'name_key_grid';

/**
 * The unit of a list row, and how it was found. `inGrid` tells whether a unit is placed in the grid the row
 * names (the supervised list has one): among units sharing a name key, the one in that grid is the unit.
 */
export function findUnit(lookup: UnitLookup, row: ListRow, inGrid?: (unit: string) => boolean): { unit: string; by: LinkedBy } | null {
  const c = cleanCode(row.code);
  if (c.length === 18) {
    if (isValidUscc(c)) {
      const hit = lookup.byUscc.get(c) ?? lookup.byOrgCode.get(orgCodeFromUscc(c));
      if (hit) return { unit: hit, by: 'uscc' };
    } else {
      const hit = lookup.byInvalidUscc.get(c) ?? lookup.byUscc.get(c);
      if (hit) return { unit: hit, by: 'invalid_uscc' };
    }
  } else if (c.length === 9 && isValidOrgCode(c)) {
    const hit = lookup.byOrgCode.get(c);
    if (hit) return { unit: hit, by: 'org_code' };
  }
  if (row.name) {
    const hit = lookup.byName.get(row.name);
    if (hit) return { unit: hit, by: 'name' };
  }
  if (row.nameKey) {
    const units = lookup.byKey.get(row.nameKey) ?? [];
    if (units.length === 1) return { unit: units[0]!, by: 'name_key' };
    if (units.length > 1 && inGrid) {
      const inside = units.filter(inGrid);
      if (inside.length === 1) return { unit: inside[0]!, by: 'name_key_grid' };
    }
  }
  return null;
}
