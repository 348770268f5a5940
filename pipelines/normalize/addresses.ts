/**
 * Addresses as the agencies register them, placed on Yangzhou's divisions:
 * district, street/town and community/village, plus the road and house number.
 *
 * Addresses rarely spell the division the way the statistics bureau does:
 * 杭集 for 扬州市生态科技新城杭集镇, 张余村 for 张余村委会, 邗江县 for 邗江区,
 * towns that moved district since the address was written. The gazetteer
 * therefore indexes several spellings per division and tells full names
 * from bare cores, and the parser only accepts what the rest of the address
 * does not contradict. It never guesses between two candidates.
 */
import { canonText, fixPoint } from './text.ts';

export interface Division {
  code: string;
  name: string;
  /** district: 6-digit; street: 9-digit street/town/park; community: 12-digit community/village. */
  level: 'city' | 'district' | 'street' | 'community';
  parentCode: string | null;
}

export type NameMatch = 'full' | 'core';

export interface ParsedAddress {
  /** NFKC text, spaces squeezed, brackets full-width, leading 中国/江苏省/扬州市 removed. */
  normalized: string;
  /** The district of the street found, else the district the address names. */
  districtCode: string | null;
  /** The street/town the address names (not inferred from a community). */
  streetCode: string | null;
  streetMatch: NameMatch | null;
  communityCode: string | null;
  communityMatch: NameMatch | null;
  /** A community name the address gives exists under several streets and nothing in the address settles which. */
  communityAmbiguous: boolean;
  road: string | null;
  /** House number digits without 号 ('118', or a range such as '2-20'). */
  number: string | null;
  /** What follows the last part recognised (building, room, landmarks). */
  rest: string;
}

type Kind = 'city' | 'district' | 'street' | 'community';

/** One spelling's meaning in the gazetteer index. */
export interface GazetteerEntry {
  kind: Kind;
  code: string;
  district: string | null;
  street: string | null;
  match: NameMatch;
  /**
   * Generic zone names (开发区, 经济开发区, 物流园区) exist in several
   * districts: as a street they count only where the address's district
   * agrees; as a district alias only while no other district is named.
   */
  generic: boolean;
}

export interface TrieNode {
  next: Map<number, TrieNode>;
  entries: GazetteerEntry[] | null;
}

export interface Gazetteer {
  readonly root: TrieNode;
  readonly byCode: ReadonlyMap<string, Division>;
  /** Per street: community core name → community codes, for cores accepted only inside their street. */
  readonly communityCoresByStreet: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
}

// Yangzhou's district spellings through its history; applied to the codes
// present in the divisions handed in. 维扬区 was merged into 邗江区 (2011),
// 江都市 became 江都区 (2011); 开发区 alone means the economic-technological
// development zone unless the address already named another district.
const DISTRICT_ALIASES: Readonly<Record<string, ReadonlyArray<readonly [string, NameMatch, boolean]>>> = {
  '321002': [['广陵', 'core', false], ['生态科技新城', 'full', true]],
  '321003': [['邗江县', 'full', false], ['邗江', 'core', false], ['维扬区', 'full', false], ['维扬', 'core', false]],
  '321012': [['江都市', 'full', false], ['江都县', 'full', false], ['江都', 'core', false]],
  '321023': [['宝应', 'core', false]],
  '321071': [
    ['经济技术开发区', 'full', false], ['扬州开发区', 'full', false], ['扬州经济开发区', 'full', false],
    ['开发区', 'full', true], ['经济开发区', 'full', true],
  ],
  '321081': [['仪征县', 'full', false], ['仪征', 'core', false]],
  '321084': [['高邮县', 'full', false], ['高邮', 'core', false]],
};

// Bare 扬州/江苏 count as cores so that 扬州路 stays a road.
const CITY_NAMES: ReadonlyArray<readonly [string, NameMatch]> = [['扬州市', 'full'], ['扬州', 'core'], ['江苏省', 'full'], ['江苏', 'core']];

