/**
 * How official division names are spoken: grid names, addresses and unit
 * names use '新星社区', '杭集镇', '杭集' rather than '新星社区居委会' or
 * '扬州市生态科技新城杭集镇'.
 */

const COMMUNITY_SUFFIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/社区居民委员会$/, '社区'],
  [/社区居委会$/, '社区'],
  [/社区居委$/, '社区'],
  [/居民委员会$/, '社区'],
  [/居委会$/, '社区'],
  [/村民委员会$/, '村'],
  [/村委会$/, '村'],
];

/** '五里庙社区居委会' → '五里庙社区', '施井村委会' → '施井村', '李典居委会' → '李典社区'. */
export function communityShortName(official: string): string {
  for (const [suffix, replacement] of COMMUNITY_SUFFIXES) {
    if (suffix.test(official)) return official.replace(suffix, replacement);
  }
  return official;
}

export function isVillage(official: string): boolean {
  return /村(民委员会|委会)$/.test(official);
}

/** Statistics numbers communities of parks and farms 4xx ('虚拟社区'); no address names them. */
export function isVirtualCommunity(code: string, official: string): boolean {
  return code.slice(9, 10) === '4' || official.includes('虚拟');
}

/** The street/town as addresses write it in full: drops the new-town and province prefixes. */
export function streetFullName(official: string): string {
  return official.replace(/^扬州市生态科技新城/, '').replace(/^江苏省扬州/, '');
}

/** The core people write when they drop the suffix: '杭集镇' → '杭集', '汶河街道' → '汶河'; parks have none. */
export function streetCoreName(official: string): string {
  const full = streetFullName(official);
  if (/(开发区|园区|农场)$/.test(full)) return full;
  return full.replace(/(街道|镇|乡)$/, '');
}

const GRID_STREET_NAMES: Record<string, string> = {
  江苏省扬州高新技术产业开发区: '扬州高新区',
};

/** Level-1 grid names follow the labour bureau's file: '汶河街道网格', '杭集镇网格', '扬州高新区网格'. */
export function gridStreetName(official: string): string {
  return GRID_STREET_NAMES[official] ?? streetFullName(official);
}

export const DISTRICT_SHORT: Record<string, string> = {
  '321002': '广陵区',
  '321003': '邗江区',
  '321012': '江都区',
  '321071': '开发区',
};
