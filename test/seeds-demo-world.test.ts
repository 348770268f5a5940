import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'fast-csv';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeKind, isValidCode, normalizeCode } from '../seeds/demo/codes.ts';
import { DEMO, type FeedFileInfo, type FeedManifest, REPORT_REASONS, generateWorld, writeFeeds } from '../seeds/demo-world.ts';
import { generateDemoInbox } from '../seeds/demo-inbox.ts';

type Cell = string | number | Date | null;

/** Reads a feed file the way a connector would: decode, then parse; the header is row 0. */
async function readFeed(inbox: string, info: FeedFileInfo): Promise<Cell[][]> {
  const file = path.join(inbox, info.path);
  if (info.format === 'xlsx') {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.worksheets[0];
    if (!sheet) throw new Error(`${file}: no sheet`);
    const rows: Cell[][] = [];
    sheet.eachRow({ includeEmpty: false }, (row) => {
      const values = row.values as Cell[];
      rows.push(Array.from({ length: sheet.columnCount }, (_, i) => values[i + 1] ?? null));
    });
    return rows;
  }
  const encoding = info.encoding === 'gb18030' ? 'gb18030' : 'utf8';
  const rows: Cell[][] = [];
  const stream = fs.createReadStream(file).pipe(iconv.decodeStream(encoding)).pipe(parse({ ignoreEmpty: true }));
  for await (const row of stream) rows.push(row as string[]);
  return rows;
}

async function readCsv(file: string): Promise<Array<Record<string, string>>> {
  const rows: Array<Record<string, string>> = [];
  for await (const row of fs.createReadStream(file).pipe(parse({ headers: true }))) rows.push(row as Record<string, string>);
  return rows;
}

const text = (c: Cell | undefined): string => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c));
const cleanHeader = (h: Cell | undefined): string => text(h).normalize('NFKC').replace(/\s|\*/g, '');
const bareName = (s: string): string => s.normalize('NFKC').replace(/\s/g, '').replace(/^(江苏省|扬州市|扬州|江苏)/, '');

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Which code a cell under this header holds, by its normalised shape. */
function codeKind(header: string, code: string): CodeKind | 'unexpected' {
  if (header === '注册号') return code.length === 15 ? 'reg_no' : 'unexpected';
  if (header === '组织机构代码' || header === '机构代码') return code.length === 9 ? 'org_code' : 'unexpected';
  if (code.length === 18) return 'uscc';
  if (code.length === 9 && header === '统一社会信用代码') return 'org_code';
  if (code.length === 15 && header === '纳税人识别号') return 'tax_id15';
  if (code.length === 20 && header === '纳税人识别号') return 'tax_id20';
  return 'unexpected';
}
const CODE_HEADERS = new Set(['统一社会信用代码', '组织机构代码', '机构代码', '注册号', '纳税人识别号']);
const NAME_HEADERS = new Set(['单位详细名称', '单位名称', '企业名称', '名称', '纳税人名称', '社会组织名称', '机构名称']);