const TOWN_SUFFIX = /(?:街道办事处|街道|回族乡|民族乡|镇|乡)$/;
// Region and zone words some street names carry in front of their own name
// (扬州市生态科技新城杭集镇, 江苏省扬州高新技术产业开发区); each shorter form is a spelling too.
const NAME_PREFIX = /^(?:江苏省|江苏|扬州市|扬州|生态科技新城)/;
// Zone and farm names that several districts have or that read as common nouns.
const GENERIC_ZONES = new Set([
  '开发区', '经济开发区', '工业园区', '工业园', '物流园区', '物流园', '城南经济新区', '高新区',
  '原种场', '蚕种场', '园艺试验场', '水产试验场', '茶场', '农场',
]);
const COMMUNITY_SUFFIX =
  /(?:社区居民委员会|社区居委会|社区居委|村民委员会|居民委员会|村委会|居委会|（居）委会|（村）委会|村（居）委会|委会)$/;
const VIRTUAL = /虚拟(?:社区|生活区)$/;
const BRACKET_PARTS = /^(.*?)（([^（）]+)）$/;

// A core name followed by these is part of a road or another place name
// (文峰路, 文汇东路, 泰安大街, 新城区), not the division.
// The same goes for housing estates and landmarks named after a place (新城花园, 平山堂).
const NOT_A_DIVISION_AFTER =
  /^(?:[东南西北中]?(?:大街|大道|路|街(?!道)|巷|桥(?![镇乡村]))|[区县市湖河港堂]|花园|花苑|小区|新村|广场|大厦|公寓|家园)/;

// Words that name a kind of place rather than one place; as a community's
// spelling they would match every housing estate (梅庄新村, 宝带新村).
const GENERIC_PLACE_WORDS = new Set([
  '新村', '中心', '新区', '城区', '城中', '集镇', '老街', '新街', '东街', '西街', '南街', '北街', '街道', '社区',
  '开发区', '工业园', '园区', '农场',
]);

function newNode(): TrieNode {
  return { next: new Map(), entries: null };
}

function insert(root: TrieNode, name: string, entry: GazetteerEntry): void {
  let node = root;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    let child = node.next.get(c);
    if (!child) {
      child = newNode();
      node.next.set(c, child);
    }
    node = child;
  }
  node.entries ??= [];
  const dup = node.entries.find((e) => e.code === entry.code && e.kind === entry.kind);
  if (!dup) node.entries.push(entry);
  else if (dup.match === 'core' && entry.match === 'full') {
    dup.match = 'full';
    dup.generic &&= entry.generic;
  }
}

function streetSpellings(name: string, districtNames: readonly string[]): { full: string[]; generic: string[]; cores: string[] } {
  const variants = new Set<string>();
  const br = BRACKET_PARTS.exec(name);
  // 城南经济新区（车逻镇）: the zone and the town it absorbed are both names of it.
  for (const part of br ? [br[1]!, br[2]!] : [name]) {
    let p = part;
    variants.add(p);
    for (let m = NAME_PREFIX.exec(p); m && p.length - m[0].length >= 2; m = NAME_PREFIX.exec(p)) {
      p = p.slice(m[0].length);
      variants.add(p);
    }
  }
  // 宝应县经济开发区 is also written 宝应经济开发区, or 经济开发区/开发区 after 宝应县.
  for (const v of [...variants]) {
    for (const dn of districtNames) {
      if (!v.startsWith(dn) || v.length - dn.length < 3) continue;
      const tail = v.slice(dn.length);
      variants.add(tail);
      if (tail === '经济开发区') variants.add('开发区');
      for (const other of districtNames) variants.add(other + tail);
    }
  }
  for (const v of [...variants]) {
    // 开发区 and 经济开发区 are used interchangeably; 化学工业园区 is also 化学工业园.
    if (v === '开发区') variants.add('经济开发区');
    if (v.endsWith('园区') && v.length >= 4) variants.add(v.slice(0, -1));
  }
  const full: string[] = [];
  const generic: string[] = [];
  const cores: string[] = [];
  for (const v of variants) {
    if (v.length < 2) continue;
    if (GENERIC_ZONES.has(v)) generic.push(v);
    else full.push(v);
    if (TOWN_SUFFIX.test(v)) {
      const core = v.replace(TOWN_SUFFIX, '');
      if (core.length >= 2 && !NAME_PREFIX.test(core)) cores.push(core);
    }
  }
  return { full, generic, cores };
}

