/** 税务登记: UTF-8 with BOM, CRLF; 纳税人识别号 of 18, 15 or 20 characters. */
import path from 'node:path';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { compactDate } from '../dates.ts';
import { CsvFeedWriter } from '../feed-file.ts';
import { spellDate } from '../mess.ts';
import { personName } from '../people.ts';
import type { Rand } from '../prng.ts';
import type { TrueUnit } from '../world.ts';
import { type FeedContext, type FeedFileInfo, RowKit, legalRepAt, shuffledUnits, statusAt } from './common.ts';

type Key = 'taxId' | 'name' | 'rep' | 'addr' | 'regType' | 'office' | 'status' | 'regDate' | 'industry' | 'cfo';

const COLUMNS: ReadonlyArray<ColumnDef<Key>> = [
  { key: 'taxId', headers: ['纳税人识别号'] },
  { key: 'name', headers: ['纳税人名称'] },
  { key: 'rep', headers: ['法定代表人', '负责人'] },
  { key: 'addr', headers: ['生产经营地址', '注册地址'] },
  { key: 'regType', headers: ['登记注册类型'] },
  { key: 'office', headers: ['主管税务机关'] },
  { key: 'status', headers: ['纳税人状态'] },
  { key: 'regDate', headers: ['登记日期'] },
  { key: 'industry', headers: ['行业'] },
  { key: 'cfo', headers: ['财务负责人'], optional: 0.6 },
];

function registrationType(unit: TrueUnit): string {
  switch (unit.kind) {
    case 'individual':
      return '个体工商户';
    case 'coop':
      return '农民专业合作社';
    case 'collective':
      return '集体企业';
    case 'social':
      return unit.category === '社会团体' ? '社会团体' : '民办非企业单位';
    case 'public':
      return unit.category === '机关' ? '机关' : '事业单位';
    default:
      if (unit.category.includes('股份')) return '私营股份有限公司';
      if (unit.category.includes('个人独资')) return '私营独资企业';
      if (unit.category.includes('合伙')) return '私营合伙企业';
      if (unit.category.includes('集体')) return '集体企业';
      if (/法人独资|其他/.test(unit.category)) return '其他有限责任公司';
      return '私营有限责任公司';
  }
}

function taxOffice(unit: TrueUnit, rng: Rand): string {
  const base = unit.place.districtCode === '321071' ? '国家税务总局扬州经济技术开发区税务局' : `国家税务总局扬州市${unit.place.districtName}税务局`;
  return rng.chance(0.3) ? `${base}第${rng.pick(['一', '二', '三'])}税务分局` : base;
}

function taxStatus(unit: TrueUnit, day: number, rng: Rand): string {
  const status = statusAt(unit, day);
  // A revoked licence leaves the taxpayer "abnormal" rather than deregistered.
  if (status === '吊销') return '非正常';
  if (status !== 'active') return '注销';
  return rng.weighted([
    ['正常', 88],
    ['非正常', 8],
    ['停业', 4],
  ] as const);
}

export async function writeTax(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.tax;
  const file = `tax-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'tax', 'tax', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'tax', file), { encoding: 'utf8-bom', eol: '\r\n' });
  const plan = planColumns(COLUMNS, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  const house = kit.rng(null, 'house').pick(['iso', 'slash'] as const);
  const units = shuffledUnits(ctx, 'tax', (u) => u.presence.tax && u.taxRegistered <= snap);
  const forcedReject = kit.rng(null, 'reject').int(0, Math.max(0, units.length - 1));

  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as TrueUnit;
    const rng = kit.rng(unit);
    if (i === forcedReject || rng.chance(0.003)) {
      const row = writer.nextRow;
      await writer.row(cellsFor(plan, { office: taxOffice(unit, rng), regDate: spellDate(unit.taxRegistered, house, rng), status: '正常' }, ''));
      await ctx.truth.record('tax', file, row, null);
    }
    const row = writer.nextRow;
    let taxId = '';
    if (!rng.chance(0.01)) {
      if (unit.taxIdStyle === 'uscc' && unit.uscc) taxId = kit.code(unit, 'uscc', unit.uscc, 'tax_id', row, rng);
      else if (unit.taxIdStyle === 'legacy15' && unit.orgCode) taxId = kit.code(unit, 'tax_id15', unit.taxDivision + unit.orgCode, 'tax_id', row, rng);
      else if (unit.idCard) taxId = kit.code(unit, 'tax_id20', `${unit.idCard}0${rng.int(1, 2)}`, 'tax_id', row, rng, { typo: 0 });
    }
    // Tax records lag behind renames too, less than statistics.
    const asSeen = unit.renamedDay !== null && rng.chance(0.2) ? Math.min(snap, unit.renamedDay - 1) : snap;
    const record: Partial<Record<Key, string>> = {
      taxId,
      name: kit.name(unit, asSeen, row, rng, { shorten: 0.02 }),
      rep: rng.chance(0.04) ? '' : legalRepAt(unit, asSeen),
      addr: kit.address(unit, rng),
      regType: registrationType(unit),
      office: taxOffice(unit, rng),
      status: taxStatus(unit, snap, rng),
      regDate: spellDate(unit.taxRegistered, house, rng, 0.3),
      industry: rng.chance(0.04) ? '' : unit.industry.name,
      cfo: rng.chance(0.4) ? '' : personName(rng),
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('tax', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'tax', kind: 'tax', file, path: `tax/${file}`, format: 'csv', encoding: 'utf8-bom', records, unitRows: true };
}