function parseAnyDate(s: string): number {
  const t = s.trim();
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t) ??
    /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(t) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(t) ??
    /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/.exec(t) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(t);
  if (!m) throw new Error(`not a date: ${s}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

let root: string;
let manifest: FeedManifest;
let twin: FeedManifest;
let truthRecords: Array<Record<string, string>>;
let units: Map<string, Record<string, string>>;
const feeds = new Map<string, Cell[][]>();

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gridlink-seeds-'));
  manifest = await generateDemoInbox(path.join(root, 'a', 'inbox'));
  twin = await generateDemoInbox(path.join(root, 'b', 'inbox'));
  truthRecords = await readCsv(path.join(manifest.truthDir, 'records.csv'));
  units = new Map((await readCsv(path.join(manifest.truthDir, 'units.csv'))).map((u) => [u.truth_unit_id ?? '', u]));
  for (const info of manifest.files) feeds.set(info.file, await readFeed(manifest.inbox, info));
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('the demo world', () => {
  it('is the documented default and writes every agency’s files', () => {
    expect(DEMO).toEqual({ units: 1500, seed: 20261127, asOf: '2026-11-27' });
    expect(manifest.truthDir).toBe(path.join(root, 'a', 'inbox-truth'));
    expect(manifest.files.map((f) => f.path)).toEqual([
      'statistics/基本单位名录-20260930.csv',
      'market/market-20261127.csv',
      'tax/tax-20261120.csv',
      'civil-affairs/social-orgs-20261115.csv',
      'civil-affairs/divisions-2026.csv',
      'personnel/personnel-2026.xlsx',
      'org-code/org-code-20180630.xlsx',
      'labour/grids-20261127.csv',
      'labour/supervised-units-20261127.csv',
      'labour/举报投诉登记-20261127.txt',
      'labour/arrears-20261127.csv',
      'labour/credit-grades-20261127.csv',
    ]);
    for (const f of manifest.files) expect(f.records, f.file).toBeGreaterThan(10);
  });

  it('is byte-identical when generated twice', () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    const files = listFiles(a);
    expect(files).toEqual(listFiles(b));
    expect(files.length).toBe(manifest.files.length + 6);
    for (const f of files) expect(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), f).toBe(true);
    expect(twin.truth).toEqual(manifest.truth);
  });

  it('changes with the seed', () => {
    const a = generateWorld({ units: 50, seed: 1, asOf: DEMO.asOf });
    const b = generateWorld({ units: 50, seed: 2, asOf: DEMO.asOf });
    expect(a.units.map((u) => u.name)).not.toEqual(b.units.map((u) => u.name));
    // A larger world starts with the same units: each unit has its own random stream.
    const c = generateWorld({ units: 80, seed: 1, asOf: DEMO.asOf });
    expect(c.units.slice(0, 50).map((u) => [u.id, u.name, u.uscc])).toEqual(a.units.map((u) => [u.id, u.name, u.uscc]));
  });

  it('writes the encodings and line endings of the agencies’ samples', () => {
    const raw = (p: string) => fs.readFileSync(path.join(manifest.inbox, p));
    const stats = raw('statistics/基本单位名录-20260930.csv');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(stats)).toThrow();
    expect(iconv.decode(stats, 'gb18030')).toContain('\r\n');
    expect(raw('tax/tax-20261120.csv').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(raw('labour/grids-20261127.csv').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(raw('market/market-20261127.csv').subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(raw('labour/举报投诉登记-20261127.txt').subarray(0, 2).toString()).toBe('\r\n');
    expect(raw('market/market-20261127.csv').toString()).toMatch(/"[^"]*许可项目：[^"]*\n一般项目：[^"]*"/);
    const grids = feeds.get('grids-20261127.csv') ?? [];
    expect(grids[0]).toEqual(['协理员', '专职监察员 ', '上级网格编码', '联系电话', '覆盖区划代码', '网格级别', '网格编码', '网格名称']);
  });
});

describe('the truth’s records.csv', () => {
  it('lists every data record of every unit file, numbered 1..n in file order', () => {
    for (const info of manifest.files) {
      const rows = feeds.get(info.file) ?? [];
      const listed = truthRecords.filter((r) => r.file === info.file);
      expect(rows.length - 1, info.file).toBe(info.records);
      if (!info.unitRows) {
        expect(listed, info.file).toHaveLength(0);
        continue;
      }
      expect(listed.map((r) => Number(r.row)), info.file).toEqual(Array.from({ length: info.records }, (_, i) => i + 1));
      expect(new Set(listed.map((r) => r.agency))).toEqual(new Set([info.agency]));
    }
    expect(truthRecords).toHaveLength(manifest.truth.records);
  });

  it('names the unit each row really is: codes and names of the row agree with units.csv', () => {
    let byCode = 0;
    let rejected = 0;
    for (const info of manifest.files.filter((f) => f.unitRows)) {
      const [header = [], ...rows] = feeds.get(info.file) ?? [];
      const headers = header.map(cleanHeader);
      const nameCol = headers.findIndex((h) => NAME_HEADERS.has(h));
      expect(nameCol, info.file).toBeGreaterThanOrEqual(0);
      const listed = truthRecords.filter((r) => r.file === info.file);
      rows.forEach((row, i) => {
        const truthId = listed[i]?.truth_unit_id ?? '';
        const codes = headers
          .map((h, c) => ({ header: h, code: CODE_HEADERS.has(h) ? normalizeCode(text(row[c])) : '' }))
          .filter((x) => x.code !== '');
        const name = text(row[nameCol]).trim();
        if (truthId === '') {
          rejected += 1;
          expect([name, ...codes.map((x) => x.code)].join(''), `${info.file} row ${i + 1}`).toBe('');
          return;
        }
        const unit = units.get(truthId);
        expect(unit, truthId).toBeDefined();
        const known = [unit?.uscc, unit?.org_code, unit?.reg_no].filter((x): x is string => !!x);
        for (const { header: h, code } of codes) {
          const kind = codeKind(h, code);
          if (kind === 'uscc' || kind === 'org_code' || kind === 'reg_no') {
            if (isValidCode(kind, code)) {
              expect(known, `${info.file} row ${i + 1}: ${code}`).toContain(code);
              byCode += 1;
            }
          }
          if (kind === 'tax_id15' && isValidCode(kind, code)) expect(code.slice(6)).toBe(unit?.org_code);
        }
        const candidates = [unit?.name ?? '', unit?.former_name ?? ''].filter((n) => n !== '').map(bareName);
        const seen = bareName(name);
        // Equal, or one misheard character away (the planted typos).
        const close = candidates.some((c) => c === seen || (c.length === seen.length && [...c].filter((ch, k) => ch !== seen[k]).length <= 1));
        expect(close, `${info.file} row ${i + 1}: ${name} is not ${candidates.join(' / ')}`).toBe(true);
      });
    }
    expect(byCode).toBeGreaterThan(truthRecords.length * 0.7);
    expect(rejected).toBeGreaterThanOrEqual(2);
  });
});

describe('codes in the feeds', () => {
  it('all pass their check, except the deliberately broken ones listed in the truth', async () => {
    const broken = await readCsv(path.join(manifest.truthDir, 'broken-codes.csv'));
    const listed = new Set(broken.map((b) => `${b.file}#${b.row}#${normalizeCode(b.value ?? '')}`));
    const found = new Set<string>();
    let checked = 0;
    for (const info of manifest.files.filter((f) => f.unitRows)) {
      const [header = [], ...rows] = feeds.get(info.file) ?? [];
      const headers = header.map(cleanHeader);
      rows.forEach((row, i) => {
        headers.forEach((h, c) => {
          if (!CODE_HEADERS.has(h)) return;
          const code = normalizeCode(text(row[c]));
          if (code === '') return;
          const kind = codeKind(h, code);
          expect(kind, `${info.file} row ${i + 1} ${h}: ${code}`).not.toBe('unexpected');
          checked += 1;
          const key = `${info.file}#${i + 1}#${code}`;
          if (isValidCode(kind as CodeKind, code)) expect(listed.has(key), `${key} is valid but listed as broken`).toBe(false);
          else {
            expect(listed.has(key), `${key} fails its check and is not listed`).toBe(true);
            found.add(key);
          }
        });
      });
    }
    expect(found).toEqual(listed);
    expect(checked).toBeGreaterThan(4000);
    expect(broken.some((b) => b.cause === 'typo')).toBe(true);
    // Every unit's own codes are valid, but for the flagged pilot codes.
    for (const u of units.values()) {
      if (u.uscc) expect(isValidCode('uscc', u.uscc), u.uscc).toBe(u.uscc_check === 'valid');
      if (u.uscc && u.org_code) expect(u.uscc.slice(8, 17)).toBe(u.org_code);
      if (u.org_code) expect(isValidCode('org_code', u.org_code), u.org_code).toBe(true);
      if (u.reg_no) expect(isValidCode('reg_no', u.reg_no), u.reg_no).toBe(true);
    }
  });
});

