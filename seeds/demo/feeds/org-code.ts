/**
 * 质监 组织机构代码: an old xlsx (the register stopped growing with the 2015
 * reform), so it carries old names of renamed units and dates as real date
 * cells, bare serial numbers and text.
 */
import path from 'node:path';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { addYears, compactDate, excelSerial, formatDate, utcDate } from '../dates.ts';
import { XlsxFeedWriter, type XlsxCell } from '../feed-file.ts';
import type { Rand } from '../prng.ts';
import type { TrueUnit } from '../world.ts';
import { type FeedContext, type FeedFileInfo, RowKit, legalRepAt, shuffledUnits } from './common.ts';

type Key = 'code' | 'name' | 'type' | 'rep' | 'addr' | 'div' | 'regDate' | 'validTo' | 'staff' | 'source';

const COLUMNS: ReadonlyArray<ColumnDef<Key>> = [
  { key: 'code', headers: ['组织机构代码', '机构代码'] },
  { key: 'name', headers: ['机构名称'] },
  { key: 'type', headers: ['机构类型'] },
  { key: 'rep', headers: ['法定代表人'] },
  { key: 'addr', headers: ['机构地址', '地址'] },
  { key: 'div', headers: ['行政区划'] },
  { key: 'regDate', headers: ['注册日期', '颁证日期'] },
  { key: 'validTo', headers: ['有效期至'] },
  { key: 'staff', headers: ['职工人数'] },
  { key: 'source', headers: ['数据来源'], optional: 0.7 },
];

function institutionType(unit: TrueUnit): string {
  switch (unit.kind) {
    case 'branch':
      return '企业非法人';
    case 'social':
      return unit.category === '社会团体' ? '社团法人' : '民办非企业法人';
    case 'public':
      return unit.category === '机关' ? '机关法人' : unit.category === '群团' ? '社团法人' : '事业法人';
    default:
      return '企业法人';
  }
}

/** Excel's three ways of holding a date. */
function dateCell(day: number, rng: Rand): XlsxCell {
  const r = rng.next();
  if (r < 0.5) return utcDate(day);
  if (r < 0.65) return excelSerial(day);
  if (r < 0.97) return formatDate(day, rng.pick(['iso', 'iso', 'dot', 'slash'] as const));
  return '';
}

export async function writeOrgCode(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.orgCode;
  const file = `org-code-${compactDate(snap)}.xlsx`;
  const kit = new RowKit(ctx, 'org-code', 'org-code', file);
  const writer = new XlsxFeedWriter(path.join(ctx.inbox, 'org-code', file), '组织机构代码', {
    sheetName: '填报说明',
    lines: ['说明', '本表数据由系统导出，仅供劳动保障监察部门内部使用。'],
  });
  const plan = planColumns(COLUMNS, kit.rng(null, 'plan'));
  const issueDates = plan.some((c) => c.key === 'regDate' && c.header.includes('颁证'));
  writer.header(plan.map((c) => c.header));
  const units = shuffledUnits(
    ctx,
    'org-code',
    (u) => u.presence.orgCode && u.orgCode !== null && u.established <= snap && (u.closedDay === null || u.closedDay > snap || (u.index * 7) % 10 < 3),
  );

  for (const unit of units) {
    const rng = kit.rng(unit);
    const row = writer.nextRow;
    // Certificates run four years; the 颁证日期 is the latest renewal, not the founding date.
    let issued = unit.established;
    while (addYears(issued, 4) <= snap) issued = addYears(issued, 4);
    const shown = issueDates ? issued : unit.established;
    const style = rng.next();
    const code = kit.code(unit, 'org_code', unit.orgCode as string, 'org_code', row, rng, { hyphenate: style < 0.5 ? 1 : 0 });
    const record: Partial<Record<Key, XlsxCell>> = {
      code,
      name: kit.name(unit, snap, row, rng),
      type: institutionType(unit),
      rep: rng.chance(0.08) || unit.kind === 'public' ? '' : legalRepAt(unit, snap),
      addr: kit.address(unit, rng),
      div: unit.uscc ? unit.uscc.slice(2, 8) : unit.taxDivision,
      regDate: rng.chance(0.06) ? '' : dateCell(shown, rng),
      validTo: dateCell(addYears(issued, 4) - 1, rng),
      staff: rng.chance(0.1) ? '' : rng.chance(0.05) ? String(unit.employees) : unit.employees,
      source: rng.pick(['新办', '变更', '换证', '年检', '']),
    };
    writer.row(cellsFor<Key, XlsxCell>(plan, record, null));
    await ctx.truth.record('org-code', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'org-code', kind: 'org-code', file, path: `org-code/${file}`, format: 'xlsx', encoding: 'xlsx', records, unitRows: true };
}
