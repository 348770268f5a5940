/**
 * What every feed writer shares: the world as of a snapshot date, the
 * per-row random streams, and the truth sink that learns each row's unit.
 */
import type { GridDef } from '../../default-grid.ts';
import type { CodeKind } from '../codes.ts';
import type { CsvEncoding } from '../feed-file.ts';
import { breakCheck, messAddress, messName, spellCode } from '../mess.ts';
import { type AddressStyle, spellAddress } from '../places.ts';
import { Rand } from '../prng.ts';
import { misspellTrade } from '../unit-names.ts';
import type { CreditGrade, TrueUnit, UnitStatus, World } from '../world.ts';
import { ymd } from '../dates.ts';

export type Agency = 'statistics' | 'market' | 'tax' | 'civil-affairs' | 'personnel' | 'org-code' | 'labour';

export interface FeedFileInfo {
  agency: Agency;
  /** What the file holds: 'statistics', 'labour.supervised', 'civil-affairs.divisions', … */
  kind: string;
  /** Base name, as the crosswalk export names files. */
  file: string;
  /** Relative to the inbox. */
  path: string;
  format: 'csv' | 'xlsx';
  encoding: CsvEncoding | 'xlsx';
  records: number;
  /** Whether its rows describe units (and so appear in the truth's records.csv). */
  unitRows: boolean;
}

export interface BrokenCode {
  agency: Agency;
  file: string;
  row: number;
  unitId: string;
  field: string;
  value: string;
  /** 'pilot': the unit's own code is flawed everywhere; 'typo': this row's copy is. */
  cause: 'pilot' | 'typo';
}

export interface TruthSink {
  record(agency: Agency, file: string, row: number, unitId: string | null): Promise<void>;
  brokenCode(entry: BrokenCode): void;
  rowPitfall(unitId: string, pitfall: string, detail: string): void;
}

export interface Snapshots {
  statistics: number;
  market: number;
  tax: number;
  civil: number;
  personnel: number;
  orgCode: number;
  labour: number;
}

export interface FeedContext {
  world: World;
  seed: number;
  asOf: number;
  inbox: string;
  snapshots: Snapshots;
  gridOf: ReadonlyMap<string, { l1: string; l2: string }>;
  gridByCode: ReadonlyMap<string, GridDef>;
  truth: TruthSink;
}

export function nameAt(unit: TrueUnit, day: number): string {
  return unit.formerName !== null && unit.renamedDay !== null && day < unit.renamedDay ? unit.formerName : unit.name;
}

export function legalRepAt(unit: TrueUnit, day: number): string {
  return unit.formerLegalRep !== null && unit.renamedDay !== null && day < unit.renamedDay ? unit.formerLegalRep : unit.legalRep;
}

export function statusAt(unit: TrueUnit, day: number): UnitStatus {
  return unit.closedDay !== null && unit.closedDay <= day ? unit.status : 'active';
}

/** A year's grade is published in the following year; a snapshot holds the years before its own. */
export function creditVisible(grade: CreditGrade, snapshot: number): boolean {
  return grade.year < ymd(snapshot).y;
}

/** Units in a fixed, file-specific shuffled order: exports are not sorted the same way twice. */
export function shuffledUnits(ctx: FeedContext, fileKey: string, keep: (u: TrueUnit) => boolean): TrueUnit[] {
  const list = ctx.world.units.filter(keep);
  return Rand.of(ctx.seed, fileKey, 'order').shuffle(list);
}

/** One writer's view: the row streams and the cells that need the truth sink. */
export class RowKit {
  constructor(
    private readonly ctx: FeedContext,
    readonly agency: Agency,
    readonly fileKey: string,
    readonly file: string,
  ) {}

  rng(unit: TrueUnit | null, k: number | string = 0): Rand {
    return Rand.of(this.ctx.seed, this.fileKey, unit ? unit.index : -1, k);
  }

