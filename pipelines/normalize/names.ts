/**
 * Unit names: one display spelling, a comparison key, and the parts of a
 * Chinese registered name (region + 字号 + industry + organisational form,
 * 企业名称登记管理规定) that matching needs.
 */
import { alternation, canonText } from './text.ts';

export interface NormalizedName {
  /** NFKC, stray spaces removed, brackets written full-width （）. */
  display: string;
  /** Comparison key: display without Yangzhou region prefixes or bracketed regions, legal form canonicalised. */
  key: string;
  /** Canonical organisational form, the branch word for branches, or null. */
  legalForm: string | null;
  /** The 字号 (trade name) as far as it can be told; '' when the name has none. */
  tradeName: string;
  isBranch: boolean;
  /** For a branch, the display name of the unit it belongs to, when the name spells it. */
  parentName: string | null;
  /** The Yangzhou region prefix that was stripped for the key, or the bracketed region. */
  region: string | null;
  /**
   * The innermost region in one spelling per place (江都 for 扬州市江都区, 江都市
   * and 江都区), or null. The key drops the region, so two keys that are equal
   * while their regionKeys name two different districts (高邮 vs 宝应) are
   * likely two units: matchers should treat that as a conflict.
   */
  regionKey: string | null;
}

// Yangzhou's own divisions, current and historical (邗江县, 江都市 and the
// former 维扬区 still appear in old registrations). Only these are stripped
// from the key: every feed is Yangzhou's, so "扬州市盛昌电源有限公司" and
// "盛昌电源有限公司" are the same unit, while "南京X公司" and "X公司" are not.
const YZ_REGIONS = [
  '江苏省', '江苏', '扬州市', '扬州',
  '广陵区', '邗江区', '江都区', '维扬区', '宝应县', '仪征市', '高邮市',
  '江都市', '江都县', '邗江县', '仪征县', '高邮县', '郊区',
  '扬州经济技术开发区', '经济技术开发区', '扬州经济开发区', '开发区', '生态科技新城',
  '广陵', '邗江', '江都', '维扬', '宝应', '仪征', '高邮',
];
const YZ_REGION_PREFIX = new RegExp(`^(?:${alternation(YZ_REGIONS)})`);

// The same place spelled differently must give the same key when the region
// has to stay in it (see buildKey).
const REGION_CANON = new Map<string, string>([
  ['江苏省', '江苏'], ['扬州市', '扬州'],
  ['广陵区', '广陵'], ['邗江区', '邗江'], ['江都区', '江都'], ['维扬区', '邗江'], ['维扬', '邗江'],
  ['宝应县', '宝应'], ['仪征市', '仪征'], ['高邮市', '高邮'], ['江都市', '江都'], ['江都县', '江都'],
  ['邗江县', '邗江'], ['仪征县', '仪征'], ['高邮县', '高邮'],
  ['扬州经济技术开发区', '开发区'], ['经济技术开发区', '开发区'], ['扬州经济开发区', '开发区'],
]);

// Places that may lead a name or sit in its brackets (谷歌信息技术（中国）有限公司,
// 青岛啤酒（扬州）有限公司). Used to find the 字号 and bracketed regions only.
const PROVINCES = [
  '北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '黑龙江', '江苏', '浙江', '安徽', '福建',
  '江西', '山东', '河南', '湖北', '湖南', '广东', '海南', '四川', '贵州', '云南', '陕西', '甘肃', '青海',
  '台湾', '内蒙古', '广西', '西藏', '宁夏', '新疆', '香港', '澳门',
];
const CITIES = [
  '南京', '无锡', '徐州', '常州', '苏州', '南通', '连云港', '淮安', '盐城', '扬州', '镇江', '泰州', '宿迁',
  '杭州', '宁波', '温州', '绍兴', '嘉兴', '湖州', '金华', '台州', '合肥', '芜湖', '福州', '厦门', '泉州',
  '济南', '青岛', '烟台', '郑州', '武汉', '长沙', '广州', '深圳', '珠海', '东莞', '佛山', '成都', '西安',
  '沈阳', '大连', '长春', '哈尔滨', '石家庄', '太原', '南昌', '南宁', '昆明', '贵阳', '兰州', '昆山',
  '江阴', '张家港', '常熟', '宜兴', '泰兴', '靖江', '兴化', '丹阳', '句容',
];
const PLACES = [...new Set([...PROVINCES, ...CITIES, ...YZ_REGIONS, '中国', '中华'])];
const PLACE_PREFIX = new RegExp(
  `^(?:${alternation(PLACES.flatMap((p) => [p + '省', p + '市', p + '自治区', p]))})`,
);
const PLACE_INSIDE = new RegExp(`(?:${alternation(PLACES.filter((p) => p.length >= 2))})`);
const BRACKETED = /（([^（）]*)）/g;
const PLACE_WORD = new RegExp(`^(?:${alternation(PLACES)})(?:省|市|区|县|自治区)?$`);
const ADMIN_WORD = /^[\p{Script=Han}]{2,6}(?:省|市|区|县)$/u;

