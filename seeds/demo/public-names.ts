/**
 * Public bodies exist once per place (one 李典镇卫生院), so their names are
 * drawn from a finite per-place list rather than invented freely.
 */
import { PUBLIC_PER_COMMUNITY, PUBLIC_PER_DISTRICT, PUBLIC_PER_STREET } from './lexicon.ts';
import type { Place } from './places.ts';
import { districtNamePrefix } from './unit-names.ts';

export type PublicCategory = '机关' | '事业单位' | '群团';

export interface PublicBody {
  name: string;
  category: PublicCategory;
  /** 主管部门 in the personnel feed. */
  supervisor: string;
}

function districtGovernment(place: Place): string {
  return place.districtCode === '321071' ? '扬州经济技术开发区管理委员会' : `扬州市${place.districtName}人民政府`;
}

function supervisorFor(kind: string, place: Place, prefix: string): string {
  if (/学|幼儿园/.test(kind)) return `${prefix}教育局`;
  if (/卫生|医院|保健/.test(kind)) return `${prefix}卫生健康委员会`;
  return `${prefix}${place.streetFull}人民政府`;
}

/** Every public body that could sit in this community, in a fixed order. */
export function publicBodiesAt(place: Place): PublicBody[] {
  const prefix = districtNamePrefix(place);
  const out: PublicBody[] = [];
  const core = place.communityShort?.replace(/(社区|村)$/, '');
  if (core) {
    for (const kind of PUBLIC_PER_COMMUNITY) {
      out.push({ name: `${prefix}${core}${kind}`, category: '事业单位', supervisor: supervisorFor(kind, place, prefix) });
    }
  }
  for (const kind of PUBLIC_PER_STREET) {
    out.push({ name: `${prefix}${place.streetFull}${kind}`, category: '事业单位', supervisor: supervisorFor(kind, place, prefix) });
  }
  const office = place.streetFull.endsWith('街道')
    ? `${prefix}人民政府${place.streetFull}办事处`
    : `${prefix}${place.streetFull}人民政府`;
  out.push({ name: office, category: '机关', supervisor: districtGovernment(place) });
  for (const [kind, category] of PUBLIC_PER_DISTRICT) {
    out.push({ name: `${prefix}${kind}`, category, supervisor: districtGovernment(place) });
  }
  return out;
}
