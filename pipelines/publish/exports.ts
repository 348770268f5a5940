import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { REASONS } from '../supervise.ts';
import { openTable, type Column } from './table-writer.ts';

const PAGE = 5000;

/** One row per source row received: where it went (unit, or rejected and why). */
export async function exportCrosswalk(db: Kysely<DB>, file: string): Promise<number> {
  const columns: Column[] = [
    { key: 'source', title: '来源部门' },
    { key: 'file', title: '文件' },
    { key: 'row', title: '行号' },
    { key: 'unit_id', title: '单位编号' },
    { key: 'kind', title: '数据类别' },
    { key: 'status', title: '状态' },
    { key: 'record_id', title: '记录编号' },
    { key: 'reason', title: '原因' },
  ];
  const out = openTable(file, { columns });
  let cursor = '0';
  for (;;) {
    const page = await db
      .selectFrom('staging.record as s')
      .innerJoin('staging.file as f', 'f.id', 's.file_id')
      .leftJoin('registry.unit_member as m', 'm.record_id', 's.id')
      .leftJoin('inspection.supervised as sv', 'sv.record_id', 's.id')
      .leftJoin('inspection.complaint as c', 'c.record_id', 's.id')
      .leftJoin('inspection.arrears as a', 'a.record_id', 's.id')
      .leftJoin('inspection.credit as cr', 'cr.record_id', 's.id')
      .select(['s.id', 'f.agency', 'f.file_name', 's.row', 's.kind'])
      .select(sql<string | null>`coalesce(m.unit_id, sv.unit_id, c.unit_id, a.unit_id, cr.unit_id)`.as('unit_id'))
      .where('s.id', '>', cursor)
      .orderBy('s.id')
      .limit(PAGE)
      .execute();
    if (page.length === 0) break;
    for (const r of page) {
      await out.write({ source: r.agency, file: r.file_name, row: r.row, unit_id: r.unit_id, kind: r.kind, status: r.unit_id ? 'linked' : 'staged', record_id: r.id });
    }
    cursor = page[page.length - 1]!.id;
  }
  // Rows a later snapshot re-delivered unchanged were not staged again (pipelines/ingest/carry.ts): each
  // goes where the record holding its content went, and says which row first delivered it.
  let after = { file: 0, row: 0 };
  for (;;) {
    const page = await db
      .selectFrom('staging.carried as c')
      .innerJoin('staging.file as f', 'f.id', 'c.file_id')
      .innerJoin('staging.record as s', 's.id', 'c.record_id')
      .innerJoin('staging.file as sf', 'sf.id', 's.file_id')
      .leftJoin('registry.unit_member as m', 'm.record_id', 'c.record_id')
      .select(['c.file_id', 'c.row', 'c.record_id', 'f.agency', 'f.file_name', 'f.kind', 'm.unit_id', 'sf.file_name as first_file', 's.row as first_row'])
      .where(sql<boolean>`(c.file_id, c.row) > (${after.file}, ${after.row})`)
      .orderBy('c.file_id')
      .orderBy('c.row')
      .limit(PAGE)
      .execute();
    if (page.length === 0) break;
    for (const r of page) {
      const reason = `与 ${r.first_file} 第 ${r.first_row} 行内容相同，沿用该记录`;
      await out.write({ source: r.agency, file: r.file_name, row: r.row, unit_id: r.unit_id, kind: r.kind, status: r.unit_id ? 'linked' : 'staged', record_id: r.record_id, reason });
    }
    const last = page[page.length - 1]!;
    after = { file: last.file_id, row: last.row };
  }
  const rejects = await db
    .selectFrom('staging.reject as j')
    .innerJoin('staging.file as f', 'f.id', 'j.file_id')
    .select(['f.agency', 'f.file_name', 'f.kind', 'j.row', 'j.reason'])
    .orderBy('j.id')
    .execute();
  for (const r of rejects) await out.write({ source: r.agency, file: r.file_name, row: r.row, unit_id: null, kind: r.kind, status: 'rejected', record_id: null, reason: r.reason });
  return out.close();
}