function communitySpellings(name: string): { full: string[]; cores: string[] } {
  const full = new Set<string>([name]);
  if (VIRTUAL.test(name)) return { full: [...full], cores: [] };
  const m = COMMUNITY_SUFFIX.exec(name);
  const base = m ? name.slice(0, m.index) : name;
  const suffix = m ? m[0] : '';
  if (m) {
    if (suffix.startsWith('社区')) full.add(base + '社区');
    else if (suffix.startsWith('村') || suffix.startsWith('（村）') || suffix === '委会') {
      full.add(base.endsWith('村') ? base : base + '村');
    } else {
      // 居委会 of a former town seat: people write X居委会 or X社区, and
      // 马集街道居委会 is the committee of 马集街道, the old town's main street.
      full.add(base + '居委会');
      full.add(base.endsWith('社区') ? base : base + '社区');
      if (base.endsWith('街道')) full.add(base);
    }
  }
  for (const f of full) if (f.length < 2 || GENERIC_PLACE_WORDS.has(f)) full.delete(f);
  const core = base.replace(/(?:社区|村|街道)$/, '');
  const usableCore = core.length >= 2 && !full.has(core) && !GENERIC_PLACE_WORDS.has(core);
  return { full: [...full], cores: usableCore ? [core] : [] };
}

/** Indexes every division by its full names and core names; build once, reuse for every address. */
export function buildGazetteer(divisions: Division[]): Gazetteer {
  const root = newNode();
  const byCode = new Map<string, Division>();
  for (const d of divisions) byCode.set(d.code, d);
  const districtOf = (d: Division): string | null => {
    // Walk up by parent; the code prefix answers when a parent is missing
    // (or the chain loops, which a hand-made division file can do).
    let cur: Division | undefined = d;
    for (let hops = 0; cur && hops < 4; hops++) {
      if (cur.level === 'district') return cur.code;
      cur = cur.parentCode ? byCode.get(cur.parentCode) : undefined;
    }
    return d.code.length >= 6 ? d.code.slice(0, 6) : null;
  };
  const streetOf = (d: Division): string => {
    const parent = d.parentCode ? byCode.get(d.parentCode) : undefined;
    return parent?.level === 'street' ? parent.code : d.code.slice(0, 9);
  };
  const byLevel = (level: Division['level']) =>
    divisions.filter((d) => d.level === level).map((d) => ({ d, name: canonText(d.name), district: districtOf(d) })).filter((x) => x.name !== '');

  // Pass 1, city and districts: their names must be known before streets
  // and communities, whose cores may not shadow them (高邮 is the district
  // before it is 高邮街道).
  const districtWords = new Set<string>(CITY_NAMES.map(([n]) => n));
  const districtNamesOf = new Map<string, string[]>();
  for (const { d, name } of byLevel('city')) {
    const base = { code: d.code, district: null, street: null, kind: 'city' as const, generic: false };
    insert(root, name, { ...base, match: 'full' });
    for (const [n, match] of CITY_NAMES) insert(root, n, { ...base, match });
  }
  for (const { d, name } of byLevel('district')) {
    const base = { code: d.code, district: d.code, street: null, kind: 'district' as const };
    const aliases = DISTRICT_ALIASES[d.code] ?? [];
    const core = name.replace(/(?:区|县|市)$/, '');
    const spellings: Array<readonly [string, NameMatch, boolean]> = [[name, 'full', false], ...aliases];
    if (aliases.length === 0 && core.length >= 2 && core !== name) spellings.push([core, 'core', false]);
    for (const [n, match, generic] of spellings) {
      insert(root, n, { ...base, match, generic });
      districtWords.add(n);
    }
    districtNamesOf.set(d.code, spellings.map(([n]) => n).sort((a, b) => b.length - a.length));
  }

  // Pass 2, streets and towns.
  const streetWords = new Set<string>();
  for (const { d, name, district } of byLevel('street')) {
    const base = { code: d.code, district, street: d.code, kind: 'street' as const };
    const s = streetSpellings(name, district ? (districtNamesOf.get(district) ?? []) : []);
    for (const n of [...s.full, ...s.generic, ...s.cores]) streetWords.add(n);
    for (const n of s.full) insert(root, n, { ...base, match: 'full', generic: false });
    for (const n of s.generic) insert(root, n, { ...base, match: 'full', generic: true });
    for (const n of s.cores) if (!districtWords.has(n)) insert(root, n, { ...base, match: 'core', generic: false });
  }

  // Pass 3, communities and villages.
  const communityCoresByStreet = new Map<string, Map<string, string[]>>();
  for (const { d, name, district } of byLevel('community')) {
    const street = streetOf(d);
    const base = { code: d.code, district, street, kind: 'community' as const, generic: false };
    const s = communitySpellings(name);
    for (const n of s.full) insert(root, n, { ...base, match: 'full' });
    for (const n of s.cores) {
      // 大仪 names 大仪镇 before it names 大仪街道居委会.
      if (districtWords.has(n) || streetWords.has(n)) continue;
      insert(root, n, { ...base, match: 'core' });
      let cores = communityCoresByStreet.get(street);
      if (!cores) communityCoresByStreet.set(street, (cores = new Map()));
      const list = cores.get(n) ?? [];
      if (!list.includes(d.code)) list.push(d.code);
      cores.set(n, list);
    }
  }
  return { root, byCode, communityCoresByStreet };
}

