/**
 * Next day's snapshots for the bench: every CSV register again, with a share of its rows changed
 * (an address number, a phone, a legal representative, a name typo corrected or introduced) and new
 * units registered at market regulation. The truth's records.csv learns the new files' rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CsvFeedWriter } from '../../seeds/demo/feed-file.ts';
import { usccCheckChar, orgCodeCheckChar } from '../../seeds/demo/codes.ts';
import { TRADE_CHARS } from '../../seeds/demo/lexicon.ts';
import { personName, phone } from '../../seeds/demo/people.ts';
import { Rand } from '../../seeds/demo/prng.ts';
import type { FeedFileInfo } from '../../seeds/demo-world.ts';
import { columnsOf, readFeedRows, type Columns } from './feed-rows.ts';
import { readCsv } from './truth.ts';

export interface ChangeOptions {
  inbox: string;
  truthDir: string;
  files: FeedFileInfo[];
  /** Share of each register's rows to change, e.g. 0.01. */
  share: number;
  seed: number;
  /** Snapshot date of the new files, YYYY-MM-DD. */
  date: string;
}

export interface ChangeSummary {
  files: number;
  rows: number;
  changed: number;
  added: number;
}

/** One change to one row, as registers really change from one day to the next. */
function changeRow(row: string[], cols: Columns, rng: Rand): void {
  const what = rng.pick(['address', 'phone', 'rep', 'name'] as const);
  const set = (c: number, f: (v: string) => string) => {
    if (c >= 0) row[c] = f(row[c] ?? '');
  };
  if (what === 'address' || (what === 'phone' && cols.phone < 0) || (what === 'rep' && cols.rep < 0)) {
    set(cols.address, (v) => (/\d+号/.test(v) ? v.replace(/\d+号/, `${rng.int(1, 400)}号`) : `${v}${rng.int(1, 400)}号`));
  } else if (what === 'phone') set(cols.phone, () => phone(rng));
  else if (what === 'rep') set(cols.rep, () => personName(rng));
  else set(cols.name, (v) => v.replace(/(有限公司|有限责任公司|店|部|厂|社|会|院|园|站|中心)$/, (m) => `${m === '有限公司' ? '有限责任公司' : m}`).replace(/^扬州市/, '扬州'));
}

function newUnitRow(header: string[], cols: Columns, n: number, rng: Rand): { row: string[]; uscc: string } {
  const row = header.map(() => '');
  const trade = rng.pick(TRADE_CHARS) + rng.pick(TRADE_CHARS) + rng.pick(TRADE_CHARS);
  const org = `MA${String(n).padStart(6, '0')}`.slice(0, 8);
  const orgCode = org + orgCodeCheckChar(org);
  const body = `91321003${orgCode}`;
  const uscc = body + usccCheckChar(body);
  const put = (c: number, v: string) => {
    if (c >= 0) row[c] = v;
  };
  put(cols.uscc, uscc);
  put(cols.name, `扬州${trade}新创科技有限公司`);
  put(cols.address, `扬州市邗江区文昌西路${rng.int(1, 400)}号`);
  put(cols.rep, personName(rng));
  put(cols.status, '存续');
  put(cols.established, '2026-11-28');
  put(cols.type, '有限责任公司（自然人投资或控股）');
  return { row, uscc };
}

export async function writeChangedSnapshots(opts: ChangeOptions): Promise<ChangeSummary> {
  const truth = await readCsv(path.join(opts.truthDir, 'records.csv'));
  const truthOf = new Map(truth.map((r) => [`${r.file}\u0000${r.row}`, r.truth_unit_id ?? '']));
  const appended: string[][] = [];
  const summary: ChangeSummary = { files: 0, rows: 0, changed: 0, added: 0 };
  const compact = opts.date.replace(/-/g, '');
  for (const f of opts.files) {
    if (!f.unitRows || f.format !== 'csv' || f.agency === 'labour') continue;
    const { header, rows } = await readFeedRows(path.join(opts.inbox, f.path), f.encoding);
    const cols = columnsOf(header);
    const name = f.file.replace(/\d{8}|\d{4}(?=\.)/, compact);
    const writer = new CsvFeedWriter(path.join(opts.inbox, f.agency, name), { encoding: 'utf8', eol: '\n' });
    await writer.header(header);
    for (let i = 0; i < rows.length; i++) {
      const row = [...rows[i]!];
      const rng = Rand.of(opts.seed, 'bench-change', f.file, i);
      if (rng.chance(opts.share)) {
        changeRow(row, cols, rng);
        summary.changed += 1;
      }
      const at = writer.nextRow;
      await writer.row(row);
      appended.push([f.agency, name, String(at), truthOf.get(`${f.file}\u0000${i + 1}`) ?? '']);
    }
    if (f.kind === 'market') {
      const rng = Rand.of(opts.seed, 'bench-change', f.file, 'new');
      const added = Math.round(rows.length * opts.share * 0.25);
      for (let n = 0; n < added; n++) {
        const { row } = newUnitRow(header, cols, 900000 + n, rng);
        const at = writer.nextRow;
        await writer.row(row);
        appended.push([f.agency, name, String(at), `NEW${n}`]);
        summary.added += 1;
      }
    }
    summary.rows += await writer.close();
    summary.files += 1;
    // Old enough that the inbox does not wait for the file to settle.
    const past = new Date(Date.now() - 120_000);
    fs.utimesSync(path.join(opts.inbox, f.agency, name), past, past);
  }
  const lines = appended.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n');
  fs.appendFileSync(path.join(opts.truthDir, 'records.csv'), `${lines}\n`);
  return summary;
}