export async function exportRejects(db: Kysely<DB>, file: string): Promise<number> {
  const columns: Column[] = [
    { key: 'source', title: '来源部门' },
    { key: 'file', title: '文件' },
    { key: 'row', title: '行号' },
    { key: 'reason', title: '原因', width: 40 },
    { key: 'raw_text', title: '原始内容', width: 80 },
    { key: 'run_id', title: '批次' },
  ];
  const out = openTable(file, { columns });
  const rows = await db
    .selectFrom('staging.reject as j')
    .innerJoin('staging.file as f', 'f.id', 'j.file_id')
    .select(['f.agency', 'f.file_name', 'j.row', 'j.reason', 'j.raw_text', 'f.run_id'])
    .orderBy('j.id')
    .execute();
  for (const r of rows) await out.write({ source: r.agency, file: r.file_name, row: r.row, reason: r.reason, raw_text: r.raw_text, run_id: r.run_id });
  return out.close();
}

export interface GridHeading {
  code: string;
  name: string;
  level: number;
  inspector: string | null;
  assistant: string | null;
  phone: string | null;
  /** For a level-2 grid, its level-1 grid (whose inspector is responsible for it). */
  parent: { code: string; name: string; inspector: string | null; phone: string | null } | null;
}

export async function gridHeading(db: Kysely<DB>, code: string): Promise<GridHeading> {
  const grid = await db.selectFrom('grid.grid').select(['code', 'name', 'level', 'inspector', 'assistant', 'phone', 'parent_code']).where('code', '=', code).where('active', '=', true).executeTakeFirst();
  if (!grid) throw new Error(`No grid with code ${code}. Run "gridlink grid status" to list the grid codes.`);
  const parent = grid.parent_code
    ? ((await db.selectFrom('grid.grid').select(['code', 'name', 'inspector', 'phone']).where('code', '=', grid.parent_code).where('active', '=', true).executeTakeFirst()) ?? null)
    : null;
  return { code: grid.code, name: grid.name, level: grid.level, inspector: grid.inspector, assistant: grid.assistant, phone: grid.phone, parent };
}

/** The lines above a grid's book: which grid, who is responsible, how to reach them, as of when. */
export function headingLines(title: string, g: GridHeading, asOf: string | null): string[] {
  const grid = `网格：${g.name}（编码 ${g.code}，${g.level === 1 ? '一级网格' : `二级网格，属${g.parent ? `${g.parent.name}（${g.parent.code}）` : '（上级网格未知）'}`}）`;
  const inspector = g.level === 1 ? g.inspector : (g.parent?.inspector ?? g.inspector);
  const people = [`专职监察员：${inspector ?? '（未配备）'}`, ...(g.level === 2 ? [`协理员：${g.assistant ?? '（未配备）'}`] : []), `联系电话：${g.phone ?? g.parent?.phone ?? '（无）'}`];
  return [`${title}（一格一册）`, grid, people.join('    '), ...(asOf ? [`数据截至：${asOf}`] : [])];
}

// The contract columns first (unit_id,uscc,org_code,name,address,grid_l1,grid_l2,status), then the rest.
const REGISTER_COLUMNS: Column[] = [
  { key: 'unit_id', title: '单位编号' },
  { key: 'uscc', title: '统一社会信用代码', width: 22 },
  { key: 'org_code', title: '组织机构代码', width: 12 },
  { key: 'name', title: '单位名称', width: 36 },
  { key: 'address', title: '地址', width: 44 },
  { key: 'grid_l1', title: '一级网格编码' },
  { key: 'grid_l2', title: '二级网格编码' },
  { key: 'status', title: '状态' },
  { key: 'grid_l1_name', title: '一级网格' },
  { key: 'grid_l2_name', title: '二级网格' },
  { key: 'community_code', title: '社区（村）区划代码', width: 14 },
  { key: 'community', title: '社区（村）', width: 20 },
  { key: 'established', title: '成立日期' },
  { key: 'placement', title: '定位依据' },
  { key: 'open_reasons', title: '重点监管原因', width: 40 },
];

const STATUS_ZH: Record<string, string> = { active: '在营', closed: '注销/吊销/撤销', moved_out: '迁出', unreported: '各部门均不再报送' };
const REASON_ZH: Record<string, string> = { new: '新开业未纳入监管', unsupervised: '未纳入监管', arrears: '欠薪欠费2个月以上', complaints: '一年内举报投诉2次以上或集体上访', credit: 'C级或失信单位' };
const METHOD_ZH: Record<string, string> = {
  steward: '人工指定',
  division_code: '区划代码',
  address_community: '地址中的社区（村）名',
  road_gazetteer: '路名门牌',
  steward_rule: '网格规则',
  division_code_street: '区划代码（仅到街道）',
  address_street: '地址（仅到街道）',
  outside_grid: '不在网格范围',
  unplaced: '未定位',
};

