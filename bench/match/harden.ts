/**
 * Extra hard cases on top of the demo world, so the bench measures the fuzzy rules and not only the
 * registry keys: a share of rows lose their codes (more so for the units the generator planted as
 * traps: near-identical names, one trade name in two districts, parents and branches), more names
 * carry a sound-alike typo, and some addresses lose their district. Rows keep their order, so the
 * truth's row numbers stay right.
 */
import path from 'node:path';
import { HOMOPHONES } from '../../seeds/demo/unit-names.ts';
import { Rand } from '../../seeds/demo/prng.ts';
import type { FeedFileInfo, World } from '../../seeds/demo-world.ts';
import { columnsOf, readFeedRows, writeFeedRows } from './feed-rows.ts';
import { readCsv } from './truth.ts';

export interface HardenOptions {
  inbox: string;
  truthDir: string;
  files: FeedFileInfo[];
  world: World;
  seed: number;
  /** Share of rows (outside market regulation) whose codes are blanked. */
  codeless: number;
  /** The same for rows of trap units. */
  trapCodeless: number;
  /** Share of names given a sound-alike typo. */
  typos: number;
  /** Share of addresses that lose their district. */
  noDistrict: number;
}

export interface HardenSummary {
  rows: number;
  codesBlanked: number;
  typos: number;
  districtsDropped: number;
}

const TRAPS = new Set(['near-identical-name', 'same-trade-other-district', 'branch', 'shared-address']);
const PROTECTED = /扬州|江苏|有限|公司/;

/** One sound-alike slip outside the region and form words, or null when the name has no candidate. */
export function soundAlikeTypo(name: string, rng: Rand): string | null {
  const chars = [...name];
  const positions = chars.map((ch, i) => (HOMOPHONES[ch] && !PROTECTED.test(chars.slice(Math.max(0, i - 1), i + 2).join('')) ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return null;
  const i = rng.pick(positions);
  chars[i] = HOMOPHONES[chars[i]!]!;
  return chars.join('');
}

export async function hardenFeeds(opts: HardenOptions): Promise<HardenSummary> {
  const traps = new Set<string>();
  for (const p of opts.world.pitfalls) {
    if (!TRAPS.has(p.pitfall)) continue;
    traps.add(p.unitId);
    if (p.otherUnitId) traps.add(p.otherUnitId);
  }
  const truth = await readCsv(path.join(opts.truthDir, 'records.csv'));
  const truthOf = new Map(truth.map((r) => [`${r.file}\u0000${r.row}`, r.truth_unit_id ?? '']));
  const summary: HardenSummary = { rows: 0, codesBlanked: 0, typos: 0, districtsDropped: 0 };
  for (const f of opts.files) {
    if (!f.unitRows || f.format !== 'csv' || f.agency === 'labour') continue;
    const file = path.join(opts.inbox, f.path);
    const feed = await readFeedRows(file, f.encoding);
    const cols = columnsOf(feed.header);
    feed.rows.forEach((row, i) => {
      const rng = Rand.of(opts.seed, 'bench-harden', f.file, i);
      const unit = truthOf.get(`${f.file}\u0000${i + 1}`) ?? '';
      summary.rows += 1;
      // Market regulation is the register of record: it keeps its codes; every other agency loses some.
      const blank = f.agency === 'market' ? 0 : traps.has(unit) ? opts.trapCodeless : opts.codeless;
      if (cols.codes.length > 0 && rng.chance(blank) && cols.codes.some((c) => row[c])) {
        for (const c of cols.codes) row[c] = '';
        summary.codesBlanked += 1;
      }
      if (cols.name >= 0 && rng.chance(opts.typos)) {
        const typo = soundAlikeTypo(row[cols.name] ?? '', rng);
        if (typo) {
          row[cols.name] = typo;
          summary.typos += 1;
        }
      }
      if (cols.address >= 0 && rng.chance(opts.noDistrict)) {
        const before = row[cols.address] ?? '';
        const after = before.replace(/^(江苏省)?(扬州市)?[^市]{2,8}?(区|县|市)/, '');
        if (after !== before && after.length >= 4) {
          row[cols.address] = after;
          summary.districtsDropped += 1;
        }
      }
    });
    writeFeedRows(file, feed);
  }
  return summary;
}
