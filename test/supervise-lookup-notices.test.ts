import { describe, expect, it } from 'vitest';
import { buildUnitLookup, findUnit } from '../pipelines/inspection/unit-lookup.ts';
import { noticesFor, type SupervisedUnit } from '../pipelines/inspection/notices.ts';

const lookup = buildUnitLookup([
  { unit_id: 'U1', uscc: '91321000140718583H', uscc_valid: true, org_code: '140718583', org_code_valid: true, name: '扬州市方佰建设有限公司', name_key: '方佰建设有限公司' },
  { unit_id: 'U2', uscc: '91321002MA1N3XYZ9Q', uscc_valid: false, org_code: null, org_code_valid: null, name: '扬州市晨通服饰有限公司', name_key: '晨通服饰有限公司' },
  { unit_id: 'U3', uscc: null, uscc_valid: null, org_code: null, org_code_valid: null, name: '扬州市邗江区疾病预防控制中心', name_key: '疾病预防控制中心' },
  { unit_id: 'U4', uscc: null, uscc_valid: null, org_code: null, org_code_valid: null, name: '扬州市广陵区疾病预防控制中心', name_key: '疾病预防控制中心' },
  { unit_id: 'U5', uscc: null, uscc_valid: null, org_code: null, org_code_valid: null, name: '昌龙物资有限公司', name_key: '昌龙物资有限公司' },
  { unit_id: 'U6', uscc: null, uscc_valid: null, org_code: null, org_code_valid: null, name: '扬州市昌龙物资有限公司', name_key: '昌龙物资有限公司' },
]);
const row = (code: string | null, name: string | null, nameKey: string | null = null) => ({ code, name, nameKey });

describe('linking the bureau\'s list rows to units', () => {
  it('by unified code, by the organisation code inside it, or by an organisation code under the unified-code header', () => {
    expect(findUnit(lookup, row('91321000140718583H', null))).toEqual({ unit: 'U1', by: 'uscc' });
    expect(findUnit(lookup, row(' 9132 1000-1407 1858 3h', null))).toEqual({ unit: 'U1', by: 'uscc' });
    expect(findUnit(lookup, row('14071858-3', null))).toEqual({ unit: 'U1', by: 'org_code' });
  });

  it('a code with a wrong check character links only to the very same code', () => {
    expect(findUnit(lookup, row('91321002MA1N3XYZ9Q', null))).toEqual({ unit: 'U2', by: 'invalid_uscc' });
    expect(findUnit(lookup, row('91321002MA1N3XYZ9R', null))).toBeNull();
  });

  it('by the full name first; a name key shared by two units decides nothing unless the row\'s grid does', () => {
    expect(findUnit(lookup, row(null, '昌龙物资有限公司', '昌龙物资有限公司'))).toEqual({ unit: 'U5', by: 'name' });
    expect(findUnit(lookup, row(null, '方佰建设有限公司', '方佰建设有限公司'))).toEqual({ unit: 'U1', by: 'name_key' });
    expect(findUnit(lookup, row(null, '疾病预防控制中心', '疾病预防控制中心'))).toBeNull();
    expect(findUnit(lookup, row(null, '疾病预防控制中心', '疾病预防控制中心'), (u) => u === 'U4')).toEqual({ unit: 'U4', by: 'name_key_grid' });
  });
});

const unit = (patch: Partial<SupervisedUnit>): SupervisedUnit => ({
  unitId: 'U1',
  status: 'active',
  listGrid: 'YZ-GL-01-003',
  listGridLevel: 2,
  previousGrid: null,
  placement: { gridL1: 'YZ-GL-01', gridL2: 'YZ-GL-01-003', method: 'division_code' },
  ...patch,
});

describe('notices to the grid that supervises a unit', () => {
  it('nothing while the unit is where the list says', () => {
    expect(noticesFor(unit({}))).toEqual([]);
    // The list names only the street grid: a community inside it is no contradiction.
    expect(noticesFor(unit({ listGrid: 'YZ-GL-01', listGridLevel: 1 }))).toEqual([]);
  });

  it('a closed unit still on the list is reported as closed to its grid', () => {
    expect(noticesFor(unit({ status: 'closed' }))).toEqual([{ unitId: 'U1', kind: 'closed', gridCode: 'YZ-GL-01-003', toGrid: null, detail: { status: 'closed' } }]);
    expect(noticesFor(unit({ status: 'closed', listGrid: null, listGridLevel: null }))).toMatchObject([{ kind: 'closed', gridCode: 'YZ-GL-01-003' }]);
  });

  it('a unit now placed in another grid is reported as moved to the grid that supervised it', () => {
    const moved = noticesFor(unit({ placement: { gridL1: 'YZ-HJ-13', gridL2: 'YZ-HJ-13-001', method: 'address_community' } }));
    expect(moved).toMatchObject([{ kind: 'moved', gridCode: 'YZ-GL-01-003', toGrid: 'YZ-HJ-13-001' }]);
    const byEvidence = noticesFor(unit({ listGrid: null, listGridLevel: null, previousGrid: 'YZ-GL-01-003', placement: { gridL1: 'YZ-GL-02', gridL2: 'YZ-GL-02-001', method: 'division_code' } }));
    expect(byEvidence).toMatchObject([{ kind: 'moved', gridCode: 'YZ-GL-01-003', toGrid: 'YZ-GL-02-001' }]);
    // A unit whose placement is unknown now has not moved anywhere we can name.
    expect(noticesFor(unit({ placement: { gridL1: null, gridL2: null, method: 'unplaced' } }))).toEqual([]);
  });
});
