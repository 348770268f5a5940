/** 统计部门 基本单位名录: GB18030, CRLF, the register that also reaches social and public units. */
import path from 'node:path';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { compactDate } from '../dates.ts';
import { CsvFeedWriter } from '../feed-file.ts';
import { spellDate, spellNumber } from '../mess.ts';
import type { TrueUnit } from '../world.ts';
import { type FeedContext, type FeedFileInfo, RowKit, legalRepAt, postcode, shuffledUnits } from './common.ts';

type Key = 'uscc' | 'org' | 'name' | 'div' | 'addr' | 'industry' | 'type' | 'staff' | 'opened' | 'phone' | 'note' | 'zip' | 'head' | 'income';

const COLUMNS: ReadonlyArray<ColumnDef<Key>> = [
  { key: 'uscc', headers: ['统一社会信用代码'] },
  { key: 'org', headers: ['组织机构代码'] },
  { key: 'name', headers: ['单位详细名称', '单位名称'] },
  { key: 'div', headers: ['区划代码'] },
  { key: 'addr', headers: ['详细地址', '单位地址'] },
  { key: 'industry', headers: ['行业代码'] },
  { key: 'type', headers: ['机构类型'] },
  { key: 'staff', headers: ['从业人员期末人数', '从业人员'] },
  { key: 'opened', headers: ['开业时间', '成立时间'] },
  { key: 'phone', headers: ['联系电话'] },
  { key: 'note', headers: ['备注'], optional: 0.7 },
  { key: 'zip', headers: ['邮政编码'], optional: 0.3 },
  { key: 'head', headers: ['单位负责人'], optional: 0.4 },
  { key: 'income', headers: ['营业收入(千元)'], optional: 0.25 },
];

function institutionType(unit: TrueUnit): string {
  switch (unit.kind) {
    case 'company':
    case 'branch':
      return '企业';
    case 'public':
      return unit.category === '群团' ? '其他组织' : unit.category;
    case 'social':
      return unit.category === '基金会' ? '其他组织' : unit.category;
    default:
      return '其他组织';
  }
}

export async function writeStatistics(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.statistics;
  const file = `基本单位名录-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'statistics', 'statistics', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'statistics', file), { encoding: 'gb18030', eol: '\r\n' });
  const plan = planColumns(COLUMNS, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  const house = kit.rng(null, 'house').pick(['chinese', 'iso', 'compact'] as const);
  const units = shuffledUnits(ctx, 'statistics', (u) => u.presence.statistics && u.established <= snap && (u.closedDay === null || u.closedDay > snap));
  const forcedReject = kit.rng(null, 'reject').int(0, Math.max(0, units.length - 1));

  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as TrueUnit;
    const rng = kit.rng(unit);
    if (i === forcedReject || rng.chance(0.002)) {
      // The 小计 lines and half-empty lines of a desk export: nothing to identify a unit by.
      const row = writer.nextRow;
      const record: Partial<Record<Key, string>> = rng.chance(0.5)
        ? { staff: String(rng.int(20, 900)), note: '小计' }
        : { industry: unit.industry.code, opened: spellDate(unit.established, house, rng), type: '企业' };
      await writer.row(cellsFor(plan, record, ''));
      await ctx.truth.record('statistics', file, row, null);
    }
    const row = writer.nextRow;
    // The statistics register lags: a renamed unit keeps its old name there a while.
    const asSeen = unit.renamedDay !== null && rng.chance(0.3) ? Math.min(snap, unit.renamedDay - 1) : snap;
    const record: Partial<Record<Key, string>> = {
      uscc: unit.uscc && !rng.chance(0.03) ? kit.code(unit, 'uscc', unit.uscc, 'uscc', row, rng) : '',
      org:
        unit.orgCode && (unit.uscc === null || rng.chance(0.35))
          ? kit.code(unit, 'org_code', unit.orgCode, 'org_code', row, rng, { hyphenate: 0.5 })
          : '',
      name: kit.name(unit, asSeen, row, rng),
      div: rng.chance(0.85) ? unit.place.communityCode : rng.chance(0.8) ? unit.place.streetCode : '',
      addr: kit.address(unit, rng),
      industry: rng.chance(0.03) ? '' : unit.industry.code,
      type: institutionType(unit),
      staff: rng.chance(0.03) ? '' : spellNumber(unit.employees, rng),
      opened: rng.chance(0.04) ? '' : spellDate(unit.established, house, rng, 0.4),
      phone: kit.phone(unit, rng, 0.12),
      note: rng.chance(0.005) ? '地址不详' : '',
      zip: postcode(rng),
      head: unit.kind === 'public' ? '' : legalRepAt(unit, asSeen),
      income: String(unit.employees * rng.int(80, 400)),
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('statistics', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'statistics', kind: 'statistics', file, path: `statistics/${file}`, format: 'csv', encoding: 'gb18030', records, unitRows: true };
}
