import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIVISIONS_SEED, DEFAULT_GRID_DISTRICTS, defaultGrid, gridIndex, loadDefaultDivisions } from '../seeds/default-grid.ts';
import { deriveDivisions } from '../seeds/derive-divisions.ts';
import { parseCsvText } from '../seeds/demo/csv-text.ts';
import { REFERENCE, SAMPLES } from './support/paths.ts';

const reference = fs.readFileSync(path.join(REFERENCE, 'yangzhou-divisions-2023.csv'), 'utf8');
const referenceCodes = new Map(parseCsvText(reference).slice(1).map((r) => [r[1] ?? '', r]));
const divisions = loadDefaultDivisions();
const grids = defaultGrid(divisions);

describe('the division seed', () => {
  it('is exactly what derive-divisions makes of the reference file', () => {
    expect(fs.readFileSync(DIVISIONS_SEED, 'utf8')).toBe(deriveDivisions(reference));
  });

  it('holds the four districts with their streets and communities, all real codes', () => {
    const districts = divisions.filter((d) => d.level === 'district').map((d) => d.code);
    expect(districts).toEqual(['321002', '321003', '321012', '321071']);
    for (const d of divisions) {
      expect(referenceCodes.has(d.code), d.code).toBe(true);
      expect(d.code).toHaveLength(d.level === 'district' ? 6 : d.level === 'street' ? 9 : 12);
      if (d.level !== 'district') expect(d.code.startsWith(d.parentCode ?? 'x')).toBe(true);
    }
    expect(divisions.filter((d) => d.level === 'street')).toHaveLength(52);
    expect(divisions.filter((d) => d.level === 'community')).toHaveLength(726);
  });
});

describe('the default grid', () => {
  const byCode = new Map(grids.map((g) => [g.code, g]));
  const streetsOf = (district: string) => divisions.filter((d) => d.level === 'street' && d.parentCode === district);

  it('has one level-1 grid per street, town and park of 广陵, 邗江 and 开发区, and none for 江都', () => {
    for (const district of DEFAULT_GRID_DISTRICTS) {
      for (const street of streetsOf(district)) {
        const l1 = grids.filter((g) => g.level === 1 && g.divisionCodes.includes(street.code));
        expect(l1, street.name).toHaveLength(1);
      }
    }
    expect(grids.filter((g) => g.level === 1)).toHaveLength(38);
    expect(grids.some((g) => g.divisionCodes.some((c) => c.startsWith('321012')))).toBe(false);
  });

  it('has a level-2 grid under the right parent for every community, with its real 12-digit code', () => {
    const index = gridIndex(grids);
    for (const community of divisions.filter((d) => d.level === 'community' && !d.code.startsWith('321012'))) {
      const placed = index.get(community.code);
      expect(placed, community.name).toBeDefined();
      const l1 = byCode.get(placed?.l1 ?? '');
      expect(l1?.divisionCodes).toEqual([community.parentCode]);
    }
    for (const g of grids.filter((x) => x.level === 2)) {
      expect(g.divisionCodes).toHaveLength(1);
      expect(g.divisionCodes[0]).toMatch(/^\d{12}$/);
      expect(referenceCodes.get(g.divisionCodes[0] ?? '')?.[0]).toBe('village');
      expect(g.code.startsWith(`${g.parentCode}-`)).toBe(true);
      expect(g.assistant).toBeTruthy();
      expect(g.inspector).toBeNull();
    }
  });

  it('numbers grids by sorted division codes, like the labour bureau’s own grid file', () => {
    const sample = parseCsvText(fs.readFileSync(path.join(SAMPLES, 'labour/grids-20261127.csv'), 'utf8'));
    const header = (sample[0] ?? []).map((h) => h.trim());
    const [iCode, iName, iLevel, iCovers] = ['网格编码', '网格名称', '网格级别', '覆盖区划代码'].map((h) => header.indexOf(h)) as [number, number, number, number];
    const level1 = sample.slice(1).filter((r) => r[iLevel] === '1' && /^YZ-(GL|HJ|KF)-\d\d$/.test(r[iCode] ?? ''));
    expect(level1.length).toBe(38);
    for (const r of level1) {
      const ours = byCode.get(r[iCode] ?? '');
      expect(ours?.divisionCodes).toEqual([r[iCovers]]);
      expect(ours?.name).toBe(r[iName]);
    }
    expect(byCode.get('YZ-GL-04')?.name).toBe('曲江街道网格');
    expect(byCode.get('YZ-GL-04-001')).toMatchObject({ name: '五里庙社区网格', divisionCodes: ['321002004001'], parentCode: 'YZ-GL-04' });
    expect(byCode.get('YZ-GL-06-001')?.name).toBe('李典社区网格');
    expect(byCode.get('YZ-KF-05-003')?.name).toBe('隆觉村网格');
  });

  it('is deterministic, staffed, and has unique codes', () => {
    expect(defaultGrid(loadDefaultDivisions())).toEqual(grids);
    expect(new Set(grids.map((g) => g.code)).size).toBe(grids.length);
    for (const g of grids.filter((x) => x.level === 1)) {
      expect(g.inspector).toBeTruthy();
      expect(g.assistant).toBeNull();
      expect(g.phone).toMatch(/^(0514-8\d{7}|1\d{10})$/);
    }
  });

  it('can also grid 江都 on request', () => {
    const withJiangdu = defaultGrid(divisions, { districts: ['321002', '321003', '321012', '321071'] });
    expect(withJiangdu.filter((g) => g.code.startsWith('YZ-JD-') && g.level === 1)).toHaveLength(streetsOf('321012').length);
    // Adding a district does not renumber the others.
    expect(withJiangdu.filter((g) => !g.code.startsWith('YZ-JD-'))).toEqual(grids);
  });
});
