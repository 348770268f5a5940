/**
 * The synthetic world: every employing unit as it really is. Feeds are
 * written from it with their mess; the truth files are written from it too,
 * so the pipeline can be scored on what it could not see directly.
 */
import { DEFAULT_GRID_DISTRICTS, type Division, type GridDef, defaultGrid } from '../default-grid.ts';
import { USCC_ALPHABET, idCardCheckChar, orgCodeCheckChar, regNoCheckDigit, usccCheckChar } from './codes.ts';
import { dayOf, parseIsoDate, toIso, ymd } from './dates.ts';
import {
  COMPLAINT_RESULTS,
  COMPLAINT_TEXTS,
  FINANCE_PARENTS,
  INDUSTRIES,
  type Industry,
  OUTSIDE_PARENTS,
  SHOP_FORMS,
  SOCIAL_SUPERVISORS,
} from './lexicon.ts';
import { personName, phone as drawPhone, randomDigits } from './people.ts';
import { type AddressParts, type Place, type PlaceIndex, buildPlaces, drawAddress } from './places.ts';
import { Rand } from './prng.ts';
import { publicBodiesAt } from './public-names.ts';
import {
  type CompanyNameParts,
  type ShopNameParts,
  collectiveName,
  composeCompanyName,
  composeShopName,
  coopName,
  drawCompanyParts,
  formerNameParts,
  nearNameParts,
  socialName,
  tradeName,
} from './unit-names.ts';

export type UnitKind = 'company' | 'branch' | 'individual' | 'coop' | 'social' | 'public' | 'collective';
export type UnitStatus = 'active' | '注销' | '吊销' | '撤销';
export type ComplaintType = '投诉' | '举报' | '集体上访';
export type TaxIdStyle = 'uscc' | 'legacy15' | 'id20';

export interface Complaint {
  day: number;
  type: ComplaintType;
  text: string;
  result: string;
}

export interface ArrearsRecord {
  day: number;
  wageMonths: number;
  feeMonths: number;
  amount: number;
  workers: number;
}

export interface CreditGrade {
  year: number;
  grade: 'A' | 'B' | 'C';
  /** 失信单位; only ever set on the unit's most recent year, so "any year" and "latest year" readings agree. */
  blacklisted: boolean;
}

/** Which registers carry the unit (dates permitting: a register only holds units that existed at its snapshot). */
export interface Presence {
  statistics: boolean;
  market: boolean;
  tax: boolean;
  civil: boolean;
  personnel: boolean;
  orgCode: boolean;
}

export interface TrueUnit {
  index: number;
  /** 'T000001' */
  id: string;
  kind: UnitKind;
  /** 企业类型 / 社会组织类型 / 单位类别, depending on the register the unit belongs to. */
  category: string;
  uscc: string | null;
  /** An early pilot code whose check character is wrong — in every register alike. */
  usccFlawed: boolean;
  /** 9 characters, no hyphen. */
  orgCode: string | null;
  /** Legacy 15-digit business registration number. */
  regNo: string | null;
  /** 6-digit division that prefixes a 15-digit tax number. */
  taxDivision: string;
  taxIdStyle: TaxIdStyle;
  /** The 经营者's ID number, for 20-digit tax numbers of individual businesses. */
  idCard: string | null;
  name: string;
  formerName: string | null;
  renamedDay: number | null;
  legalRep: string;
  formerLegalRep: string | null;
  phone: string;
  place: Place;
  address: AddressParts;
  industry: Industry;
  established: number;
  /** Day the tax office registered the unit (some days after it was established). */
  taxRegistered: number;
  status: UnitStatus;
  closedDay: number | null;
  employees: number;
  /** 注册资本(万元) or 活动资金; null where registers leave it empty. */
  capital: number | null;
  /** Supervising body (业务主管单位 / 主管部门) for social organisations and public bodies. */
  supervisor: string | null;
  parentId: string | null;
  /** A parent outside the world (a Nanjing head office, a bank). */
  outsideParent: string | null;
  presence: Presence;
  supervisedDay: number | null;
  /** Shared empty arrays for the many units without events keep a 250,000-unit world small. */
  complaints: readonly Complaint[];
  arrears: readonly ArrearsRecord[];
  credit: readonly CreditGrade[];
}