const YZ_REGION_WORD = new RegExp(`^(?:${alternation(YZ_REGIONS)})$`);

function isRegionWord(s: string): boolean {
  return PLACE_WORD.test(s) || ADMIN_WORD.test(s);
}

// Organisational forms, longest first; the value is the canonical spelling.
// 有限责任公司 and 有限公司 are one form (公司法 allows either word), 股份有限公司
// is a different one and stays distinct.
const LEGAL_FORMS: ReadonlyArray<readonly [string, string]> = [
  ['合伙企业（特殊普通合伙）', '合伙企业（特殊普通合伙）'],
  ['合伙企业（普通合伙）', '合伙企业（普通合伙）'],
  ['合伙企业（有限合伙）', '合伙企业（有限合伙）'],
  ['（特殊普通合伙）', '合伙企业（特殊普通合伙）'],
  ['（普通合伙）', '合伙企业（普通合伙）'],
  ['（有限合伙）', '合伙企业（有限合伙）'],
  ['（个体工商户）', '个体工商户'],
  ['（个人独资）', '个人独资企业'],
  ['股份经济合作社', '股份经济合作社'],
  ['农民专业合作社', '农民专业合作社'],
  ['个人独资企业', '个人独资企业'],
  ['股份有限公司', '股份有限公司'],
  ['有限责任公司', '有限公司'],
  ['经济合作社', '经济合作社'],
  ['专业合作社', '农民专业合作社'],
  ['有限公司', '有限公司'],
  ['合伙企业', '合伙企业'],
  ['合作社', '合作社'],
  ['供销社', '合作社'],
  ['工作室', '工作室'],
  ['事务所', '事务所'],
  ['经营部', '经营部'],
  ['门市部', '门市部'],
  ['经理部', '经理部'],
  // Social organisations and public institutions (civil-affairs, personnel feeds).
  ['民办非企业单位', '民办非企业单位'],
  ['基金会', '基金会'],
  ['研究会', '研究会'],
  ['促进会', '促进会'],
  ['联合会', '联合会'],
  ['幼儿园', '幼儿园'],
  ['协会', '协会'],
  ['学会', '学会'],
  ['商会', '商会'],
  ['学校', '学校'],
  ['医院', '医院'],
  ['公司', '公司'],
  ['商行', '商行'],
  ['商店', '店'],
  ['厂', '厂'],
  ['店', '店'],
];
const LEGAL_FORM_SUFFIX = new RegExp(`(?:${alternation(LEGAL_FORMS.map(([s]) => s))})$`);
const LEGAL_FORM_CANON = new Map(LEGAL_FORMS);

// A branch carries its parent's full name followed by its own (分支机构名称 =
// 隶属企业名称 + 分支机构名称), so these words end branches; a bank's 支行 is one.
const BRANCH_WORDS = [
  '分公司', '支公司', '分店', '办事处', '营业部', '分厂', '支行', '分行', '分理处', '分所', '分部',
  '支局', '分社', '营业所', '储蓄所',
];
const BRANCH_SUFFIX = new RegExp(`(?:${alternation(BRANCH_WORDS)})$`);
// Words that end a parent unit's name inside a branch's name.
const PARENT_END = /(?:公司|合作社|供销社|总社|联社|银行|集团|厂|局|店)/g;
// Without a branch word, only a company, co-operative or bank followed by
// more text marks a branch (扬州市金鼎商贸有限公司荷花池浴室): 厂/店/集团
// are too often part of a single unit's own name.
const EMBEDDED_PARENT_END = /(?:公司|合作社|供销社|总社|联社|银行|总厂)/g;
// A factory's shop or sales department is named after the factory
// (扬州市江都区振洋机械厂经营部); only such departments follow a 厂/站 parent.
const DEPARTMENT_OF_WORKS = /^(.+?(?:厂|站))([^厂站]{0,8}(?:经营部|门市部|经理部|销售部|服务部))$/;
const COMPANY_TAIL = /(?:有限公司|有限责任公司)$/;

