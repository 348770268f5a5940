/** 民政: the social-organisation register (UTF-8, LF) and the division list (UTF-8, CRLF). */
import path from 'node:path';
import { YANGZHOU_CITY } from '../../default-grid.ts';
import { type ColumnDef, cellsFor, planColumns } from '../columns.ts';
import { compactDate, ymd } from '../dates.ts';
import { isVirtualCommunity } from '../division-names.ts';
import { CsvFeedWriter } from '../feed-file.ts';
import { spellDate } from '../mess.ts';
import type { Rand } from '../prng.ts';
import type { TrueUnit } from '../world.ts';
import { type FeedContext, type FeedFileInfo, RowKit, legalRepAt, shuffledUnits, statusAt } from './common.ts';

type Key = 'uscc' | 'name' | 'type' | 'rep' | 'addr' | 'supervisor' | 'authority' | 'est' | 'status' | 'funds' | 'phone';

const COLUMNS: ReadonlyArray<ColumnDef<Key>> = [
  { key: 'uscc', headers: ['统一社会信用代码'] },
  { key: 'name', headers: ['社会组织名称', '名称'] },
  { key: 'type', headers: ['社会组织类型'] },
  { key: 'rep', headers: ['法定代表人'] },
  { key: 'addr', headers: ['住所'] },
  { key: 'supervisor', headers: ['业务主管单位'] },
  { key: 'authority', headers: ['登记管理机关'] },
  { key: 'est', headers: ['成立登记日期'] },
  { key: 'status', headers: ['登记状态'] },
  { key: 'funds', headers: ['活动资金（万元）'], optional: 0.8 },
  { key: 'phone', headers: ['联系电话'], optional: 0.3 },
];

function civilAuthority(unit: TrueUnit, rng: Rand): string {
  if (rng.chance(0.55)) return '扬州市民政局';
  return unit.place.districtCode === '321071' ? '扬州经济技术开发区社会事业局' : `扬州市${unit.place.districtName}民政局`;
}

export async function writeSocialOrgs(ctx: FeedContext): Promise<FeedFileInfo> {
  const snap = ctx.snapshots.civil;
  const file = `social-orgs-${compactDate(snap)}.csv`;
  const kit = new RowKit(ctx, 'civil-affairs', 'social-orgs', file);
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'civil-affairs', file), { encoding: 'utf8', eol: '\n' });
  const plan = planColumns(COLUMNS, kit.rng(null, 'plan'));
  await writer.header(plan.map((c) => c.header));
  const house = kit.rng(null, 'house').pick(['chinese', 'iso'] as const);
  const units = shuffledUnits(ctx, 'social-orgs', (u) => u.presence.civil && u.established <= snap);

  for (const unit of units) {
    const rng = kit.rng(unit);
    const row = writer.nextRow;
    const status = statusAt(unit, snap);
    const record: Partial<Record<Key, string>> = {
      uscc: unit.uscc && !rng.chance(0.01) ? kit.code(unit, 'uscc', unit.uscc, 'uscc', row, rng) : '',
      name: kit.name(unit, snap, row, rng),
      type: unit.category,
      rep: legalRepAt(unit, snap),
      addr: kit.address(unit, rng),
      supervisor: unit.supervisor ?? '',
      authority: civilAuthority(unit, rng),
      est: spellDate(unit.established, house, rng, 0.4),
      status: status === 'active' ? '正常' : status,
      funds: unit.capital === null ? '' : String(unit.capital),
      phone: kit.phone(unit, rng, 0.3),
    };
    await writer.row(cellsFor(plan, record, ''));
    await ctx.truth.record('civil-affairs', file, row, unit.id);
  }
  const records = await writer.close();
  return { agency: 'civil-affairs', kind: 'civil-affairs.social-orgs', file, path: `civil-affairs/${file}`, format: 'csv', encoding: 'utf8', records, unitRows: true };
}

/** 层级 as the civil-affairs bureau writes it; parks, farms and virtual communities are 其他. */
function divisionLevel(level: string, code: string, name: string): string {
  if (level === 'district') return '区县';
  if (level === 'street') {
    if (name.endsWith('街道')) return '街道';
    if (/[镇乡]$/.test(name)) return '乡镇';
    return '其他';
  }
  if (isVirtualCommunity(code, name)) return '其他';
  return /村(民委员会|委会)$/.test(name) ? '行政村' : '社区';
}

export async function writeDivisions(ctx: FeedContext): Promise<FeedFileInfo> {
  const file = `divisions-${ymd(ctx.asOf).y}.csv`;
  const writer = new CsvFeedWriter(path.join(ctx.inbox, 'civil-affairs', file), { encoding: 'utf8', eol: '\r\n' });
  await writer.header(['区划代码', '区划名称', '层级', '上级区划代码']);
  for (const d of ctx.world.divisions) {
    await writer.row([d.code, d.name, divisionLevel(d.level, d.code, d.name), d.parentCode ?? YANGZHOU_CITY.code]);
  }
  const records = await writer.close();
  return { agency: 'civil-affairs', kind: 'civil-affairs.divisions', file, path: `civil-affairs/${file}`, format: 'csv', encoding: 'utf8', records, unitRows: false };
}
