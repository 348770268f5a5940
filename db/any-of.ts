import { sql, type RawBuilder } from 'kysely';

/**
 * `= any(…)` of one array parameter, for a set of keys of any size: `x = any(${anyOf(ids, 'text')})`.
 * An IN list binds one parameter per key, which PostgreSQL plans key by key (and caps at 65,535): read
 * in chunks of 5,000 keys, the 37,000 gazetteer-pass units of a 250,000-unit register took 2.4–3.8 s,
 * as one array 0.8–0.9 s.
 */
export function anyOf(keys: readonly string[], type: 'text' | 'bigint'): RawBuilder<string> {
  return sql<string>`any(${[...keys]}::${sql.raw(type)}[])`;
}