// ---------------------------------------------------------------------------

const LEADING_REGION = /^(?:中华人民共和国|中国|江苏省|江苏(?=扬州)|扬州市)+/;

function stripLeadingRegion(s: string): string {
  return s.replace(LEADING_REGION, '');
}

/** The normalized text alone (idempotent). */
export function normalizeAddressText(addr: string | null | undefined): string {
  const c = canonText(addr);
  if (c === '') return '';
  const stripped = stripLeadingRegion(c);
  return stripped === c ? c : fixPoint(stripped, (x) => stripLeadingRegion(canonText(x)));
}

interface Token {
  start: number;
  end: number;
  entries: GazetteerEntry[];
}

/** Greedy longest match, left to right: one trie walk per position, no per-division work. */
function scan(text: string, root: TrieNode): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    let node: TrieNode | undefined = root;
    let bestEnd = -1;
    let best: GazetteerEntry[] | null = null;
    for (let j = i; j < text.length; j++) {
      node = node.next.get(text.charCodeAt(j));
      if (!node) break;
      if (node.entries) {
        bestEnd = j + 1;
        best = node.entries;
      }
    }
    if (best) {
      tokens.push({ start: i, end: bestEnd, entries: best });
      i = bestEnd;
    } else i++;
  }
  return tokens;
}

// A road: Chinese characters up to the first road word. 街道 is a subdistrict, not a street.
const ROAD = /([\u3400-\u9FFF0-9]{1,16}?)(大街|大道|路|巷|街(?!道))(?![东南西北]?[村镇乡])/gu;
// Inside the run before the road word, the road's own name starts after the
// last of these (双桥村双桥路 → 双桥路, 工业园区竣业路 → 竣业路) as long as
// two characters of name remain (新村路, 市府街 stay whole).
const ROAD_CUT = /[省市区县镇乡村组号幢楼室侧首与和及至交园城处]/g;
const HOUSE_NO = /^(\d+(?:-\d+)?)号/;

function findRoad(text: string, from: number): { road: string; number: string | null; end: number } | null {
  ROAD.lastIndex = from;
  const m = ROAD.exec(text);
  if (!m) return null;
  let name = m[1]!;
  let cut = -1;
  for (const c of name.matchAll(ROAD_CUT)) if (name.length - (c.index + 1) >= 2) cut = c.index + 1;
  if (cut > 0) name = name.slice(cut);
  const roadEnd = m.index + m[0].length;
  const hn = HOUSE_NO.exec(text.slice(roadEnd, roadEnd + 16));
  return { road: name + m[2]!, number: hn ? hn[1]! : null, end: hn ? roadEnd + hn[0].length : roadEnd };
}

function pickOne<T>(items: readonly T[]): T | null {
  return items.length === 1 ? items[0]! : null;
}

// Helpers of parseAddress kept at module level: closures made per address cost more than the work they do.
function usable(normalized: string, t: Token, e: GazetteerEntry): boolean {
  return e.match === 'full' || !NOT_A_DIVISION_AFTER.test(normalized.slice(t.end, t.end + 3));
}

