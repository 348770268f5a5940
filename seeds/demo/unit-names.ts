/**
 * Names of employing units, built from parts so the hard cases (near-identical
 * names, one trade name in two districts, renames) can be derived from them.
 */
import { COMPANY_FORMS, type Industry, SOCIAL_GROUPS, TRADE_CHARS } from './lexicon.ts';
import type { Place } from './places.ts';
import type { Rand } from './prng.ts';

export type PrefixStyle = 'yz' | 'yzs' | 'js' | 'none' | 'district' | 'paren';

export interface CompanyNameParts {
  prefix: PrefixStyle;
  trade: string;
  word: string;
  form: string;
}

/** The district as unit names carry it: '扬州市邗江区', '扬州经济技术开发区'. */
export function districtNamePrefix(place: Place): string {
  return place.districtCode === '321071' ? '扬州经济技术开发区' : `扬州市${place.districtName}`;
}

export function tradeName(rng: Rand): string {
  const a = rng.pick(TRADE_CHARS);
  let b = rng.pick(TRADE_CHARS);
  while (b === a) b = rng.pick(TRADE_CHARS);
  return rng.chance(0.15) ? a + b + rng.pick(TRADE_CHARS) : a + b;
}

const PARTNERSHIP_WORDS = ['企业管理', '创业投资', '股权投资', '管理咨询'] as const;

export function drawCompanyParts(industry: Industry, rng: Rand): CompanyNameParts {
  let form: string = rng.weighted(COMPANY_FORMS);
  // A 厂 makes things; an 经营部 trades or serves.
  if (form === '厂' && !industry.code.startsWith('C')) form = '有限公司';
  if (form === '经营部' && !/^[FHOL]/.test(industry.code)) form = '有限公司';
  const word = form.startsWith('合伙') ? rng.pick(PARTNERSHIP_WORDS) : rng.pick(industry.words);
  let prefix = rng.weighted<PrefixStyle>([
    ['yz', 36],
    ['yzs', 22],
    ['js', 8],
    ['none', 20],
    ['district', 8],
    ['paren', 3],
  ]);
  // Sole proprietorships (厂, 经营部) are registered under their district.
  if ((form === '厂' || form === '经营部') && rng.chance(0.7)) prefix = 'district';
  return { prefix, trade: tradeName(rng), word, form };
}

export function composeCompanyName(p: CompanyNameParts, place: Place): string {
  switch (p.prefix) {
    case 'yz':
      return `扬州${p.trade}${p.word}${p.form}`;
    case 'yzs':
      return `扬州市${p.trade}${p.word}${p.form}`;
    case 'js':
      return `江苏${p.trade}${p.word}${p.form}`;
    case 'none':
      return `${p.trade}${p.word}${p.form}`;
    case 'district':
      return `${districtNamePrefix(place)}${p.trade}${p.word}${p.form}`;
    case 'paren':
      return `${p.trade}（扬州）${p.word}${p.form}`;
  }
}

/** Characters that sound alike; a clerk typing a name by ear swaps them. */
export const HOMOPHONES: Readonly<Record<string, string>> = {
  鑫: '新', 新: '鑫', 源: '原', 原: '源', 华: '化', 晟: '盛', 盛: '晟', 宏: '鸿', 鸿: '宏', 泰: '太',
  达: '大', 辉: '晖', 晖: '辉', 瑞: '锐', 佳: '嘉', 嘉: '佳', 恒: '衡', 丰: '峰', 峰: '丰', 邦: '帮',
  信: '兴', 兴: '信', 晨: '辰', 宇: '雨', 祥: '翔', 凯: '铠', 润: '闰', 明: '鸣', 腾: '滕', 俊: '骏',
  骏: '俊', 锦: '金', 金: '锦', 诚: '成', 成: '诚', 帆: '凡', 航: '杭', 立: '力', 力: '立', 杰: '洁',
};

