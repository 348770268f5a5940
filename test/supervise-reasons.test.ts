import { describe, expect, it } from 'vitest';
import { reasonsFor, type UnitFacts } from '../pipelines/supervise.ts';

const base: UnitFacts = { id: 'U1', status: 'active', established: '2010-01-01', supervised: true, maxWageMonths: 0, maxFeeMonths: 0, complaintDates: [], collectivePetition: false, credit: [] };
const reasons = (patch: Partial<UnitFacts>, asOf = '2026-11-27') => reasonsFor({ ...base, ...patch }, asOf).map((r) => r.reason);

describe('priority rules (art. 23), relative to the as-of date', () => {
  it('a supervised, clean unit has no reason', () => {
    expect(reasons({})).toEqual([]);
  });
  it('new means established 0–89 days before the as-of date and not supervised', () => {
    expect(reasons({ established: '2026-11-27', supervised: false })).toEqual(['new', 'unsupervised']);
    expect(reasons({ established: '2026-08-30', supervised: false })).toContain('new'); // 89 days
    expect(reasons({ established: '2026-08-29', supervised: false })).not.toContain('new'); // 90 days
    expect(reasons({ established: '2026-11-28', supervised: false })).not.toContain('new'); // after as-of
    expect(reasons({ established: '2026-11-20', supervised: true })).toEqual([]);
  });
  it('arrears of two months of wages or of fees', () => {
    expect(reasons({ maxWageMonths: 2 })).toEqual(['arrears']);
    expect(reasons({ maxFeeMonths: 3 })).toEqual(['arrears']);
    expect(reasons({ maxWageMonths: 1, maxFeeMonths: 1 })).toEqual([]);
  });
  it('two complaints within 365 days, or a collective petition', () => {
    expect(reasons({ complaintDates: ['2026-01-10', '2025-12-01'] })).toEqual(['complaints']);
    expect(reasons({ complaintDates: ['2026-01-10', '2025-11-27'] })).toEqual([]); // 365 days before: outside
    expect(reasons({ complaintDates: ['2026-01-10'], collectivePetition: true })).toEqual(['complaints']);
  });
  it('grade C in the most recent year, or a dishonest unit', () => {
    expect(reasons({ credit: [{ year: 2025, grade: 'C', dishonest: false }] })).toEqual(['credit']);
    expect(reasons({ credit: [{ year: 2024, grade: 'C', dishonest: false }, { year: 2025, grade: 'A', dishonest: false }] })).toEqual([]);
    expect(reasons({ credit: [{ year: 2025, grade: 'A', dishonest: true }] })).toEqual(['credit']);
  });
  it('closed units get no reasons at all', () => {
    expect(reasons({ status: 'closed', supervised: false, maxWageMonths: 5 })).toEqual([]);
  });
});
