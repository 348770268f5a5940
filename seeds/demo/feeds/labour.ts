/**
 * 劳动保障监察 (the bureau's own files): grids, the supervised list,
 * complaints, arrears and credit grades — each in the encoding and line
 * endings of the bureau's sample files.
 */
import path from 'node:path';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { compactDate } from '../dates.ts';
import { CsvFeedWriter } from '../feed-file.ts';
import { spellDate, spellNumber } from '../mess.ts';
import { Rand } from '../prng.ts';
import type { TrueUnit } from '../world.ts';
import { type FeedContext, type FeedFileInfo, RowKit, creditVisible } from './common.ts';

/** The grid file keeps the header of the bureau's sample exactly, trailing space included. */
const GRID_HEADER = ['协理员', '专职监察员 ', '上级网格编码', '联系电话', '覆盖区划代码', '网格级别', '网格编码', '网格名称'] as const;

export async function writeGrids(ctx: FeedContext): Promise<FeedFileInfo> {
  const file = `grids-${compactDate(ctx.snapshots.labour)}.csv`;
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'labour', file), { encoding: 'utf8-bom', eol: '\n' });
  await writer.header([...GRID_HEADER]);
  const grids = Rand.of(ctx.seed, 'grids', 'order').shuffle([...ctx.world.grids]);
  for (const g of grids) {
    await writer.row([
      g.assistant ?? '',
      g.inspector ?? '',
      g.parentCode ?? '',
      g.phone ?? '',
      g.divisionCodes.join(';'),
      String(g.level),
      g.code,
      g.name,
    ]);
  }
  const records = await writer.close();
  return { agency: 'labour', kind: 'labour.grids', file, path: `labour/${file}`, format: 'csv', encoding: 'utf8-bom', records, unitRows: false };
}

type SupKey = 'name' | 'inspector' | 'code' | 'since' | 'grid';
const SUPERVISED: ReadonlyArray<ColumnDef<SupKey>> = [
  { key: 'name', headers: ['单位名称'] },
  { key: 'inspector', headers: ['监察员'] },
  { key: 'code', headers: ['统一社会信用代码', '组织机构代码'] },
  { key: 'since', headers: ['纳入监管日期'] },
  { key: 'grid', headers: ['网格编码'] },
];