describe('the truth’s reports.csv', () => {
  it('follows from the labour files exactly as ARCHITECTURE.md defines the reasons', async () => {
    const asOf = Date.UTC(2026, 10, 27) / 86_400_000;
    const rowsOf = (file: string) => {
      const [header = [], ...rows] = feeds.get(file) ?? [];
      const col = (name: string) => header.map(cleanHeader).indexOf(name);
      const ids = truthRecords.filter((r) => r.file === file).map((r) => r.truth_unit_id ?? '');
      return { rows, col, ids };
    };
    const supervised = new Set(rowsOf('supervised-units-20261127.csv').ids);
    const arrears = new Set<string>();
    {
      const { rows, col, ids } = rowsOf('arrears-20261127.csv');
      rows.forEach((r, i) => {
        if (Number(text(r[col('欠薪月数')])) >= 2 || Number(text(r[col('欠费月数')])) >= 2) arrears.add(ids[i] ?? '');
      });
    }
    const complaints = new Map<string, { n: number; petition: boolean }>();
    {
      const { rows, col, ids } = rowsOf('举报投诉登记-20261127.txt');
      rows.forEach((r, i) => {
        const back = asOf - parseAnyDate(text(r[col('受理日期')]));
        if (back < 1 || back > 365) return;
        const c = complaints.get(ids[i] ?? '') ?? { n: 0, petition: false };
        c.n += 1;
        c.petition ||= text(r[col('类型')]) === '集体上访';
        complaints.set(ids[i] ?? '', c);
      });
    }
    const credit = new Map<string, { year: number; grade: string; blacklisted: boolean }>();
    {
      const { rows, col, ids } = rowsOf('credit-grades-20261127.csv');
      rows.forEach((r, i) => {
        const id = ids[i] ?? '';
        const year = Number(text(r[col('年度')]).replace('年', ''));
        const grade = text(r[col('等级')]).toUpperCase();
        const blacklisted = text(r[col('失信单位')]) === '是';
        const c = credit.get(id);
        if (!c || year > c.year) credit.set(id, { year, grade, blacklisted: blacklisted || (c?.blacklisted ?? false) });
        else if (blacklisted) c.blacklisted = true;
      });
    }
    const expected: string[] = [];
    for (const u of units.values()) {
      if (u.status !== 'active') continue;
      const id = u.truth_unit_id ?? '';
      const age = asOf - parseAnyDate(u.established ?? '');
      const reasons: string[] = [];
      if (age >= 0 && age <= 89 && !supervised.has(id)) reasons.push('new');
      if (!supervised.has(id)) reasons.push('unsupervised');
      if (arrears.has(id)) reasons.push('arrears');
      const c = complaints.get(id);
      if (c && (c.n >= 2 || c.petition)) reasons.push('complaints');
      const g = credit.get(id);
      if (g && (g.grade === 'C' || g.blacklisted)) reasons.push('credit');
      for (const r of reasons) expected.push(`${id},${r}`);
    }
    const reports = await readCsv(path.join(manifest.truthDir, 'reports.csv'));
    expect(reports.map((r) => `${r.truth_unit_id},${r.reason}`)).toEqual(expected);
    for (const reason of REPORT_REASONS) expect(reports.some((r) => r.reason === reason), reason).toBe(true);
    // Closed units are never reported; units outside every grid are.
    const reported = new Set(reports.map((r) => r.truth_unit_id));
    for (const id of reported) expect(units.get(id ?? '')?.status).toBe('active');
    expect([...reported].some((id) => units.get(id ?? '')?.grid_l1 === '')).toBe(true);
  });
});