export interface Pitfall {
  unitId: string;
  pitfall: string;
  otherUnitId: string | null;
  detail: string;
}

export interface World {
  seed: number;
  asOf: string;
  divisions: Division[];
  grids: GridDef[];
  places: PlaceIndex;
  units: TrueUnit[];
  /** The hard cases planted for the matcher, by unit. */
  pitfalls: Pitfall[];
}

export interface WorldOptions {
  units: number;
  seed?: number;
  asOf: string;
}

/** Unified codes replaced organisation codes and registration numbers from 1 October 2015. */
export const USCC_START = dayOf(2015, 10, 1);
/** The grid measures took effect on 1 December 2007; nobody was supervised before. */
const SUPERVISION_START = dayOf(2007, 12, 1);
const EARLIEST = dayOf(1978, 1, 1);

/**
 * "new" means established 0–89 days before the as-of date. No unit is
 * established 88–92 days before it, so an off-by-one reading of that window
 * cannot change the truth.
 */
export const NEW_MAX_AGE = 87;
const OLD_MIN_AGE = 93;
/** Likewise no complaint falls 361–368 days before the as-of date or on it. */
const COMPLAINT_GAP: readonly [number, number] = [361, 368];

const KIND_WEIGHTS: ReadonlyArray<readonly [UnitKind, number]> = [
  ['company', 56],
  ['branch', 5],
  ['individual', 20],
  ['coop', 1.2],
  ['social', 7],
  ['public', 5],
  ['collective', 1],
];

const DISTRICT_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['321002', 30],
  ['321003', 37],
  ['321071', 22],
  ['321012', 11],
];

const NEW_SHARE: Record<UnitKind, number> = {
  company: 0.05, branch: 0.04, individual: 0.07, coop: 0.02, social: 0.03, public: 0, collective: 0,
};
const MEDIAN_AGE_YEARS: Record<UnitKind, number> = {
  company: 7, branch: 6, individual: 4, coop: 8, social: 9, public: 28, collective: 5,
};
const CLOSED_SHARE: Record<UnitKind, number> = {
  company: 0.045, branch: 0.05, individual: 0.06, coop: 0.05, social: 0.04, public: 0, collective: 0,
};

const MARKET_CATEGORY: Record<string, ReadonlyArray<readonly [string, number]>> = {
  有限公司: [['有限责任公司（自然人投资或控股）', 50], ['有限责任公司（自然人独资）', 30], ['有限责任公司（法人独资）', 8], ['其他有限责任公司', 12]],
  有限责任公司: [['有限责任公司（自然人投资或控股）', 60], ['有限责任公司（自然人独资）', 30], ['其他有限责任公司', 10]],
  集团有限公司: [['有限责任公司（自然人投资或控股）', 70], ['其他有限责任公司', 30]],
  股份有限公司: [['股份有限公司（非上市、自然人投资或控股）', 80], ['股份有限公司（非上市）', 20]],
  '合伙企业（有限合伙）': [['有限合伙企业', 1]],
  厂: [['个人独资企业', 85], ['集体所有制', 15]],
  经营部: [['个人独资企业', 1]],
};
const BRANCH_CATEGORIES = [
  ['有限责任公司分公司（自然人投资或控股）', 50],
  ['分公司', 20],
  ['股份有限公司分公司（非上市）', 15],
  ['有限责任公司分公司（法人独资）', 15],
] as const;

class Registry {
  readonly names = new Set<string>();
  readonly usccs = new Set<string>();
  readonly orgBodies = new Set<string>();
  readonly regNos = new Set<string>();
}

function drawPlace(places: PlaceIndex, rng: Rand, kind: UnitKind): Place {
  const district = rng.weighted(DISTRICT_WEIGHTS);
  const list = places.byDistrict.get(district);
  if (!list || list.length === 0) throw new Error(`no communities in district ${district}`);
  // Parks' virtual communities hold many firms; villages fewer shops.
  const weighted = list.map((p) => {
    let w = p.village ? 0.6 : 1;
    if (p.communityShort === null) w = kind === 'company' || kind === 'branch' ? 6 : 0.2;
    if (kind === 'collective') w = p.village ? 1 : 0;
    return [p, w] as const;
  });
  return rng.weighted(weighted);
}