function streetFrom(normalized: string, tokens: readonly Token[], district: string | null, match: NameMatch): { entry: GazetteerEntry; token: Token; match: NameMatch } | null {
  for (const t of tokens) {
    const cands = t.entries.filter((x) => x.kind === 'street' && x.match === match && usable(normalized, t, x));
    if (cands.length === 0) continue;
    const inDistrict = district ? cands.filter((x) => x.district === district) : [];
    let chosen = pickOne(inDistrict);
    if (!chosen && inDistrict.length === 0) {
      // A town named in full keeps its identity when districts were redrawn
      // (邗江县杭集镇 is 广陵区 today); a core or a generic zone name does not.
      const free = cands.filter((x) => !x.generic && (district === null || match === 'full'));
      chosen = pickOne(free);
    }
    if (chosen) return { entry: chosen, token: t, match };
  }
  return null;
}

/** Parses an address against the gazetteer. Pure; idempotent on `normalized`. */
export function parseAddress(addr: string | null | undefined, gaz: Gazetteer): ParsedAddress {
  const normalized = normalizeAddressText(addr);
  const out: ParsedAddress = {
    normalized,
    districtCode: null,
    streetCode: null,
    streetMatch: null,
    communityCode: null,
    communityMatch: null,
    communityAmbiguous: false,
    road: null,
    number: null,
    rest: normalized,
  };
  if (normalized === '') return out;

  const tokens = scan(normalized, gaz.root);
  let consumedEnd = 0;

  // District: the first one named; the generic 开发区 only while no other district has been named.
  let district: string | null = null;
  for (const t of tokens) {
    let e: GazetteerEntry | undefined;
    for (const x of t.entries) {
      if (x.kind === 'district' && usable(normalized, t, x)) {
        e = x;
        break;
      }
    }
    if (e) {
      if (e.generic && district !== null) continue;
      if (district === null) district = e.code;
      if (t.end > consumedEnd) consumedEnd = t.end;
    } else if (t.entries.some((x) => x.kind === 'city' && usable(normalized, t, x)) && t.end > consumedEnd) consumedEnd = t.end;
  }

  // Street: full names before cores; among several candidates the one in the named district.
  const street = streetFrom(normalized, tokens, district, 'full') ?? streetFrom(normalized, tokens, district, 'core');
  if (street) {
    out.streetCode = street.entry.code;
    out.streetMatch = street.match;
    // Today's district of the town, which an old address may name differently.
    out.districtCode = street.entry.district;
    if (street.token.end > consumedEnd) consumedEnd = street.token.end;
  } else out.districtCode = district;

  // Community: a full name settled by the street, else the district; a core
  // name only when it is unique inside the street found.
  const streetCode = out.streetCode;
  const districtCode = out.districtCode;
  let ambiguous = false;
  for (const t of tokens) {
    let code: string | null = null;
    let several = false;
    for (const x of t.entries) {
      if (x.kind !== 'community' || x.match !== 'full') continue;
      if (streetCode ? x.street !== streetCode : districtCode ? x.district !== districtCode : false) continue;
      if (code === null) code = x.code;
      else if (x.code !== code) several = true;
    }
    if (code === null) continue;
    if (!several) {
      out.communityCode = code;
      out.communityMatch = 'full';
      if (t.end > consumedEnd) consumedEnd = t.end;
      break;
    }
    ambiguous = true;
  }
  if (!out.communityCode && streetCode) {
    const cores = gaz.communityCoresByStreet.get(streetCode);
    if (cores) {
      for (const t of tokens) {
        if (NOT_A_DIVISION_AFTER.test(normalized.slice(t.end, t.end + 3))) continue;
        const codes = cores.get(normalized.slice(t.start, t.end));
        if (codes && codes.length === 1) {
          out.communityCode = codes[0]!;
          out.communityMatch = 'core';
          if (t.end > consumedEnd) consumedEnd = t.end;
          break;
        }
      }
    }
  }
  out.communityAmbiguous = !out.communityCode && ambiguous;

  const road = findRoad(normalized, consumedEnd) ?? (consumedEnd > 0 ? findRoad(normalized, 0) : null);
  let restStart = consumedEnd;
  if (road) {
    out.road = road.road;
    out.number = road.number;
    if (road.end > restStart) restStart = road.end;
  }
  out.rest = normalized.slice(restStart);
  return out;
}
