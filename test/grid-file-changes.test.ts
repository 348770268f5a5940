import { describe, expect, it } from 'vitest';
import { diffGrids, type GridState } from '../pipelines/grid/grid-changes.ts';
import { parseGridRows } from '../pipelines/grid/grid-file.ts';
import { buildGridIndex, gridsOfCommunity, gridsOfStreet } from '../pipelines/grid/grid-index.ts';

const row = (code: string, level: string, parent: string, divisions: string, extra: Record<string, string> = {}) => ({
  grid_code: code,
  grid_level: level,
  parent_grid_code: parent,
  division_codes: divisions,
  grid_name: `${code}网格`,
  ...extra,
});

describe('the grid file', () => {
  it('reads one level-2 grid over several communities, whatever separates the codes', () => {
    const { grids, problems } = parseGridRows([
      row('YZ-HJ-18', '1', '', '321003350', { inspector: '高华', phone: '0514-83792945' }),
      row('YZ-HJ-18-001', '2', 'YZ-HJ-18', '321003350001; 321003350002', { assistant: '张建军' }),
      row('yz-hj-18-002', '２', 'YZ-HJ-18', '321003350003、321003350004，321003350005'),
    ]);
    expect(problems).toEqual([]);
    expect(grids.map((g) => [g.code, g.level, g.divisionCodes])).toEqual([
      ['YZ-HJ-18', 1, ['321003350']],
      ['YZ-HJ-18-001', 2, ['321003350001', '321003350002']],
      ['YZ-HJ-18-002', 2, ['321003350003', '321003350004', '321003350005']],
    ]);
    expect(grids[0]).toMatchObject({ inspector: '高华', phone: '0514-83792945', assistant: null });
  });

  it('says what is wrong instead of failing: missing parent, a community in two grids, a bad code, a repeated grid', () => {
    const { grids, problems } = parseGridRows([
      row('A', '1', '', '321003350'),
      row('A-1', '2', 'A', '321003350001'),
      row('A-2', '2', 'A', '321003350001;3210033500'),
      row('B-1', '2', 'B', '321003350002'),
      row('A', '1', '', '321003101'),
    ]);
    expect(problems.map((p) => `${p.grid}:${p.problem}`).sort()).toEqual(['A-2:bad_division_code', 'A-2:division_claimed_twice', 'A:duplicate_code', 'B-1:parent_missing']);
    // The community stays with the first grid that claims it.
    expect(grids.find((g) => g.code === 'A-2')!.divisionCodes).toEqual([]);
    expect(grids.filter((g) => g.code === 'A')).toHaveLength(1);
  });

  it('a park that takes over villages: the level-2 grid decides level 1 through its parent, and the town code alone no longer can', () => {
    const { grids } = parseGridRows([
      row('YZ-HJ-03', '1', '', '321003003'),
      row('YZ-HJ-03-001', '2', 'YZ-HJ-03', '321003003001'),
      row('YZ-HJ-Y2', '1', '', '321003003200;321003003202'),
      row('YZ-HJ-Y2-001', '2', 'YZ-HJ-Y2', '321003003200'),
    ]);
    const index = buildGridIndex(
      grids.map((g) => ({ code: g.code, name: g.name, level: g.level, parent_code: g.parentCode })),
      grids.flatMap((g) => g.divisionCodes.map((d) => ({ grid_code: g.code, division_code: d }))),
    );
    expect(gridsOfCommunity('321003003200', index)).toEqual({ l1: 'YZ-HJ-Y2', l2: 'YZ-HJ-Y2-001' });
    expect(gridsOfCommunity('321003003001', index)).toEqual({ l1: 'YZ-HJ-03', l2: 'YZ-HJ-03-001' });
    expect(gridsOfCommunity('321003003208', index)).toEqual({ l1: 'YZ-HJ-03', l2: null });
    expect(gridsOfStreet('321003003', index)).toEqual({ l1: null, candidates: ['YZ-HJ-03', 'YZ-HJ-Y2'] });
  });
});

const g = (code: string, divisions: string[], extra: Partial<GridState> = {}): GridState => ({
  code,
  name: `${code}网格`,
  level: 2,
  parentCode: 'P',
  divisionCodes: divisions,
  inspector: null,
  assistant: '甲',
  phone: null,
  ...extra,
});

describe('changes between two grid deliveries', () => {
  it('names each change: renamed, recoded, split, merged, retired, added, reparented, staff', () => {
    const before = [g('A', ['1', '2']), g('B', ['3']), g('C', ['4']), g('D', ['5']), g('E', ['6']), g('F', ['7']), g('G', ['8'])];
    const after = [
      g('A', ['1']),
      g('A2', ['2']), // A split into A and A2
      g('B', ['3'], { name: '新名网格' }), // renamed
      g('C9', ['4']), // C recoded as C9
      g('DE', ['5', '6']), // D and E merged into DE
      g('G', ['8'], { parentCode: 'Q', assistant: '乙' }), // moved under another level-1 grid, new assistant
      g('H', ['9']), // added; F retired
    ];
    const changes = diffGrids(before, after).map((c) => [c.event, c.gridCode, c.detail]);
    expect(changes).toEqual(
      expect.arrayContaining([
        ['split', 'A', expect.objectContaining({ into: ['A', 'A2'], removed: ['2'] })],
        ['renamed', 'B', { from: 'B网格', to: '新名网格' }],
        ['recoded', 'C', expect.objectContaining({ to: 'C9' })],
        ['merged', 'D', expect.objectContaining({ into: 'DE' })],
        ['merged', 'E', expect.objectContaining({ into: 'DE' })],
        ['merged', 'DE', expect.objectContaining({ from: ['D', 'E'] })],
        ['retired', 'F', expect.objectContaining({ divisions: ['7'] })],
        ['reparented', 'G', { from: 'P', to: 'Q' }],
        ['staff_changed', 'G', expect.objectContaining({ to: expect.objectContaining({ assistant: '乙' }) })],
        ['added', 'H', expect.objectContaining({ divisions: ['9'] })],
        ['added', 'A2', expect.objectContaining({ from: ['A'] })],
      ]),
    );
    expect(changes).toHaveLength(11);
    expect(changes.some(([e, code]) => e === 'added' && code === 'C9')).toBe(false);
  });

  it('the same delivery twice changes nothing', () => {
    const grids = [g('A', ['1', '2']), g('B', ['3'])];
    expect(diffGrids(grids, grids.map((x) => ({ ...x, divisionCodes: [...x.divisionCodes].reverse() })))).toEqual([]);
  });
});