function drawEstablished(kind: UnitKind, asOf: number, rng: Rand): number {
  if (rng.chance(NEW_SHARE[kind])) return asOf - rng.int(0, NEW_MAX_AGE);
  const meanDays = (MEDIAN_AGE_YEARS[kind] / Math.LN2) * 365;
  let day = asOf - OLD_MIN_AGE - Math.floor(-Math.log(1 - rng.next()) * meanDays);
  if (day < EARLIEST) day = rng.int(EARLIEST, asOf - OLD_MIN_AGE);
  // Village collectives received their codes from 2018 on, when they were (re)registered.
  if (kind === 'collective') day = Math.max(day, dayOf(2018, 1, 1) + rng.int(0, 900));
  return Math.min(day, asOf - OLD_MIN_AGE);
}

function randomBody(rng: Rand, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += USCC_ALPHABET[rng.int(0, USCC_ALPHABET.length - 1)];
  return s;
}

const PUBLIC_ORG_HEADS: Record<string, readonly string[]> = {
  机关: ['00', '01'],
  事业单位: ['41', '42', '46', '47'],
  群团: ['50', '51'],
};

const OLD_ORG_HEADS: Record<UnitKind, readonly string[]> = {
  company: ['05', '06', '07', '13', '14', '25', '30', '31', '32', '55', '56', '57', '58', '59', '60', '66', '67', '68', '69', '70', '71', '72', '73', '74', '75', '76', '77', '78', '79'],
  branch: ['05', '06', '07', '55', '56', '57', '66', '67', '68', '69', '77', '78', '79'],
  individual: ['L0', 'L1', 'L2', 'L3'],
  coop: ['66', '67', '68', '69'],
  social: ['50', '51', '05'],
  public: ['41', '42', '46', '47', '00', '01'],
  collective: ['14', '66'],
};
const NEW_ORG_HEADS: Record<UnitKind, string> = {
  company: 'MA', branch: 'MA', individual: 'MA', coop: 'MA', social: 'MJ', public: 'MB', collective: 'MF',
};

/** 9-character organisation code (body + GB 11714 check), unique in the world. */
function drawOrgCode(kind: UnitKind, category: string, modern: boolean, rng: Rand, reg: Registry): string {
  const heads = (kind === 'public' ? PUBLIC_ORG_HEADS[category] : undefined) ?? OLD_ORG_HEADS[kind];
  for (;;) {
    const body = modern
      ? NEW_ORG_HEADS[kind] + String(rng.pick([1, 1, 2, 2, 7, 7, 0, 3, 5])) + randomBody(rng, 5)
      : rng.pick(heads) + randomDigits(rng, 6);
    if (reg.orgBodies.has(body)) continue;
    reg.orgBodies.add(body);
    return body + orgCodeCheckChar(body);
  }
}

/** Positions 3–8 of a unified code: the issuing authority's division then, not where the unit is now. */
function issuingDivision(place: Place, established: number, rng: Rand): string {
  const r = rng.next();
  if (r < 0.25) return '321000';
  if (r < 0.29) return rng.pick(['321081', '321084', '321023']);
  switch (place.districtCode) {
    case '321071':
      return '321091';
    case '321003':
      return established < dayOf(2011, 12, 1) && rng.chance(0.3) ? '321011' : '321003';
    case '321012':
      return established < dayOf(2011, 12, 1) && rng.chance(0.3) ? '321088' : '321012';
    default:
      return place.districtCode;
  }
}

const USCC_HEAD: Record<UnitKind, string> = {
  company: '91', branch: '91', individual: '92', coop: '93', social: '52', public: '12', collective: 'N2',
};

function drawRegNo(kind: UnitKind, place: Place, rng: Rand, reg: Registry): string {
  for (;;) {
    const authority = rng.chance(0.35) ? '321000' : place.districtCode === '321071' ? '321091' : place.districtCode;
    // GS 15-2006: the sequence's first digit tells enterprises (0–3) from individual businesses (6–9).
    const sequence = kind === 'individual' ? String(rng.int(6, 9)) + randomDigits(rng, 7) : '00' + randomDigits(rng, 6);
    const body = authority + sequence;
    if (reg.regNos.has(body)) continue;
    reg.regNos.add(body);
    return body + regNoCheckDigit(body);
  }
}