/** A one-character slip in the trade name, or null when no character has a sound-alike. */
export function misspellTrade(trade: string, rng: Rand): string | null {
  const positions = [...trade].map((ch, i) => (HOMOPHONES[ch] ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return null;
  const i = rng.pick(positions);
  const chars = [...trade];
  chars[i] = HOMOPHONES[chars[i] as string] as string;
  return chars.join('');
}

const WORD_EXTENSIONS = ['制造', '设备', '科技', '工程', '技术', '实业'] as const;
const FORM_SWAPS: Readonly<Record<string, readonly string[]>> = {
  有限公司: ['有限责任公司', '股份有限公司'],
  有限责任公司: ['有限公司'],
  股份有限公司: ['有限公司'],
  集团有限公司: ['有限公司'],
  厂: ['有限公司'],
  经营部: ['有限公司'],
  '合伙企业（有限合伙）': ['有限公司'],
};
const PREFIX_SWAPS: Readonly<Record<PrefixStyle, readonly PrefixStyle[]>> = {
  yz: ['yzs', 'none', 'js'],
  yzs: ['yz', 'none'],
  js: ['yz', 'yzs'],
  none: ['yz', 'yzs'],
  district: ['yzs', 'none'],
  paren: ['none', 'yz'],
};

/** A different, legally distinct name that a matcher could take for the same one. */
export function nearNameParts(base: CompanyNameParts, rng: Rand): CompanyNameParts {
  const how = rng.pick(['prefix', 'word', 'form', 'trade'] as const);
  switch (how) {
    case 'prefix':
      return { ...base, prefix: rng.pick(PREFIX_SWAPS[base.prefix]) };
    case 'word':
      return { ...base, word: base.word + rng.pick(WORD_EXTENSIONS) };
    case 'form':
      return { ...base, form: rng.pick(FORM_SWAPS[base.form] ?? ['有限公司']) };
    case 'trade': {
      const trade = misspellTrade(base.trade, rng);
      return trade ? { ...base, trade } : { ...base, word: base.word + rng.pick(WORD_EXTENSIONS) };
    }
  }
}

/** What an old name looked like before a rename: a restructure, a provincial upgrade or a new trade name. */
export function formerNameParts(current: CompanyNameParts, industry: Industry, rng: Rand): CompanyNameParts {
  const how = rng.pick(['upgrade', 'restructure', 'trade'] as const);
  // A company often began as its owner's 厂 (makers) or 经营部 (traders, services).
  const soleForm = industry.code.startsWith('C') ? '厂' : /^[FHOL]/.test(industry.code) ? '经营部' : null;
  if (how === 'upgrade') {
    return current.prefix === 'js' ? { ...current, prefix: 'yzs' } : { ...current, prefix: 'district', form: '有限公司' };
  }
  if (how === 'restructure' && soleForm !== null && current.form !== soleForm) {
    return { ...current, form: soleForm, prefix: 'district' };
  }
  return { ...current, trade: tradeName(rng) };
}

export interface ShopNameParts {
  trade: string;
  goods: string;
  form: string;
}

export function composeShopName(p: ShopNameParts, place: Place, rng: Rand): string {
  const label = rng.weighted([
    [districtNamePrefix(place), 70],
    [place.districtCode === '321071' ? '扬州市开发区' : place.districtName, 15],
    ['扬州市', 10],
    ['', 5],
  ] as const);
  return `${label}${p.trade}${p.goods}${p.form}`;
}

export function socialName(place: Place, rng: Rand, trade: string): { name: string; type: '社会团体' | '民办非企业单位' | '基金会' } {
  const level = rng.chance(0.55) ? '扬州市' : districtNamePrefix(place);
  const r = rng.next();
  if (r < 0.3) {
    const { topics, kinds } = SOCIAL_GROUPS.association;
    return { name: `${level}${rng.pick(topics)}${rng.pick(kinds)}`, type: '社会团体' };
  }
  if (r < 0.33) return { name: `扬州市${trade}${rng.pick(['慈善基金会', '教育发展基金会', '红十字基金会'])}`, type: '基金会' };
  const plain = rng.chance(0.25) ? `扬州${trade}` : `${level}${trade}`;
  return { name: `${plain}${rng.pick(SOCIAL_GROUPS.nonprofit)}`, type: '民办非企业单位' };
}

const COOP_PRODUCTS = ['茶叶', '蔬菜', '水稻', '葡萄', '草莓', '水产养殖', '花木', '农机', '苗木', '家禽养殖', '食用菌', '稻麦'] as const;

export function coopName(place: Place, rng: Rand): string {
  const trade = rng.chance(0.4) ? rng.pick(TRADE_CHARS) + rng.pick(TRADE_CHARS) : '';
  return `${districtNamePrefix(place)}${place.streetCore}${trade}${rng.pick(COOP_PRODUCTS)}专业合作社`;
}

export function collectiveName(place: Place): string | null {
  if (!place.village || !place.communityShort) return null;
  return `${districtNamePrefix(place)}${place.streetFull}${place.communityShort}股份经济合作社`;
}
