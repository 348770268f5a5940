import { parseAddress, type Gazetteer, type NameMatch } from '../normalize/addresses.ts';
import { findRoadNumber, type RoadAddress } from './road-gazetteer.ts';

/** What one address says about where a unit is, as placement uses it. */
export interface AddressEvidence {
  text: string;
  districtCode: string | null;
  streetCode: string | null;
  streetMatch: NameMatch | null;
  communityCode: string | null;
  communityMatch: NameMatch | null;
  /** The community name exists under several streets and the address does not say which. */
  communityAmbiguous: boolean;
  /** A community core name was found but only as part of a road or building name (扬子江南路, 综合楼). */
  coreRejected: string | null;
  road: RoadAddress | null;
}

// A core name followed by these is part of a building or estate name, not a community.
const BUILDING_AFTER = /^(?:楼|大楼|大厦|座|幢|栋|室|厂|院|广场|花园|小区|公寓|苑|家园|中心|市场|新村)/;

/**
 * Parses an address against the division gazetteer, then refuses a community found by its bare core name
 * where that core is really the start of a road or building name: 扬子 in 扬子江南路, 综合 in 综合楼.
 */
export function addressEvidence(text: string, gaz: Gazetteer): AddressEvidence {
  const p = parseAddress(text, gaz);
  const road = findRoadNumber(p.normalized);
  const out: AddressEvidence = {
    text: p.normalized,
    districtCode: p.districtCode,
    streetCode: p.streetCode,
    streetMatch: p.streetMatch,
    communityCode: p.communityCode,
    communityMatch: p.communityMatch,
    communityAmbiguous: p.communityAmbiguous,
    coreRejected: null,
    road,
  };
  if (p.communityCode && p.communityMatch === 'core') {
    const cores = coresOf(p.communityCode, gaz);
    const real = cores.some((core) => occurrences(p.normalized, core).some((at) => !insideRoad(at, core.length, road) && !BUILDING_AFTER.test(p.normalized.slice(at + core.length))));
    if (!real) {
      out.coreRejected = cores[0] ?? p.communityCode;
      out.communityCode = null;
      out.communityMatch = null;
    }
  }
  return out;
}

// community code → its core names, in the gazetteer's order; built once per gazetteer instead of scanning every street's cores per address.
const coresByCommunity = new WeakMap<Gazetteer, Map<string, string[]>>();

function coresOf(community: string, gaz: Gazetteer): string[] {
  let index = coresByCommunity.get(gaz);
  if (!index) {
    index = new Map();
    for (const [, cores] of gaz.communityCoresByStreet) {
      for (const [core, codes] of cores) {
        for (const code of new Set(codes)) {
          const list = index.get(code);
          if (list) list.push(core);
          else index.set(code, [core]);
        }
      }
    }
    coresByCommunity.set(gaz, index);
  }
  return index.get(community) ?? [];
}

function occurrences(text: string, word: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) out.push(i);
  return out;
}

function insideRoad(at: number, length: number, road: RoadAddress | null): boolean {
  return road !== null && at >= road.start && at + length <= road.end;
}
