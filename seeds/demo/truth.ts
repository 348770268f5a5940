/**
 * Ground truth beside the inbox: which unit each source row is, what each
 * unit really is, and which units the reports export must list and why.
 */
import path from 'node:path';
import { toIso } from './dates.ts';
import { CsvFeedWriter } from './feed-file.ts';
import { type Agency, type BrokenCode, type TruthSink, creditVisible, nameAt, statusAt } from './feeds/common.ts';
import { canonicalAddress } from './places.ts';
import type { Pitfall, TrueUnit, World } from './world.ts';

export const REPORT_REASONS = ['new', 'unsupervised', 'arrears', 'complaints', 'credit'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/**
 * The reasons of ARCHITECTURE.md's `export reports`, from the world's facts
 * as of `asOf` (the facts the labour files of that date carry):
 * - new: established 0–89 days before as-of and not supervised;
 * - unsupervised: active and not in the supervised list;
 * - arrears: a record with 欠薪月数 ≥ 2 or 欠费月数 ≥ 2;
 * - complaints: ≥ 2 complaints of any type, or a 集体上访, dated in the 365 days before as-of;
 * - credit: grade C in the unit's most recent graded year, or 失信单位 = 是.
 * Closed units (注销/吊销/撤销) get none. The world leaves no event on the
 * edges of these windows, so inclusive/exclusive readings agree.
 */
export function reportReasons(unit: TrueUnit, asOf: number): ReportReason[] {
  if (unit.established > asOf || statusAt(unit, asOf) !== 'active') return [];
  const reasons: ReportReason[] = [];
  const supervised = unit.supervisedDay !== null && unit.supervisedDay <= asOf;
  const age = asOf - unit.established;
  if (age <= 89 && !supervised) reasons.push('new');
  if (!supervised) reasons.push('unsupervised');
  if (unit.arrears.some((a) => a.day <= asOf && (a.wageMonths >= 2 || a.feeMonths >= 2))) reasons.push('arrears');
  const recent = unit.complaints.filter((c) => asOf - c.day >= 1 && asOf - c.day <= 365);
  if (recent.length >= 2 || recent.some((c) => c.type === '集体上访')) reasons.push('complaints');
  const graded = unit.credit.filter((g) => creditVisible(g, asOf));
  const latest = graded.reduce<(typeof graded)[number] | undefined>((best, g) => (best === undefined || g.year > best.year ? g : best), undefined);
  if (latest && (latest.grade === 'C' || graded.some((g) => g.blacklisted))) reasons.push('credit');
  return reasons;
}

export interface TruthSummary {
  records: number;
  units: number;
  reports: number;
  reportedUnits: number;
  brokenCodes: number;
  pitfalls: number;
}

export class TruthWriter implements TruthSink {
  private readonly records: CsvFeedWriter;
  private readonly broken: BrokenCode[] = [];
  private readonly rowPitfalls: Pitfall[] = [];

  constructor(readonly dir: string) {
    this.records = new CsvFeedWriter(path.join(dir, 'records.csv'), { encoding: 'utf8', eol: '\n' });
  }

  async open(): Promise<void> {
    await this.records.header(['agency', 'file', 'row', 'truth_unit_id']);
  }

  async record(agency: Agency, file: string, row: number, unitId: string | null): Promise<void> {
    await this.records.row([agency, file, String(row), unitId ?? '']);
  }

  brokenCode(entry: BrokenCode): void {
    this.broken.push(entry);
  }

  rowPitfall(unitId: string, pitfall: string, detail: string): void {
    this.rowPitfalls.push({ unitId, pitfall, otherUnitId: null, detail });
  }

  async finish(world: World, asOf: number, gridOf: ReadonlyMap<string, { l1: string; l2: string }>): Promise<TruthSummary> {
    const records = await this.records.close();
    const existing = world.units.filter((u) => u.established <= asOf);
    const exists = new Set(existing.map((u) => u.id));

    const units = new CsvFeedWriter(path.join(this.dir, 'units.csv'), { encoding: 'utf8', eol: '\n' });
    await units.header([
      'truth_unit_id', 'uscc', 'name', 'community_code', 'grid_l1', 'grid_l2', 'status',
      'org_code', 'reg_no', 'kind', 'category', 'established', 'closed', 'address', 'parent_unit_id', 'former_name', 'supervised_since', 'uscc_check',
    ]);
    for (const u of existing) {
      const grid = gridOf.get(u.place.communityCode);
      const status = statusAt(u, asOf);
      await units.row([
        u.id, u.uscc ?? '', nameAt(u, asOf), u.place.communityCode, grid?.l1 ?? '', grid?.l2 ?? '', status,
        u.orgCode ?? '', u.regNo ?? '', u.kind, u.category, toIso(u.established), status === 'active' || u.closedDay === null ? '' : toIso(u.closedDay),
        canonicalAddress(u.place, u.address), u.parentId ?? '', u.formerName !== null && u.renamedDay !== null && u.renamedDay <= asOf ? u.formerName : '',
        u.supervisedDay !== null && u.supervisedDay <= asOf ? toIso(u.supervisedDay) : '', u.uscc === null ? '' : u.usccFlawed ? 'invalid' : 'valid',
      ]);
    }
    await units.close();

    const reports = new CsvFeedWriter(path.join(this.dir, 'reports.csv'), { encoding: 'utf8', eol: '\n' });
    await reports.header(['truth_unit_id', 'reason']);
    let reportedUnits = 0;
    for (const u of existing) {
      const reasons = reportReasons(u, asOf);
      if (reasons.length > 0) reportedUnits += 1;
      for (const reason of reasons) await reports.row([u.id, reason]);
    }
    const reportRows = await reports.close();

    const broken = new CsvFeedWriter(path.join(this.dir, 'broken-codes.csv'), { encoding: 'utf8', eol: '\n' });
    await broken.header(['agency', 'file', 'row', 'truth_unit_id', 'field', 'value', 'cause']);
    for (const b of this.broken) await broken.row([b.agency, b.file, String(b.row), b.unitId, b.field, b.value, b.cause]);
    const brokenCodes = await broken.close();

    const pitfalls = new CsvFeedWriter(path.join(this.dir, 'pitfalls.csv'), { encoding: 'utf8', eol: '\n' });
    await pitfalls.header(['truth_unit_id', 'pitfall', 'other_truth_unit_id', 'detail']);
    for (const p of [...world.pitfalls.filter((p) => exists.has(p.unitId)), ...this.rowPitfalls]) {
      await pitfalls.row([p.unitId, p.pitfall, p.otherUnitId ?? '', p.detail]);
    }
    const pitfallRows = await pitfalls.close();

    return { records, units: existing.length, reports: reportRows, reportedUnits, brokenCodes, pitfalls: pitfallRows };
  }
}
