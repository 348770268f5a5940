/**
 * The bundled default inspection grid, derived from the real division codes
 * in seeds/yangzhou-divisions.csv: one level-1 grid per street/town/park of
 * the urban districts, one level-2 grid per community/village under it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvText } from './demo/csv-text.ts';
import { communityShortName, gridStreetName } from './demo/division-names.ts';
import { landline, mobilePhone, personName } from './demo/people.ts';
import { Rand } from './demo/prng.ts';

export interface Division {
  code: string;
  name: string;
  level: 'district' | 'street' | 'community';
  parentCode: string | null;
}

export interface GridDef {
  code: string;
  name: string;
  level: 1 | 2;
  parentCode: string | null;
  divisionCodes: string[];
  /** 专职监察员, on level-1 grids. */
  inspector: string | null;
  /** 协理员, on level-2 grids. */
  assistant: string | null;
  phone: string | null;
}

export const DIVISIONS_SEED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'yangzhou-divisions.csv');

/** The seed's city row; districts point at it, but it is not a Division (the grid never covers a whole city). */
export const YANGZHOU_CITY = { code: '321000', name: '扬州市' } as const;

/** Grid code prefixes; the measures of 2007 grid the urban districts, so 江都 is not in the default grid. */
export const GRID_DISTRICT_PREFIX: Readonly<Record<string, string>> = {
  '321002': 'YZ-GL',
  '321003': 'YZ-HJ',
  '321071': 'YZ-KF',
  '321012': 'YZ-JD',
};
export const DEFAULT_GRID_DISTRICTS = ['321002', '321003', '321071'] as const;

export function loadDefaultDivisions(file = DIVISIONS_SEED): Division[] {
  const [header, ...rows] = parseCsvText(fs.readFileSync(file, 'utf8')).filter((r) => r.some((c) => c !== ''));
  if (!header || header.join(',') !== 'code,name,level,parent_code') {
    throw new Error(`${file}: expected header code,name,level,parent_code`);
  }
  const out: Division[] = [];
  rows.forEach((r, i) => {
    const [code = '', name = '', level = '', parent = ''] = r;
    if (level === 'city') return;
    if (level !== 'district' && level !== 'street' && level !== 'community') {
      throw new Error(`${file}: row ${i + 1}: unknown level ${level}`);
    }
    out.push({ code, name, level, parentCode: parent === '' ? null : parent });
  });
  return out;
}

function byCode(a: Division, b: Division): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/**
 * Grid numbers come from the order of the sorted division codes, so a grid
 * keeps its code as long as the division list does not change.
 */
export function defaultGrid(
  divisions: readonly Division[],
  opts: { districts?: readonly string[] } = {},
): GridDef[] {
  const districts = opts.districts ?? DEFAULT_GRID_DISTRICTS;
  const children = new Map<string, Division[]>();
  for (const d of divisions) {
    if (d.parentCode === null) continue;
    const list = children.get(d.parentCode) ?? [];
    list.push(d);
    children.set(d.parentCode, list);
  }
  const grids: GridDef[] = [];
  for (const district of [...districts].sort()) {
    const prefix = GRID_DISTRICT_PREFIX[district];
    if (!prefix) throw new Error(`no grid prefix for district ${district}`);
    const streets = (children.get(district) ?? []).filter((d) => d.level === 'street').sort(byCode);
    streets.forEach((street, si) => {
      const l1 = `${prefix}-${String(si + 1).padStart(2, '0')}`;
      const rng = Rand.of('grid-staff', l1);
      const twoInspectors = rng.chance(0.2);
      grids.push({
        code: l1,
        name: `${gridStreetName(street.name)}网格`,
        level: 1,
        parentCode: null,
        divisionCodes: [street.code],
        inspector: twoInspectors ? `${personName(rng)}、${personName(rng)}` : personName(rng),
        assistant: null,
        phone: rng.chance(0.55) ? landline(rng) : mobilePhone(rng),
      });
      const communities = (children.get(street.code) ?? []).filter((d) => d.level === 'community').sort(byCode);
      communities.forEach((community, ci) => {
        const l2 = `${l1}-${String(ci + 1).padStart(3, '0')}`;
        const r2 = Rand.of('grid-staff', l2);
        grids.push({
          code: l2,
          name: `${communityShortName(community.name)}网格`,
          level: 2,
          parentCode: l1,
          divisionCodes: [community.code],
          inspector: null,
          assistant: personName(r2),
          phone: mobilePhone(r2),
        });
      });
    });
  }
  return grids;
}

/** community code → its level-2 and level-1 grid codes. */
export function gridIndex(grids: readonly GridDef[]): Map<string, { l1: string; l2: string }> {
  const index = new Map<string, { l1: string; l2: string }>();
  for (const g of grids) {
    if (g.level !== 2 || g.parentCode === null) continue;
    for (const code of g.divisionCodes) index.set(code, { l1: g.parentCode, l2: g.code });
  }
  return index;
}