// Industry words that follow the 字号 in a registered name. The list need not
// be complete: the 字号 is the text before the first of these.
const INDUSTRY_WORDS = [
  '电源', '科技', '贸易', '餐饮', '建设', '工程', '商贸', '服务', '实业', '发展', '投资', '管理', '咨询',
  '房地产', '置业', '地产', '物业', '电子', '电器', '电气', '电力', '电缆', '电机', '电讯', '通信', '通讯',
  '机械', '机电', '设备', '制品', '制造', '塑料', '塑胶', '化工', '化学', '食品', '纺织', '服装', '服饰',
  '制衣', '针织', '建材', '建筑', '装饰', '装潢', '印刷', '包装', '彩印', '运输', '物流', '货运', '信息',
  '技术', '网络', '软件', '数据', '农业', '农产品', '养殖', '种植', '种业', '医药', '药业', '药房', '大药房',
  '医疗', '器械', '生物', '汽车', '汽配', '摩托车', '金属', '钢材', '钢结构', '材料', '新材料', '环保',
  '环境', '能源', '新能源', '光伏', '照明', '灯具', '家具', '工艺', '文化', '传媒', '广告', '旅游', '旅行',
  '酒店', '宾馆', '饭店', '商场', '超市', '百货', '供销', '铸造', '五金', '模具', '化纤', '橡胶', '玻璃',
  '水泥', '石油', '石化', '仪器', '仪表', '光电', '教育', '培训', '人力资源', '劳务', '安装', '装备',
  '自动化', '轻工', '工贸', '商务', '物资', '体育', '乳业', '羽绒', '皮革', '刷业', '牙刷', '纸品', '纸业',
  '木材', '木业', '渔业', '水产', '集团', '控股', '市政', '园林', '绿化', '交通', '铁件', '配件', '零部件',
  '冶金', '钢铁', '不锈钢', '粮油', '油脂', '米业', '茶叶', '酒业', '饮料', '日用品', '化妆品',
  '美容', '美发', '休闲', '娱乐', '健身', '家电', '家居', '家政', '保洁', '安防', '消防', '保安', '检测',
  '设计', '规划', '勘察', '测绘', '监理', '造价', '评估', '会计', '律师', '人力', '职业', '中介', '租赁',
  '拍卖', '典当', '担保', '金融', '保险', '证券', '银行', '邮政', '电信', '移动', '联通', '燃气', '热力',
  '供水', '水务', '污水', '加油站', '石材', '陶瓷', '耐火', '保温', '防水', '门窗', '幕墙', '钢构',
  '机床', '船舶', '航空', '车业', '车辆', '电动车', '自行车', '轴承', '阀门', '泵业', '管业', '线缆',
  '织造', '丝绸', '毛纺', '棉纺', '毛巾', '鞋业', '箱包', '玩具', '文具', '礼品', '漆器', '玉器',
  '盆景', '花木', '苗木', '园艺', '食用菌', '禽业', '蛋业', '肉类', '屠宰', '冷冻', '冷藏', '仓储',
  '码头', '港口', '航运', '船务', '快递', '配送', '外贸', '进出口', '国际', '实业发展', '开发',
  '农村商业银行', '农村合作银行', '商业银行', '村镇银行', '信用合作社', '信用社', '蓄电池', '电池', '医用',
  '经贸', '科贸', '电线', '劳动', '船用', '联运', '集装箱', '油泵', '标准件', '敷料', '助剂', '聚塑',
];
const INDUSTRY_RE = new RegExp(alternation(INDUSTRY_WORDS));

