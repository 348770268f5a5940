/** The labour bureau's grid file (网格) → grid definitions, with what is wrong in it. Pure. */
import type { GridDef } from '../../seeds/default-grid.ts';

type Fields = Record<string, string | undefined>;

export interface GridProblem {
  grid: string;
  problem: 'duplicate_code' | 'no_divisions' | 'parent_missing' | 'parent_not_level1' | 'division_claimed_twice' | 'bad_division_code';
  detail: string;
}

const clean = (s: string | undefined) => (s ?? '').normalize('NFKC').trim();

/**
 * One grid per row; a level-2 grid may cover several communities (`;`, `、`, `,` or spaces between codes).
 * Rows without a grid code are skipped; a code given twice keeps its first row. Problems are returned,
 * not thrown: one bad row must not stop the bureau's whole grid from loading.
 */
export function parseGridRows(rows: Fields[]): { grids: GridDef[]; problems: GridProblem[] } {
  const grids: GridDef[] = [];
  const problems: GridProblem[] = [];
  const seen = new Set<string>();
  for (const f of rows) {
    const code = clean(f.grid_code).toUpperCase();
    if (!code) continue;
    if (seen.has(code)) {
      problems.push({ grid: code, problem: 'duplicate_code', detail: `网格编码 ${code} 出现多次，只用第一行` });
      continue;
    }
    seen.add(code);
    const level = clean(f.grid_level).replace(/级$/, '') === '1' || clean(f.grid_level) === '一' ? 1 : 2;
    const tokens = clean(f.division_codes).split(/[;；,，、\s]+/).filter(Boolean);
    const divisionCodes = [...new Set(tokens.filter((c) => /^\d{9}(\d{3})?$/.test(c)))];
    for (const bad of tokens.filter((c) => !/^\d{9}(\d{3})?$/.test(c))) problems.push({ grid: code, problem: 'bad_division_code', detail: `覆盖区划代码 “${bad}” 不是 9 位或 12 位区划代码` });
    if (divisionCodes.length === 0) problems.push({ grid: code, problem: 'no_divisions', detail: '没有覆盖任何区划代码' });
    grids.push({
      code,
      name: clean(f.grid_name) || code,
      level,
      parentCode: clean(f.parent_grid_code).toUpperCase() || null,
      divisionCodes,
      inspector: clean(f.inspector) || null,
      assistant: clean(f.assistant) || null,
      phone: clean(f.phone) || null,
    });
  }
  const byCode = new Map(grids.map((g) => [g.code, g]));
  const claimed = new Map<string, string>();
  for (const g of grids) {
    if (g.level === 2) {
      const parent = g.parentCode ? byCode.get(g.parentCode) : undefined;
      if (!parent) problems.push({ grid: g.code, problem: 'parent_missing', detail: `上级网格 ${g.parentCode ?? '（空）'} 不在网格文件中` });
      else if (parent.level !== 1) problems.push({ grid: g.code, problem: 'parent_not_level1', detail: `上级网格 ${parent.code} 不是一级网格` });
    }
    for (const d of g.divisionCodes) {
      const key = `${g.level}|${d}`;
      const other = claimed.get(key);
      if (other) problems.push({ grid: g.code, problem: 'division_claimed_twice', detail: `区划 ${d} 同时属于 ${other} 和 ${g.code}，按 ${other}` });
      else claimed.set(key, g.code);
    }
  }
  // A division claimed twice stays with the first grid, so placement never depends on row order twice over.
  for (const g of grids) g.divisionCodes = g.divisionCodes.filter((d) => claimed.get(`${g.level}|${d}`) === g.code);
  return { grids, problems };
}