function drawIdCard(rng: Rand): string {
  const area = rng.pick(['321002', '321003', '321012', '321081', '321084', '321023', '321088', '320283']);
  const birth = toIso(dayOf(1958, 1, 1) + rng.int(0, 40 * 365)).replace(/-/g, '');
  const body = area + birth + randomDigits(rng, 3);
  return body + idCardCheckChar(body);
}

const STREET_NUMERALS = ['二', '三', '四', '五', '六'] as const;

function shortDistrict(place: Place): string {
  return place.districtCode === '321071' ? '开发区' : place.districtName.replace(/区$/, '');
}

interface Draft {
  unit: TrueUnit;
  companyParts: CompanyNameParts | null;
  shopParts: ShopNameParts | null;
}

export function generateWorld(opts: WorldOptions, divisions: Division[]): World {
  const seed = opts.seed ?? 1;
  const asOf = parseIsoDate(opts.asOf);
  if (!Number.isInteger(opts.units) || opts.units < 1) throw new Error(`units must be a positive integer, got ${opts.units}`);
  const places = buildPlaces(divisions);
  const grids = defaultGrid(divisions);
  const reg = new Registry();
  const drafts: Draft[] = [];
  const pitfalls: Pitfall[] = [];
  const companies: number[] = [];
  const shops: number[] = [];
  const publicUsed = new Set<string>();

  const unique = (name: string): boolean => {
    if (reg.names.has(name)) return false;
    reg.names.add(name);
    return true;
  };

  for (let i = 0; i < opts.units; i++) {
    const rng = Rand.of(seed, 'unit', i);
    const id = `T${String(i + 1).padStart(6, '0')}`;
    let kind = rng.weighted(KIND_WEIGHTS);
    let place = drawPlace(places, rng, kind);
    let industry = rng.weighted(INDUSTRIES.map((x) => [x, x.weight] as const));
    let established = drawEstablished(kind, asOf, rng);
    let name = '';
    let category = '';
    let companyParts: CompanyNameParts | null = null;
    let shopParts: ShopNameParts | null = null;
    let supervisor: string | null = null;
    let parentId: string | null = null;
    let outsideParent: string | null = null;
    let near: AddressParts | undefined;
    const plant: Array<Omit<Pitfall, 'unitId'>> = [];

    if (kind === 'public') {
      const options = publicBodiesAt(place).filter((b) => !publicUsed.has(b.name) && !reg.names.has(b.name));
      if (options.length === 0) kind = 'company';
      else {
        const body = rng.pick(options);
        publicUsed.add(body.name);
        reg.names.add(body.name);
        name = body.name;
        category = body.category;
        supervisor = body.supervisor;
      }
    }
    if (kind === 'collective') {
      const n = collectiveName(place);
      if (n && unique(n)) {
        name = n;
        category = '村级集体经济组织';
      } else kind = 'company';
    }
    if (kind === 'branch') {
      const parentIdx = companies.length > 0 && rng.chance(0.7) ? rng.pick(companies) : -1;
      const parent = parentIdx >= 0 ? drafts[parentIdx] : undefined;
      if (parent && parent.unit.established < asOf - 2 * 365 && parent.unit.closedDay === null) {
        const sameSite = rng.chance(0.35);
        if (sameSite) {
          place = parent.unit.place;
          near = parent.unit.address;
        }
        industry = parent.unit.industry;
        const suffixes = [`${shortDistrict(place)}分公司`, `${place.streetCore}分公司`, `第${rng.pick(STREET_NUMERALS)}分公司`];
        // Shops and restaurants open 分店; other trades open 分公司.
        if (/^(F52|H|O)/.test(industry.code)) suffixes.push(`${place.streetCore}分店`);
        for (let t = 0; t < 8 && !name; t++) {
          const candidate = parent.unit.name + rng.pick(suffixes);
          if (unique(candidate)) name = candidate;
        }
        if (name) {
          parentId = parent.unit.id;
          established = Math.max(established, parent.unit.established + 180 + rng.int(0, 400));
          plant.push({ pitfall: 'branch', otherUnitId: parent.unit.id, detail: 'branch of a parent in the world; never merge' });
        }
      }
      if (!name) {
        for (let t = 0; t < 20 && !name; t++) {
          if (rng.chance(0.3)) {
            const [bank, outlet] = rng.pick(FINANCE_PARENTS);
            const spot = rng.chance(0.5) ? place.streetCore : (place.communityShort ?? place.streetCore).replace(/(社区|村)$/, '');
            const candidate = bank + outlet.replace('{p}', spot);
            if (unique(candidate)) {
              name = candidate;
              outsideParent = bank;
            }
          } else {
            const parent = rng.pick(OUTSIDE_PARENTS).replace('{t}', tradeName(rng));
            const candidate = parent + (rng.chance(0.7) ? '扬州分公司' : `扬州${shortDistrict(place)}分公司`);
            if (unique(candidate)) {
              name = candidate;
              outsideParent = parent;
            }
          }
        }
        if (name) plant.push({ pitfall: 'outside-parent-branch', otherUnitId: null, detail: outsideParent ?? '' });
        near = undefined;
      }
      if (name) category = rng.weighted(BRANCH_CATEGORIES);
      else kind = 'company';
    }
    if (kind === 'individual') {
      const shopIndustries = INDUSTRIES.filter((x) => x.shop.length > 0);
      const shopIndustry = shopIndustries.includes(industry) ? industry : rng.pick(shopIndustries);
      industry = shopIndustry;
      const twin = shops.length > 0 && rng.chance(0.06) ? drafts[rng.pick(shops)] : undefined;
      if (twin?.shopParts && twin.unit.place.districtCode !== place.districtCode) {
        // One trade name, two districts: two different shops.
        const candidate = composeShopName(twin.shopParts, place, rng);
        if (unique(candidate)) {
          name = candidate;
          shopParts = twin.shopParts;
          plant.push({ pitfall: 'same-trade-other-district', otherUnitId: twin.unit.id, detail: twin.unit.name });
        }
      }
      for (let t = 0; t < 30 && !name; t++) {
        const trade = rng.chance(0.1) ? `老${personName(rng).slice(0, 1)}` : tradeName(rng);
        const parts = { trade, goods: rng.pick(shopIndustry.shop), form: rng.pick(SHOP_FORMS) };
        const candidate = composeShopName(parts, place, rng);
        if (unique(candidate)) {
          name = candidate;
          shopParts = parts;
        }
      }
      if (name) category = '个体工商户';
      else kind = 'company';
    }
    if (kind === 'coop') {
      for (let t = 0; t < 10 && !name; t++) {
        const candidate = coopName(place, rng);
        if (unique(candidate)) name = candidate;
      }
      if (!name) kind = 'company';
      else category = '农民专业合作社';
    }
    let socialType: '社会团体' | '民办非企业单位' | '基金会' | null = null;
    if (kind === 'social') {
      for (let t = 0; t < 20 && !name; t++) {
        const s = socialName(place, rng, tradeName(rng));
        if (unique(s.name)) {
          name = s.name;
          socialType = s.type;
        }
      }
      if (!name) kind = 'company';
      else {
        category = socialType ?? '民办非企业单位';
        supervisor = rng.chance(0.3) ? '无' : rng.pick(SOCIAL_SUPERVISORS);
      }
    }
    if (kind === 'company') {
      const twin = companies.length > 0 && rng.chance(0.03) ? drafts[rng.pick(companies)] : undefined;
      if (twin?.companyParts) {
        for (let t = 0; t < 6 && !name; t++) {
          const parts = nearNameParts(twin.companyParts, rng);
          const candidate = composeCompanyName(parts, place);
          if (unique(candidate)) {
            name = candidate;
            companyParts = parts;
            plant.push({ pitfall: 'near-identical-name', otherUnitId: twin.unit.id, detail: twin.unit.name });
          }
        }
      }
      for (let t = 0; t < 40 && !name; t++) {
        const parts = drawCompanyParts(industry, rng);
        const candidate = composeCompanyName(parts, place);
        if (unique(candidate)) {
          name = candidate;
          companyParts = parts;
        }
      }
      if (!name) throw new Error(`could not find a free company name for unit ${id}`);
      category = rng.weighted(MARKET_CATEGORY[companyParts?.form ?? '有限公司'] ?? MARKET_CATEGORY['有限公司'] ?? []);
    }

    // Units in the same building as an unrelated earlier one.
    const movable = kind === 'company' || kind === 'individual' || kind === 'social';
    if (movable && !near && drafts.length > 0 && rng.chance(0.04)) {
      const other = drafts[rng.int(0, drafts.length - 1)];
      if (other && other.unit.place.districtCode === place.districtCode) {
        place = other.unit.place;
        near = other.unit.address;
        plant.push({ pitfall: 'shared-address', otherUnitId: other.unit.id, detail: 'same road and number range as another unit' });
      }
    }
    const address = drawAddress(place, rng, near);

    // Identifiers.
    const marketKind = kind === 'company' || kind === 'branch' || kind === 'individual' || kind === 'coop';
    const modern = established >= USCC_START || kind === 'individual' || kind === 'collective';
    let uscc: string | null = null;
    let usccFlawed = false;
    let regNo: string | null = null;
    const legacyOnly =
      (kind === 'company' || kind === 'individual') && established < dayOf(2012, 1, 1) && rng.chance(kind === 'company' ? 0.06 : 0.05);
    const orgCode = kind === 'individual' && legacyOnly ? null : drawOrgCode(kind, category, modern && !legacyOnly, rng, reg);
    if (marketKind && established < USCC_START) regNo = drawRegNo(kind, place, rng, reg);
    if (!legacyOnly && orgCode) {
      let head = USCC_HEAD[kind];
      if (kind === 'social') head = socialType === '社会团体' ? '51' : socialType === '基金会' ? '53' : '52';
      if (kind === 'public') head = category === '机关' ? '11' : category === '群团' ? '13' : '12';
      const body = head + issuingDivision(place, established, rng) + orgCode;
      uscc = body + usccCheckChar(body);
      if (established >= USCC_START && established < dayOf(2016, 7, 1) && rng.chance(0.05)) {
        // Early pilot codes with a wrong check character exist and stay in use.
        const right = uscc[17] as string;
        let wrong = right;
        while (wrong === right) wrong = USCC_ALPHABET[rng.int(0, 30)] as string;
        uscc = uscc.slice(0, 17) + wrong;
        usccFlawed = true;
        plant.push({ pitfall: 'pilot-code-bad-check', otherUnitId: null, detail: uscc });
      }
      if (reg.usccs.has(uscc)) throw new Error(`duplicate uscc ${uscc}`);
      reg.usccs.add(uscc);
    }
    if (legacyOnly) plant.push({ pitfall: 'legacy-ids-only', otherUnitId: null, detail: regNo ?? orgCode ?? '' });

    const idCard = kind === 'individual' ? drawIdCard(rng) : null;
    let taxIdStyle: TaxIdStyle = 'uscc';
    if (!uscc) taxIdStyle = orgCode ? 'legacy15' : 'id20';
    else if (kind === 'individual' && rng.chance(0.4)) taxIdStyle = 'id20';
    else if (established < USCC_START && !modern && rng.chance(0.04)) taxIdStyle = 'legacy15';
    if (taxIdStyle === 'legacy15' && uscc) plant.push({ pitfall: 'old-tax-number', otherUnitId: null, detail: 'tax feed keeps the 15-digit number' });
    const taxDivision = place.districtCode === '321071' ? '321091' : established < dayOf(2011, 12, 1) && place.districtCode === '321003' && rng.chance(0.3) ? '321011' : place.districtCode;

    // Status.
    let status: UnitStatus = 'active';
    let closedDay: number | null = null;
    if (legacyOnly && rng.chance(0.7)) {
      status = '吊销';
      const last = Math.min(USCC_START - 1, asOf - 30);
      closedDay = rng.int(Math.min(established + 365, last), last);
    } else if (asOf - established > 400 && rng.chance(CLOSED_SHARE[kind])) {
      closedDay = rng.int(established + 180, asOf - 20);
      status = kind === 'social' ? (rng.chance(0.6) ? '注销' : '撤销') : rng.chance(0.75) ? '注销' : '吊销';
    }

    // Renames.
    let formerName: string | null = null;
    let renamedDay: number | null = null;
    const legalRep = personName(rng);
    let formerLegalRep: string | null = null;
    if (kind === 'company' && companyParts && asOf - established > 3 * 365 && rng.chance(0.05)) {
      const from = Math.max(established + 365, dayOf(2018, 7, 1));
      const to = (closedDay ?? asOf) - 60;
      if (from < to) {
        for (let t = 0; t < 6 && !formerName; t++) {
          const candidate = composeCompanyName(formerNameParts(companyParts, industry, rng), place);
          if (candidate !== name && unique(candidate)) formerName = candidate;
        }
        if (formerName) {
          renamedDay = rng.int(from, to);
          if (rng.chance(0.3)) formerLegalRep = personName(rng);
          plant.push({ pitfall: 'renamed', otherUnitId: null, detail: `${formerName} → ${name} on ${toIso(renamedDay)}` });
        }
      }
    }

    const employees =
      kind === 'public' ? rng.skewed(40, 0.9, 5, 1500)
      : kind === 'individual' ? rng.skewed(2, 0.7, 1, 30)
      : kind === 'branch' ? rng.skewed(8, 1, 1, 800)
      : rng.skewed(12, 1.1, 1, 3000);
    const capital =
      kind === 'company' ? rng.weighted([[10, 5], [50, 8], [100, 20], [200, 14], [300, 10], [500, 14], [1000, 14], [2000, 6], [5000, 5], [10000, 4]] as const)
      : kind === 'social' ? rng.pick([3, 5, 5, 10, 20, 30, 50])
      : kind === 'coop' ? rng.pick([10, 50, 100, 200])
      : null;
    const presence: Presence = {
      market: marketKind,
      tax: marketKind ? rng.chance(kind === 'individual' ? 0.7 : kind === 'coop' ? 0.5 : 0.94) : kind === 'social' ? rng.chance(0.25) : kind === 'collective' ? rng.chance(0.5) : false,
      statistics: rng.chance(
        kind === 'company' ? 0.85 : kind === 'branch' ? 0.6 : kind === 'individual' ? 0.25 : kind === 'coop' ? 0.5 : kind === 'social' ? 0.7 : kind === 'public' ? 0.8 : 0.95,
      ),
      civil: kind === 'social',
      personnel: kind === 'public',
      orgCode: orgCode !== null && kind !== 'individual' && rng.chance(kind === 'public' ? 0.7 : kind === 'social' ? 0.6 : 0.8),
    };

    const unit: TrueUnit = {
      index: i,
      id,
      kind,
      category,
      uscc,
      usccFlawed,
      orgCode,
      regNo,
      taxDivision,
      taxIdStyle,
      idCard,
      name,
      formerName,
      renamedDay,
      legalRep,
      formerLegalRep,
      phone: drawPhone(rng),
      place,
      address,
      industry,
      established,
      taxRegistered: established + rng.int(0, 40),
      status,
      closedDay,
      employees,
      capital,
      supervisor,
      parentId,
      outsideParent,
      presence,
      supervisedDay: null,
      complaints: NONE,
      arrears: NONE,
      credit: NONE,
    };
    drafts.push({ unit, companyParts, shopParts });
    if (kind === 'company') companies.push(i);
    if (kind === 'individual' && shopParts) shops.push(i);
    for (const p of plant) pitfalls.push({ unitId: id, ...p });
  }

  const gridded = new Set<string>(DEFAULT_GRID_DISTRICTS);
  const units = drafts.map((d) => d.unit);
  for (const unit of units) addLabourFacts(unit, asOf, seed, gridded.has(unit.place.districtCode));
  return { seed, asOf: opts.asOf, divisions, grids, places, units, pitfalls };
}