const SPELLING_FIXES: ReadonlyArray<readonly [RegExp, string]> = [
  // （集团） and 集团 are the same word in a registered name.
  [/（集团）/g, '集团'],
  [/有限责任公司/g, '有限公司'],
  [/供销社/g, '供销合作社'],
  [/（个体工商户）$/, ''],
  [/（个人独资）$/, ''],
];
const KEY_NOISE = /[\s·•・.,，、'"‘’“”`]/g;

function stripRegionPrefixes(s: string): { rest: string; parts: string[] } {
  const parts: string[] = [];
  let rest = s;
  for (;;) {
    const m = YZ_REGION_PREFIX.exec(rest);
    if (!m) break;
    const next = rest.slice(m[0].length);
    // A region that is the whole name (or all of it but the form) stays: it
    // is the name then, e.g. 扬州市公司 or 江都县.
    if (next === '' || LEGAL_FORM_CANON.has(next)) break;
    parts.push(m[0]);
    rest = next;
  }
  return { rest, parts };
}

function splitBranch(display: string): { isBranch: boolean; parent: string | null; branchWord: string | null } {
  const bm = BRANCH_SUFFIX.exec(display);
  if (bm) {
    const head = display.slice(0, bm.index);
    let end = -1;
    for (const m of head.matchAll(PARENT_END)) {
      // The parent needs a name of its own before its form word.
      if (m.index > 0) end = m.index + m[0].length;
    }
    return { isBranch: true, parent: end > 0 ? display.slice(0, end) : null, branchWord: bm[0] };
  }
  let end = -1;
  for (const m of display.matchAll(EMBEDDED_PARENT_END)) {
    const e = m.index + m[0].length;
    if (m.index > 0 && e < display.length) end = e;
  }
  if (end < 0) {
    const dm = DEPARTMENT_OF_WORKS.exec(display);
    if (dm && dm[1]!.length >= 3) return { isBranch: true, parent: dm[1]!, branchWord: null };
  }
  if (end > 0) {
    const tail = display.slice(end);
    if (tail.length >= 2 && !tail.startsWith('（') && !COMPANY_TAIL.test(tail) && !LEGAL_FORM_CANON.has(tail)) {
      return { isBranch: true, parent: display.slice(0, end), branchWord: null };
    }
  }
  return { isBranch: false, parent: null, branchWord: null };
}

function legalFormOf(s: string): { form: string | null; suffix: string } {
  const m = LEGAL_FORM_SUFFIX.exec(s);
  if (!m) return { form: null, suffix: '' };
  return { form: LEGAL_FORM_CANON.get(m[0]) ?? null, suffix: m[0] };
}

/**
 * Finds bracketed regions (青岛啤酒（扬州）有限公司) and removes those that
 * `drop` accepts; returns the first region found, removed or not.
 */
function dropBracketedRegions(s: string, drop: (region: string) => boolean): { text: string; region: string | null } {
  if (!s.includes('（')) return { text: s, region: null };
  let region: string | null = null;
  const text = s.replace(BRACKETED, (whole, inner: string) => {
    if (!isRegionWord(inner)) return whole;
    region ??= inner;
    return drop(inner) ? '' : whole;
  });
  return { text, region };
}

const ANY_REGION = () => true;
// As with prefixes, only a Yangzhou region leaves the key: 锤子科贸（上海）有限公司
// and 锤子科贸有限公司 may well be two companies.
const YANGZHOU_REGION = (r: string) => YZ_REGION_WORD.test(r);

function tradeNameOf(unitName: string, legalSuffix: string): string {
  let core = unitName.endsWith(legalSuffix) ? unitName.slice(0, unitName.length - legalSuffix.length) : unitName;
  core = dropBracketedRegions(core, ANY_REGION).text.replace(/（[^（）]*）/g, '');
  // Leading places of any level (扬州市江都区, 南京, 福建) precede the 字号.
  for (;;) {
    const m = PLACE_PREFIX.exec(core);
    if (!m || m[0].length >= core.length) break;
    core = core.slice(m[0].length);
  }
  let end = core.length;
  const im = INDUSTRY_RE.exec(core);
  if (im) end = im.index;
  // A place after the 字号 (东方红升扬州石油发展有限公司) ends it as well.
  const pm = PLACE_INSIDE.exec(core.slice(0, end));
  if (pm && pm.index > 0) end = pm.index;
  return core.slice(0, end);
}

function regionKeyOf(region: string): string {
  const canon = REGION_CANON.get(region);
  if (canon !== undefined) return canon;
  return region.length > 2 ? region.replace(/(?:省|市|区|县|自治区)$/, '') : region;
}

function buildKey(display: string): { key: string; region: string | null; regionKey: string | null } {
  const { rest, parts } = stripRegionPrefixes(display);
  const bracket = dropBracketedRegions(rest, YANGZHOU_REGION);
  let key = bracket.text;
  for (const [re, to] of SPELLING_FIXES) key = key.replace(re, to);
  key = key.replace(KEY_NOISE, '').toUpperCase();
  const region = parts.length > 0 ? parts.join('') : bracket.region;
  // With no 字号 left (扬州食品有限公司 → 食品有限公司) the region is what tells
  // the unit apart, so it stays in the key, in one spelling per place.
  const last = parts[parts.length - 1];
  const regionKey = last !== undefined ? regionKeyOf(last) : bracket.region !== null ? regionKeyOf(bracket.region) : null;
  if (last !== undefined && tradeNameOf(key, legalFormOf(key).suffix) === '') key = regionKeyOf(last) + key;
  return { key, region, regionKey };
}

/** Canonical display spelling, comparison key and parts of a unit name. Pure and idempotent. */
export function normalizeName(s: string | null | undefined): NormalizedName {
  const display = canonText(s);
  if (display === '') {
    return {
      display, key: '', legalForm: null, tradeName: '', isBranch: false, parentName: null, region: null, regionKey: null,
    };
  }
  const { key, region, regionKey } = buildKey(display);
  const branch = splitBranch(display);
  const unitName = branch.parent ?? display;
  const { form, suffix } = legalFormOf(unitName);
  let legalForm: string | null;
  if (branch.isBranch) legalForm = branch.branchWord ?? '分支机构';
  else legalForm = form;
  return {
    display,
    key,
    legalForm,
    tradeName: tradeNameOf(unitName, suffix),
    isBranch: branch.isBranch,
    parentName: branch.parent,
    region,
    regionKey,
  };
}

/** True when two names denote the same unit by their comparison keys. */
export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  const ka = normalizeName(a).key;
  return ka !== '' && ka === normalizeName(b).key;
}