/** Units in a grid: placed in it at either level. */
function inGrid(grid: string | null) {
  return (q: ReturnType<typeof baseUnits>) => (grid === null ? q : q.where((eb) => eb.or([eb('p.grid_l1', '=', grid), eb('p.grid_l2', '=', grid)])));
}

function baseUnits(db: Kysely<DB>) {
  return db
    .selectFrom('registry.unit as u')
    .leftJoin('grid.placement as p', 'p.unit_id', 'u.id')
    .leftJoin('grid.grid as g1', 'g1.code', 'p.grid_l1')
    .leftJoin('grid.grid as g2', 'g2.code', 'p.grid_l2')
    .leftJoin('grid.division as d', (j) => j.onRef('d.code', '=', 'p.division_code').on('d.level', '=', 'community'))
    .where('u.retired_run', 'is', null);
}

/** The register of units: the whole city, or one grid's book (一格一册) with its heading and Chinese columns. */
export async function exportRegister(db: Kysely<DB>, file: string, grid: string | null = null): Promise<number> {
  const heading = grid ? headingLines('用人单位名册', await gridHeading(db, grid), await lastAsOf(db)) : undefined;
  const out = openTable(file, { columns: REGISTER_COLUMNS, titles: grid !== null, heading, sheetName: '名册' });
  // Sorted as an inspector walks the grid: level-1 grid, level-2 grid, community (村/社区), name.
  const rows = await inGrid(grid)(baseUnits(db))
    .select(['u.id', 'u.uscc', 'u.org_code', 'u.name', 'u.address', 'u.status', 'u.established', 'p.grid_l1', 'p.grid_l2', 'p.method', 'g1.name as grid_l1_name', 'g2.name as grid_l2_name', 'd.code as community_code', 'd.name as community'])
    .select(sql<string | null>`(select string_agg(r.reason, ';' order by r.reason) from inspection.report r where r.unit_id = u.id and r.closed_run is null)`.as('open_reasons'))
    .orderBy(sql`p.grid_l1 nulls last`)
    .orderBy(sql`p.grid_l2 nulls last`)
    .orderBy(sql`d.code nulls last`)
    .orderBy('u.name')
    .orderBy('u.id')
    .execute();
  for (const u of rows) {
    const reasons = REASONS.filter((x) => (u.open_reasons ?? '').split(';').includes(x)).join(';');
    await out.write({
      ...u,
      unit_id: u.id,
      status: grid ? (STATUS_ZH[u.status] ?? u.status) : u.status,
      placement: grid ? (METHOD_ZH[u.method ?? ''] ?? u.method) : u.method,
      open_reasons: grid ? reasonsZh(reasons) : reasons,
    });
  }
  return out.close();
}

const REPORT_COLUMNS: Column[] = [
  { key: 'unit_id', title: '单位编号' },
  { key: 'uscc', title: '统一社会信用代码', width: 22 },
  { key: 'name', title: '单位名称', width: 36 },
  { key: 'grid_l1', title: '一级网格编码' },
  { key: 'grid_l2', title: '二级网格编码' },
  { key: 'reasons', title: '重点监管原因', width: 40 },
  { key: 'address', title: '地址', width: 44 },
  { key: 'community', title: '社区（村）', width: 20 },
  { key: 'opened', title: '首次报告日期' },
];