const NONE: readonly never[] = Object.freeze([]);

const COMPLAINT_TYPES: ReadonlyArray<readonly [ComplaintType, number]> = [
  ['投诉', 68],
  ['举报', 28],
  ['集体上访', 4],
];

/** The inspection side of the world: who is supervised, complained about, in arrears, graded. */
function addLabourFacts(unit: TrueUnit, asOf: number, seed: number, gridded: boolean): void {
  const rng = Rand.of(seed, 'labour', unit.index);
  const age = asOf - unit.established;
  const end = unit.closedDay ?? asOf;
  if (gridded) {
    if (age >= OLD_MIN_AGE) {
      const share = unit.kind === 'individual' ? 0.7 : unit.kind === 'public' ? 0.85 : 0.88;
      if (rng.chance(share)) {
        const from = Math.max(unit.established + 20, SUPERVISION_START);
        const day = from + Math.floor(rng.next() ** 1.6 * Math.max(1, end - from - 1));
        // The bureau drops some closed units from its list, keeps others.
        if (from < end && day < asOf && (unit.closedDay === null || rng.chance(0.6))) unit.supervisedDay = day;
      }
    } else if (age >= 2 && rng.chance(0.12)) {
      // A few new units are registered by the bureau within weeks: not "new" any more.
      unit.supervisedDay = unit.established + rng.int(1, age - 1);
    }
  }
  const complaintRate = unit.kind === 'public' ? 0.01 : unit.kind === 'individual' ? 0.03 : 0.06;
  if (rng.chance(complaintRate)) {
    const n = rng.weighted([[1, 50], [2, 25], [3, 15], [4, 6], [6, 4]] as const);
    const complaints: Complaint[] = [];
    for (let k = 0; k < n; k++) {
      // Complaints cluster: a unit in trouble is complained about again within the year.
      const back = rng.chance(0.6) ? rng.int(1, 365) : rng.int(366, 3 * 365);
      const day = asOf - back;
      if (back >= COMPLAINT_GAP[0] && back <= COMPLAINT_GAP[1]) continue;
      if (day < unit.established || day > end) continue;
      const type = rng.weighted(COMPLAINT_TYPES);
      const texts = type === '集体上访' ? COMPLAINT_TEXTS.filter((t) => t.includes('{n}')) : COMPLAINT_TEXTS;
      const text = rng.pick(texts).replace('{n}', String(rng.int(8, 60)));
      const result = back < 20 && rng.chance(0.5) ? '处理中' : rng.pick(COMPLAINT_RESULTS.slice(0, 4));
      complaints.push({ day, type, text, result });
    }
    if (complaints.length > 0) unit.complaints = complaints.sort((a, b) => a.day - b.day);
  }
  if (unit.kind !== 'public' && rng.chance(0.03)) {
    const n = rng.chance(0.25) ? 2 : 1;
    const arrears: ArrearsRecord[] = [];
    for (let k = 0; k < n; k++) {
      const day = Math.max(unit.established + 30, asOf - rng.int(1, 3 * 365));
      if (day > end || day >= asOf) continue;
      const wageMonths = rng.weighted([[0, 25], [1, 30], [2, 20], [3, 12], [4, 7], [6, 6]] as const);
      const feeMonths = rng.weighted([[0, 40], [1, 25], [2, 15], [3, 10], [5, 10]] as const);
      const workers = Math.max(1, Math.min(unit.employees, rng.int(1, 60)));
      arrears.push({ day, wageMonths, feeMonths, amount: wageMonths * workers * rng.int(3200, 6800), workers });
    }
    if (arrears.length > 0) unit.arrears = arrears;
  }
  const lastYear = Math.min(ymd(asOf).y - 1, unit.closedDay === null ? 9999 : ymd(unit.closedDay).y);
  if (gridded && unit.supervisedDay !== null && age > 2 * 365 && rng.chance(0.14)) {
    const first = Math.max(ymd(unit.established).y + 1, lastYear - 4 + rng.int(0, 2));
    const credit: CreditGrade[] = [];
    for (let year = first; year <= lastYear; year++) {
      if (year < lastYear && rng.chance(0.2)) continue;
      const grade = rng.weighted([['A', 55], ['B', 35], ['C', 10]] as const);
      credit.push({ year, grade, blacklisted: false });
    }
    const latest = credit[credit.length - 1];
    if (latest && rng.chance(latest.grade === 'C' ? 0.1 : 0.006)) latest.blacklisted = true;
    if (credit.length > 0) unit.credit = credit;
  }
}
