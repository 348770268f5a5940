import { describe, expect, it } from 'vitest';
import { goldenRecord, type MemberRow } from '../pipelines/consolidate.ts';

let id = 100;
function member(kind: string, over: Partial<MemberRow> = {}): MemberRow {
  id += 1;
  return {
    record_id: String(id), unit_id: 'U1', kind, agency: kind.split('.')[0]!, file_name: `${kind}-20261127.csv`, row: id, snapshot_date: '2026-11-27', is_current: true,
    name: null, uscc: null, uscc_valid: null, org_code: null, org_code_valid: null, reg_no: null, reg_no_valid: null,
    address: null, division_code: null, legal_rep: null, phone: null, established: null, status: 'active', ...over,
  };
}

describe('the golden record', () => {
  it('takes each field from the agency with authority for it, with the file and row it came from', () => {
    const market = member('market', { name: '扬州鑫源电子有限公司', address: '邗江区文昌西路100号' });
    const stats = member('statistics', { name: '扬州新源电子有限公司', address: '扬州市邗江区西湖街道文昌西路100号', division_code: '321003011004', phone: '0514-87000001' });
    const g = goldenRecord([stats, market]);
    expect(g.name).toEqual({ value: '扬州鑫源电子有限公司', record_id: market.record_id, agency: 'market', file: 'market-20261127.csv', row: market.row });
    // Authority first: market's shorter address wins over statistics' more complete one.
    expect(g.address!.record_id).toBe(market.record_id);
    expect(g.division_code!.record_id).toBe(stats.record_id);
    expect(g.phone!.value).toBe('0514-87000001');
  });

  it('then recency, then completeness, and never a code whose check fails', () => {
    const old = member('market', { is_current: false, snapshot_date: '2026-11-26', legal_rep: '张伟' });
    const now = member('market', { legal_rep: '李强' });
    expect(goldenRecord([old, now]).legal_rep!.value).toBe('李强');
    const short = member('statistics', { division_code: '321003011' });
    const full = member('statistics', { division_code: '321003011004' });
    expect(goldenRecord([short, full]).division_code!.value).toBe('321003011004');
    const bad = member('market', { uscc: '91321003MA00000ZZZ', uscc_valid: false });
    const good = member('tax', { uscc: '91321003MA0000103R', uscc_valid: true });
    expect(goldenRecord([bad, good]).uscc!.record_id).toBe(good.record_id);
  });

  it('marks a unit no agency reports any more, and keeps the closed status the registry of record gives', () => {
    expect(goldenRecord([member('market', { is_current: false, status: 'active' })]).status!.value).toBe('unreported');
    expect(goldenRecord([member('tax', { status: 'active' }), member('market', { status: 'closed' })]).status!.value).toBe('closed');
  });
});
