/** Invented people and phone numbers: legal representatives, inspectors, assistants. */
import { GIVEN_CHARS, MOBILE_PREFIXES, SURNAMES } from './lexicon.ts';
import type { Rand } from './prng.ts';

export function personName(rng: Rand): string {
  const surname = rng.pick(SURNAMES);
  const given = rng.chance(0.3) ? rng.pick(GIVEN_CHARS) : rng.pick(GIVEN_CHARS) + rng.pick(GIVEN_CHARS);
  return surname + given;
}

export function randomDigits(rng: Rand, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

export function mobilePhone(rng: Rand): string {
  return rng.pick(MOBILE_PREFIXES) + randomDigits(rng, 8);
}

/** Yangzhou landlines are 0514 plus eight digits starting 8. */
export function landline(rng: Rand): string {
  return `0514-8${randomDigits(rng, 7)}`;
}

export function phone(rng: Rand, landlineShare = 0.35): string {
  return rng.chance(landlineShare) ? landline(rng) : mobilePhone(rng);
}