/** Units reported to inspectors: one row per unit with all its open reasons. */
export async function exportReports(db: Kysely<DB>, file: string, grid: string | null = null): Promise<number> {
  const heading = grid ? headingLines('重点监管及新增未纳管单位报告', await gridHeading(db, grid), await lastAsOf(db)) : undefined;
  const out = openTable(file, { columns: REPORT_COLUMNS, titles: grid !== null, heading, sheetName: '报告' });
  const rows = await db
    .selectFrom('inspection.report as r')
    .innerJoin('registry.unit as u', 'u.id', 'r.unit_id')
    .leftJoin('grid.placement as p', 'p.unit_id', 'r.unit_id')
    .leftJoin('grid.division as d', (j) => j.onRef('d.code', '=', 'p.division_code').on('d.level', '=', 'community'))
    .select(['r.unit_id', 'u.uscc', 'u.name', 'u.address', 'p.grid_l1', 'p.grid_l2', 'd.name as community', 'd.code as community_code'])
    .select(sql<string>`string_agg(r.reason, ';')`.as('reasons'))
    .select(sql<string>`min(r.as_of)::text`.as('opened'))
    .where('r.closed_run', 'is', null)
    .$if(grid !== null, (q) => q.where((eb) => eb.or([eb('p.grid_l1', '=', grid), eb('p.grid_l2', '=', grid)])))
    .groupBy(['r.unit_id', 'u.uscc', 'u.name', 'u.address', 'p.grid_l1', 'p.grid_l2', 'd.name', 'd.code'])
    .orderBy(sql`p.grid_l1 nulls last`)
    .orderBy(sql`p.grid_l2 nulls last`)
    .orderBy(sql`d.code nulls last`)
    .orderBy('u.name')
    .orderBy('r.unit_id')
    .execute();
  for (const r of rows) {
    const ordered = REASONS.filter((x) => r.reasons.split(';').includes(x)).join(';');
    await out.write({ ...r, reasons: grid ? reasonsZh(ordered) : ordered });
  }
  return out.close();
}

const NOTICE_COLUMNS: Column[] = [
  { key: 'grid_code', title: '通知网格编码' },
  { key: 'kind', title: '变动' },
  { key: 'unit_id', title: '单位编号' },
  { key: 'uscc', title: '统一社会信用代码', width: 22 },
  { key: 'name', title: '单位名称', width: 36 },
  { key: 'address', title: '地址', width: 44 },
  { key: 'to_grid', title: '现所在网格编码' },
  { key: 'to_grid_name', title: '现所在网格', width: 20 },
  { key: 'opened', title: '通知日期' },
];
const NOTICE_ZH: Record<string, string> = { closed: '已注销/吊销/撤销', moved: '已迁至其他网格' };

/** Notices to supervising grids: units on their list that closed, or that are now placed in another grid. */
export async function exportNotices(db: Kysely<DB>, file: string, grid: string | null = null): Promise<number> {
  const heading = grid ? headingLines('已监管单位变动通知', await gridHeading(db, grid), await lastAsOf(db)) : undefined;
  const out = openTable(file, { columns: NOTICE_COLUMNS, titles: grid !== null, heading, sheetName: '变动通知' });
  const rows = await db
    .selectFrom('inspection.notice as n')
    .innerJoin('registry.unit as u', 'u.id', 'n.unit_id')
    .leftJoin('grid.grid as g', 'g.code', 'n.to_grid')
    .leftJoin('grid.grid as owner', 'owner.code', 'n.grid_code')
    .select(['n.grid_code', 'n.kind', 'n.unit_id', 'u.uscc', 'u.name', 'u.address', 'n.to_grid', 'g.name as to_grid_name', sql<string>`n.as_of::text`.as('opened')])
    .where('n.closed_run', 'is', null)
    // A level-1 book also carries the notices of its level-2 grids.
    .$if(grid !== null, (q) => q.where((eb) => eb.or([eb('n.grid_code', '=', grid), eb('owner.parent_code', '=', grid)])))
    .orderBy('n.grid_code')
    .orderBy('n.kind')
    .orderBy('n.unit_id')
    .execute();
  for (const r of rows) await out.write({ ...r, kind: grid ? (NOTICE_ZH[r.kind] ?? r.kind) : r.kind });
  return out.close();
}

function reasonsZh(reasons: string | null): string {
  return (reasons ?? '')
    .split(';')
    .filter(Boolean)
    .map((r) => REASON_ZH[r] ?? r)
    .join('；');
}

async function lastAsOf(db: Kysely<DB>): Promise<string | null> {
  const run = await db.selectFrom('runs.run').select(sql<string>`as_of::text`.as('as_of')).where('status', 'in', ['succeeded', 'partial']).orderBy('id', 'desc').executeTakeFirst();
  return run?.as_of ?? null;
}
