/** 人事: public bodies' staffing, an xlsx with the data on the first sheet and a notes sheet. */
import path from 'node:path';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { ymd } from '../dates.ts';
import { XlsxFeedWriter, type XlsxCell } from '../feed-file.ts';
import type { Rand } from '../prng.ts';
import { type FeedContext, type FeedFileInfo, RowKit, shuffledUnits, statusAt } from './common.ts';

type Key = 'uscc' | 'name' | 'category' | 'supervisor' | 'addr' | 'quota' | 'actual' | 'hired' | 'dispatched' | 'note';

const COLUMNS: ReadonlyArray<ColumnDef<Key>> = [
  { key: 'uscc', headers: ['统一社会信用代码'] },
  { key: 'name', headers: ['单位名称'] },
  { key: 'category', headers: ['单位类别'] },
  { key: 'supervisor', headers: ['主管部门'] },
  { key: 'addr', headers: ['单位地址'] },
  { key: 'quota', headers: ['编制数'] },
  { key: 'actual', headers: ['实有人数'] },
  { key: 'hired', headers: ['编外聘用人数'] },
  { key: 'dispatched', headers: ['劳务派遣人数'] },
  { key: 'note', headers: ['备注'], optional: 0.7 },
];

/** Numbers arrive as numbers, now and then as text, or not at all. */
function count(n: number, rng: Rand): XlsxCell {
  const r = rng.next();
  if (r < 0.02) return null;
  if (r < 0.07) return String(n);
  return n;
}

export async function writePersonnel(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.personnel;
  const file = `personnel-${ymd(snap).y}.xlsx`;
  const kit = new RowKit(ctx, 'personnel', 'personnel', file);
  const writer = new XlsxFeedWriter(path.join(ctx.inbox, 'personnel', file), '行政事业单位用工', {
    sheetName: '填报说明',
    lines: ['说明', '本表数据由系统导出，仅供劳动保障监察部门内部使用。', `统计截止：${ymd(snap).y}年${ymd(snap).m}月`],
  });
  const plan = planColumns(COLUMNS, kit.rng(null, 'plan'));
  writer.header(plan.map((c) => c.header));
  const units = shuffledUnits(ctx, 'personnel', (u) => u.presence.personnel && u.established <= snap && statusAt(u, snap) === 'active');

  for (const unit of units) {
    const rng = kit.rng(unit);
    const row = writer.nextRow;
    const dispatched = rng.chance(0.7) ? 0 : rng.int(1, 4);
    const hired = rng.chance(0.4) ? 0 : rng.int(1, 8);
    const actual = Math.max(1, unit.employees - dispatched - hired);
    const record: Partial<Record<Key, XlsxCell>> = {
      uscc: unit.uscc && !rng.chance(0.01) ? kit.code(unit, 'uscc', unit.uscc, 'uscc', row, rng) : '',
      name: kit.name(unit, snap, row, rng),
      category: unit.category,
      supervisor: unit.supervisor ?? '',
      addr: kit.address(unit, rng),
      quota: count(actual + rng.int(0, 8), rng),
      actual: count(actual, rng),
      hired: count(hired, rng),
      dispatched: count(dispatched, rng),
      note: '',
    };
    writer.row(cellsFor<Key, XlsxCell>(plan, record, null));
    await ctx.truth.record('personnel', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'personnel', kind: 'personnel', file, path: `personnel/${file}`, format: 'xlsx', encoding: 'xlsx', records, unitRows: true };
}
