/** 市场监管 企业登记: UTF-8, LF; keeps closed units with 注销/吊销, legacy 注册号, multi-line 经营范围. */
import path from 'node:path';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { compactDate } from '../dates.ts';
import { CsvFeedWriter } from '../feed-file.ts';
import { spellDate, spellNumber, swapBrackets, toFullWidth } from '../mess.ts';
import type { Rand } from '../prng.ts';
import type { TrueUnit } from '../world.ts';
import { type FeedContext, type FeedFileInfo, RowKit, legalRepAt, marketAuthority, postcode, shuffledUnits, statusAt } from './common.ts';

type Key = 'uscc' | 'regNo' | 'name' | 'type' | 'rep' | 'addr' | 'est' | 'status' | 'authority' | 'capital' | 'scope' | 'approved' | 'zip' | 'phone' | 'term';

const COLUMNS: ReadonlyArray<ColumnDef<Key>> = [
  { key: 'uscc', headers: ['统一社会信用代码'] },
  { key: 'regNo', headers: ['注册号'] },
  { key: 'name', headers: ['企业名称', '名称'] },
  { key: 'type', headers: ['企业类型', '类型'] },
  { key: 'rep', headers: ['法定代表人', '负责人', '经营者'] },
  { key: 'addr', headers: ['住所', '经营场所'] },
  { key: 'est', headers: ['成立日期'] },
  { key: 'status', headers: ['登记状态'] },
  { key: 'authority', headers: ['登记机关'] },
  { key: 'capital', headers: ['注册资本(万元)'] },
  { key: 'scope', headers: ['经营范围'] },
  { key: 'approved', headers: ['核准日期'] },
  { key: 'zip', headers: ['邮政编码'], optional: 0.6 },
  { key: 'phone', headers: ['联系电话'], optional: 0.3 },
  { key: 'term', headers: ['营业期限至'], optional: 0.3 },
];

const APPROVAL_NOTE = '（依法须经批准的项目，经相关部门批准后方可开展经营活动）';
const GENERAL_NOTE = '（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）';

/** 经营范围 as registered: commas and, for newer units, a permit block and a general block on two lines. */
function scopeText(unit: TrueUnit, rng: Rand): string {
  const items = rng.shuffle([...unit.industry.scope]).slice(0, rng.int(1, unit.industry.scope.length));
  if (rng.chance(0.22)) {
    return `许可项目：${items[0]}${APPROVAL_NOTE}\n一般项目：${items.slice(1).join('；') || '技术服务、技术开发'}${GENERAL_NOTE}`;
  }
  return `${items.join(rng.pick(['，', ',', '、', '；']))}。${APPROVAL_NOTE}`;
}

function activeStatus(rng: Rand): string {
  return rng.weighted([
    ['存续', 60],
    ['在业', 35],
    ['迁入', 5],
  ] as const);
}

export async function writeMarket(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.market;
  const file = `market-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'market', 'market', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'market', file), { encoding: 'utf8', eol: '\n' });
  const plan = planColumns(COLUMNS, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  const units = shuffledUnits(ctx, 'market', (u) => u.presence.market && u.established <= snap);

  for (const unit of units) {
    const rng = kit.rng(unit);
    if (rng.chance(0.001)) {
      const row = writer.nextRow;
      await writer.row(cellsFor(plan, { authority: marketAuthority(unit, rng), approved: spellDate(snap, 'iso', rng), status: '存续' }, ''));
      await ctx.truth.record('market', file, row, null);
    }
    const row = writer.nextRow;
    const status = statusAt(unit, snap);
    const approved = unit.closedDay !== null && status !== 'active' ? unit.closedDay : unit.renamedDay ?? unit.established + Math.floor(rng.next() * (snap - unit.established));
    const capital = unit.capital === null || unit.kind === 'individual' || unit.kind === 'branch' ? '' : spellNumber(unit.capital, rng);
    const record: Partial<Record<Key, string>> = {
      uscc: unit.uscc ? kit.code(unit, 'uscc', unit.uscc, 'uscc', row, rng) : '',
      regNo: unit.regNo && (unit.uscc === null || rng.chance(0.4)) ? kit.code(unit, 'reg_no', unit.regNo, 'reg_no', row, rng) : '',
      name: kit.name(unit, snap, row, rng),
      type: rng.chance(0.4) ? swapBrackets(unit.category) : unit.category,
      rep: legalRepAt(unit, snap),
      addr: kit.address(unit, rng),
      est: spellDate(unit.established, 'iso', rng, 0.1),
      status: status === 'active' ? activeStatus(rng) : status,
      authority: marketAuthority(unit, rng),
      capital: capital !== '' && rng.chance(0.02) ? toFullWidth(capital) : capital,
      scope: scopeText(unit, rng),
      approved: spellDate(Math.min(approved, snap), 'iso', rng, 0.05),
      zip: rng.chance(0.3) ? '' : postcode(rng),
      phone: kit.phone(unit, rng, 0.4),
      term: rng.chance(0.7) ? '长期' : spellDate(unit.established + 365 * 30, 'iso', rng, 0),
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('market', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'market', kind: 'market', file, path: `market/${file}`, format: 'csv', encoding: 'utf8', records, unitRows: true };
}