export async function writeSupervised(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.labour;
  const file = `supervised-units-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'labour', 'supervised', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'labour', file), { encoding: 'utf8', eol: '\n' });
  const plan = planColumns(SUPERVISED, kit.rng(null, 'plan'), { aliasShare: 0.15 });
  await writer.header(plan.map((c) => c.header));
  const units = ctx.world.units.filter((u) => u.supervisedDay !== null && u.supervisedDay <= snap);
  Rand.of(ctx.seed, 'supervised', 'order').shuffle(units);

  for (const unit of units) {
    const rng = kit.rng(unit);
    const row = writer.nextRow;
    const grid = ctx.gridOf.get(unit.place.communityCode);
    const l1 = grid ? ctx.gridByCode.get(grid.l1) : undefined;
    // The bureau keeps whichever code it had: the unified code, an organisation code, or nothing.
    let code = '';
    const r = rng.next();
    if (unit.uscc && r < 0.82) code = kit.code(unit, 'uscc', unit.uscc, 'uscc', row, rng);
    else if (unit.orgCode && r < 0.93) code = kit.code(unit, 'org_code', unit.orgCode, 'org_code', row, rng, { hyphenate: 0.4 });
    const asSeen = unit.renamedDay !== null && rng.chance(0.5) ? Math.min(unit.supervisedDay as number, snap) : snap;
    const record: Partial<Record<SupKey, string>> = {
      name: kit.name(unit, asSeen, row, rng, { shorten: 0.1 }),
      inspector: l1?.inspector && !rng.chance(0.04) ? (l1.inspector.split('、')[0] as string) : '',
      code,
      since: spellDate(unit.supervisedDay as number, 'iso', rng, 0.5),
      grid: !grid ? '' : rng.chance(0.88) ? grid.l2 : rng.chance(0.4) ? grid.l1 : '',
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('labour', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'labour', kind: 'labour.supervised', file, path: `labour/${file}`, format: 'csv', encoding: 'utf8', records, unitRows: true };
}

/** Every (unit, event) pair of one kind of labour record, in a file-specific order. */
function events<T>(ctx: FeedContext, key: string, pick: (u: TrueUnit) => readonly T[], keep: (e: T) => boolean): Array<{ unit: TrueUnit; event: T; k: number }> {
  const out: Array<{ unit: TrueUnit; event: T; k: number }> = [];
  for (const unit of ctx.world.units) {
    pick(unit).forEach((event, k) => {
      if (keep(event)) out.push({ unit, event, k });
    });
  }
  return Rand.of(ctx.seed, key, 'order').shuffle(out);
}

function usccCell(kit: RowKit, unit: TrueUnit, row: number, rng: Rand, empty: number): string {
  return unit.uscc && !rng.chance(empty) ? kit.code(unit, 'uscc', unit.uscc, 'uscc', row, rng) : '';
}

type ComplaintKey = 'date' | 'text' | 'name' | 'result' | 'code' | 'type';
const COMPLAINTS: ReadonlyArray<ColumnDef<ComplaintKey>> = [
  { key: 'date', headers: ['受理日期'] },
  { key: 'text', headers: ['诉求内容'] },
  { key: 'name', headers: ['单位名称'] },
  { key: 'result', headers: ['处理结果'] },
  { key: 'code', headers: ['统一社会信用代码'] },
  { key: 'type', headers: ['类型'] },
];

export async function writeComplaints(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.labour;
  const file = `举报投诉登记-${compactDate(snap)}.txt`;
  const kit = new RowKit(ctx, 'labour', 'complaints', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'labour', file), { encoding: 'utf8', eol: '\r\n', leadingBlankLine: true });
  const plan = planColumns(COMPLAINTS, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  for (const { unit, event, k } of events(ctx, 'complaints', (u) => u.complaints, (c) => c.day <= snap)) {
    const rng = kit.rng(unit, k);
    const row = writer.nextRow;
    const record: Partial<Record<ComplaintKey, string>> = {
      date: spellDate(event.day, 'slash', rng, 0.15),
      text: event.text,
      name: kit.name(unit, event.day, row, rng, { shorten: 0.15, typo: 0.01 }),
      result: event.result,
      code: usccCell(kit, unit, row, rng, 0.25),
      type: event.type,
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('labour', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'labour', kind: 'labour.complaints', file, path: `labour/${file}`, format: 'csv', encoding: 'utf8', records, unitRows: true };
}

type ArrearsKey = 'wage' | 'date' | 'name' | 'amount' | 'fee' | 'workers' | 'code';
const ARREARS: ReadonlyArray<ColumnDef<ArrearsKey>> = [
  { key: 'wage', headers: ['欠薪月数'] },
  { key: 'date', headers: ['登记日期'] },
  { key: 'name', headers: ['单位名称'] },
  { key: 'amount', headers: ['欠薪金额(元)'], optional: 0.8 },
  { key: 'fee', headers: ['欠费月数'] },
  { key: 'workers', headers: ['涉及人数'], optional: 0.7 },
  { key: 'code', headers: ['统一社会信用代码'] },
];

export async function writeArrears(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.labour;
  const file = `arrears-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'labour', 'arrears', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'labour', file), { encoding: 'gb18030', eol: '\r\n' });
  const plan = planColumns(ARREARS, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  for (const { unit, event, k } of events(ctx, 'arrears', (u) => u.arrears, (a) => a.day <= snap)) {
    const rng = kit.rng(unit, k);
    const row = writer.nextRow;
    const record: Partial<Record<ArrearsKey, string>> = {
      wage: String(event.wageMonths),
      date: spellDate(event.day, 'compact', rng, 0.5),
      name: kit.name(unit, event.day, row, rng, { shorten: 0.1 }),
      amount: event.amount === 0 ? '' : spellNumber(event.amount, rng),
      fee: String(event.feeMonths),
      workers: String(event.workers),
      code: usccCell(kit, unit, row, rng, 0.15),
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('labour', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'labour', kind: 'labour.arrears', file, path: `labour/${file}`, format: 'csv', encoding: 'gb18030', records, unitRows: true };
}

type CreditKey = 'grade' | 'name' | 'code' | 'year' | 'authority' | 'blacklisted';
const CREDIT: ReadonlyArray<ColumnDef<CreditKey>> = [
  { key: 'grade', headers: ['等级'] },
  { key: 'name', headers: ['单位名称'] },
  { key: 'code', headers: ['统一社会信用代码'] },
  { key: 'year', headers: ['年度'] },
  { key: 'authority', headers: ['评定机关'], optional: 0.9 },
  { key: 'blacklisted', headers: ['失信单位'] },
];

function gradingAuthority(unit: TrueUnit): string {
  return unit.place.districtCode === '321071' ? '扬州经济技术开发区社会事业局' : `扬州市${unit.place.districtName}人力资源和社会保障局`;
}

export async function writeCredit(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.labour;
  const file = `credit-grades-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'labour', 'credit', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'labour', file), { encoding: 'utf8', eol: '\r\n' });
  const plan = planColumns(CREDIT, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  for (const { unit, event, k } of events(ctx, 'credit', (u) => u.credit, (c) => creditVisible(c, snap))) {
    const rng = kit.rng(unit, k);
    const row = writer.nextRow;
    const gradedOn = Date.UTC(event.year + 1, 2, 31) / 86_400_000;
    const record: Partial<Record<CreditKey, string>> = {
      grade: rng.chance(0.03) ? event.grade.toLowerCase() : event.grade,
      name: kit.name(unit, Math.min(gradedOn, snap), row, rng),
      code: usccCell(kit, unit, row, rng, 0.08),
      year: rng.chance(0.1) ? `${event.year}年` : String(event.year),
      authority: gradingAuthority(unit),
      blacklisted: event.blacklisted ? '是' : '否',
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('labour', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'labour', kind: 'labour.credit', file, path: `labour/${file}`, format: 'csv', encoding: 'utf8', records, unitRows: true };
}

