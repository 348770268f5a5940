/**
 * Where units sit: real communities from the division seed, each with its own
 * few roads and number ranges, so that the same road and numbers recur within
 * a community the way real addresses do.
 */
import type { Division } from '../default-grid.ts';
import {
  communityShortName,
  isVillage,
  isVirtualCommunity,
  streetCoreName,
  streetFullName,
} from './division-names.ts';
import { ADDRESS_SUFFIXES, GROUP_NUMERALS, ROADS } from './lexicon.ts';
import { Rand } from './prng.ts';

export interface RoadSpan {
  road: string;
  from: number;
  to: number;
}

export interface Place {
  communityCode: string;
  communityName: string;
  /** '新星社区', '施井村'; null for virtual communities no address names. */
  communityShort: string | null;
  village: boolean;
  streetCode: string;
  streetName: string;
  streetFull: string;
  streetCore: string;
  districtCode: string;
  districtName: string;
  roads: readonly RoadSpan[];
}

export interface PlaceIndex {
  places: readonly Place[];
  byCommunity: ReadonlyMap<string, Place>;
  byDistrict: ReadonlyMap<string, readonly Place[]>;
  byStreet: ReadonlyMap<string, readonly Place[]>;
}

function roadsFor(communityCode: string, districtCode: string): RoadSpan[] {
  const pool = ROADS[districtCode];
  if (!pool) throw new Error(`no road list for district ${districtCode}`);
  const rng = Rand.of('roads', communityCode);
  const count = rng.int(2, 4);
  const chosen = rng.shuffle([...pool]).slice(0, count);
  return chosen.map((road) => {
    const from = rng.int(1, 360);
    return { road, from, to: from + rng.int(15, 70) };
  });
}

export function buildPlaces(divisions: readonly Division[]): PlaceIndex {
  const byCode = new Map(divisions.map((d) => [d.code, d]));
  const places: Place[] = [];
  for (const d of divisions) {
    if (d.level !== 'community' || d.parentCode === null) continue;
    const street = byCode.get(d.parentCode);
    const district = street?.parentCode ? byCode.get(street.parentCode) : undefined;
    if (!street || !district) throw new Error(`division ${d.code} has no street or district`);
    const virtual = isVirtualCommunity(d.code, d.name);
    places.push({
      communityCode: d.code,
      communityName: d.name,
      communityShort: virtual ? null : communityShortName(d.name),
      village: isVillage(d.name),
      streetCode: street.code,
      streetName: street.name,
      streetFull: streetFullName(street.name),
      streetCore: streetCoreName(street.name),
      districtCode: district.code,
      districtName: district.name,
      roads: roadsFor(d.code, district.code),
    });
  }
  places.sort((a, b) => (a.communityCode < b.communityCode ? -1 : 1));
  const group = (key: (p: Place) => string): Map<string, Place[]> => {
    const m = new Map<string, Place[]>();
    for (const p of places) {
      const list = m.get(key(p)) ?? [];
      list.push(p);
      m.set(key(p), list);
    }
    return m;
  };
  return {
    places,
    byCommunity: new Map(places.map((p) => [p.communityCode, p])),
    byDistrict: group((p) => p.districtCode),
    byStreet: group((p) => p.streetCode),
  };
}

/** The parts of one unit's address; feeds spell them out differently. */
export interface AddressParts {
  road: string;
  number: number;
  suffix: string;
  /** '四组' when the address is a village group rather than a road. */
  group: string | null;
  /** How this unit usually names its street/town: in full, only its core, or not at all. */
  streetStyle: 'full' | 'core' | 'none';
  withCommunity: boolean;
}

export function drawAddress(place: Place, rng: Rand, near?: AddressParts): AddressParts {
  const streetStyle = rng.weighted([
    ['full', 50],
    ['core', 17],
    ['none', 33],
  ] as const);
  if (near && rng.chance(0.7)) {
    // A unit in the same building or yard as another one: same road, nearby number.
    return { ...near, number: near.group ? near.number : near.number + rng.int(0, 3), suffix: rng.weighted(ADDRESS_SUFFIXES), streetStyle };
  }
  const span = rng.pick(place.roads);
  const grouped = place.village && place.communityShort !== null && rng.chance(0.5);
  return {
    road: span.road,
    number: grouped ? rng.int(1, 90) : rng.int(span.from, span.to),
    suffix: grouped ? '' : rng.weighted(ADDRESS_SUFFIXES),
    group: grouped ? `${rng.pick(GROUP_NUMERALS)}组` : null,
    streetStyle,
    withCommunity: grouped || (place.communityShort !== null && rng.chance(0.4)),
  };
}

export interface AddressStyle {
  province: boolean;
  city: boolean;
  district: 'official' | 'short' | 'none';
  street: 'full' | 'core' | 'none';
  community: boolean;
}

/** How a district is written in an address: 扬州经济技术开发区 is often just 开发区 or 经济技术开发区. */
function districtLabel(place: Place, style: AddressStyle['district'], rng: Rand): string {
  if (style === 'none') return '';
  if (place.districtCode !== '321071') return place.districtName;
  if (style === 'official') return '经济技术开发区';
  return rng.pick(['开发区', '经济技术开发区', '扬州经济技术开发区']);
}

export function spellAddress(place: Place, parts: AddressParts, style: AddressStyle, rng: Rand): string {
  let s = '';
  if (style.city) s += style.province ? '江苏省扬州市' : '扬州市';
  const district = districtLabel(place, style.district, rng);
  // '扬州市扬州经济技术开发区' is not written: the park name carries the city.
  s += s.endsWith('扬州市') && district.startsWith('扬州') ? district.slice(2) : district;
  if (style.street === 'full') s += place.streetFull;
  else if (style.street === 'core') s += place.streetCore;
  if ((style.community || parts.group) && place.communityShort) s += place.communityShort;
  if (parts.group) return `${s}${parts.group}${parts.number}号`;
  return `${s}${parts.road}${parts.number}号${parts.suffix}`;
}

/** The fullest spelling, for the truth file. */
export function canonicalAddress(place: Place, parts: AddressParts): string {
  const style: AddressStyle = { province: false, city: true, district: 'official', street: 'full', community: true };
  return spellAddress(place, parts, style, new Rand(0));
}