describe('the hard cases', () => {
  it('are planted and listed in pitfalls.csv', async () => {
    const pitfalls = await readCsv(path.join(manifest.truthDir, 'pitfalls.csv'));
    const kinds = new Set(pitfalls.map((p) => p.pitfall));
    for (const k of ['branch', 'near-identical-name', 'same-trade-other-district', 'renamed', 'legacy-ids-only', 'shared-address', 'name-typo', 'old-tax-number', 'outside-parent-branch']) {
      expect(kinds.has(k), k).toBe(true);
    }
    for (const p of pitfalls.filter((x) => x.pitfall === 'branch')) {
      const branch = units.get(p.truth_unit_id ?? '');
      const parent = units.get(p.other_truth_unit_id ?? '');
      expect(branch?.parent_unit_id).toBe(parent?.truth_unit_id);
      expect(branch?.uscc).not.toBe(parent?.uscc);
      expect(branch?.name?.startsWith(parent?.name ?? '?')).toBe(true);
    }
    const statuses = new Set([...units.values()].map((u) => u.status));
    expect(statuses).toEqual(new Set(['active', '注销', '吊销', '撤销']));
    const jiangdu = [...units.values()].filter((u) => u.community_code?.startsWith('321012'));
    expect(jiangdu.length).toBeGreaterThan(50);
    for (const u of jiangdu) expect([u.grid_l1, u.grid_l2]).toEqual(['', '']);
  });
});

describe('a large world', () => {
  it('of 20,000 units is generated and written', async () => {
    const dir = path.join(root, 'large', 'inbox');
    const started = performance.now();
    const world = generateWorld({ units: 20_000, seed: 7, asOf: '2026-11-27' });
    const generated = performance.now();
    const large = await writeFeeds(world, dir, { asOf: '2026-11-27' });
    const written = performance.now();
    const rows = large.files.filter((f) => f.unitRows).reduce((n, f) => n + f.records, 0);
    console.log(
      `20,000 units: world ${((generated - started) / 1000).toFixed(1)} s, feeds ${((written - generated) / 1000).toFixed(1)} s, ` +
        `${rows} source rows, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
    );
    expect(large.truth.units).toBe(20_000);
    expect(rows).toBe(large.truth.records);
    expect(rows).toBeGreaterThan(60_000);
  });
});