  /**
   * A code as this row spells it. A few copies get a wrong check character
   * (a clerk's slip); a pilot code is wrong everywhere. Both go to the truth.
   */
  code(
    unit: TrueUnit,
    kind: CodeKind,
    value: string,
    field: string,
    row: number,
    rng: Rand,
    opts: { hyphenate?: number; typo?: number; messRate?: number } = {},
  ): string {
    let code = value;
    let cause: BrokenCode['cause'] | null = kind === 'uscc' && unit.usccFlawed && value === unit.uscc ? 'pilot' : null;
    if (cause === null && rng.chance(opts.typo ?? 0.003)) {
      code = breakCheck(code, kind, rng);
      cause = 'typo';
    }
    const spelled = spellCode(code, rng, { hyphenate: opts.hyphenate ?? 0, rate: opts.messRate ?? 1 });
    if (cause) {
      this.ctx.truth.brokenCode({ agency: this.agency, file: this.file, row, unitId: unit.id, field, value: spelled, cause });
    }
    return spelled;
  }

  /** The unit's name as this row spells it; rarely a sound-alike slip, recorded as a pitfall. */
  name(unit: TrueUnit, day: number, row: number, rng: Rand, opts: { typo?: number; shorten?: number; rate?: number } = {}): string {
    let name = nameAt(unit, day);
    if (rng.chance(opts.shorten ?? 0)) {
      // Desk staff drop the region prefix: 扬州方佰建设有限公司 → 方佰建设有限公司.
      const prefix = /^(江苏省|扬州市|扬州|江苏)/.exec(name)?.[0] ?? '';
      const rest = name.slice(prefix.length);
      if (prefix !== '' && rest.length >= 6 && !rest.startsWith('经济技术开发区')) name = rest;
    }
    if (rng.chance(opts.typo ?? 0.004)) {
      const typo = misspellName(name, rng);
      if (typo !== null) {
        this.ctx.truth.rowPitfall(unit.id, 'name-typo', `${this.file}#${row}: ${typo}`);
        name = typo;
      }
    }
    return messName(name, rng, opts.rate ?? 1);
  }

  address(unit: TrueUnit, rng: Rand): string {
    const parts = unit.address;
    const flip = (x: boolean, p: number): boolean => (rng.chance(p) ? !x : x);
    const city = rng.chance(0.88);
    const style: AddressStyle = {
      province: city && rng.chance(0.3),
      city,
      district: rng.chance(0.9) ? 'official' : rng.chance(0.5) ? 'short' : 'none',
      street: rng.chance(0.85) ? parts.streetStyle : rng.pick(['full', 'core', 'none'] as const),
      community: flip(parts.withCommunity, 0.15),
    };
    return messAddress(spellAddress(unit.place, parts, style, rng), rng);
  }

  phone(unit: TrueUnit, rng: Rand, empty: number): string {
    if (rng.chance(empty)) return '';
    return unit.phone;
  }
}

function misspellName(name: string, rng: Rand): string | null {
  // Only the trade-name zone (after the region words) is misheard; try a few windows.
  for (let t = 0; t < 3; t++) {
    const start = rng.int(0, Math.max(0, name.length - 2));
    const window = name.slice(start, start + 2);
    const slip = misspellTrade(window, rng);
    if (slip !== null && !/扬州|江苏|有限|公司/.test(window)) return name.slice(0, start) + slip + name.slice(start + 2);
  }
  return null;
}

export function marketAuthority(unit: TrueUnit, rng: Rand): string {
  if (rng.chance(0.3)) return '扬州市市场监督管理局';
  return unit.place.districtCode === '321071' ? '扬州经济技术开发区市场监督管理局' : `扬州市${unit.place.districtName}市场监督管理局`;
}

export function postcode(rng: Rand): string {
  return rng.pick(['225001', '225002', '225009', '225012', '225100', '225101', '225127', '225128', '225200', '225211']);
}
