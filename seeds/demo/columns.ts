/**
 * Per-file header plans: which alias each column goes by, which extra
 * columns ride along, and the column order — all drawn from the file's own
 * random stream, as different exports of the same register differ.
 */
import { decorateHeader } from './mess.ts';
import type { Rand } from './prng.ts';

export interface ColumnDef<K extends string> {
  key: K;
  /** The first is the name in feeds/README.md; the others are its listed aliases. */
  headers: readonly string[];
  /** Share of files that carry an optional column; required columns omit it. */
  optional?: number;
  /** Never decorated or aliased (the labour grid file keeps the sample's exact header). */
  fixed?: boolean;
}

export interface PlannedColumn<K extends string> {
  key: K;
  header: string;
}

export function planColumns<K extends string>(
  defs: ReadonlyArray<ColumnDef<K>>,
  rng: Rand,
  opts: { shuffle?: boolean; aliasShare?: number } = {},
): Array<PlannedColumn<K>> {
  const planned: Array<PlannedColumn<K>> = [];
  for (const def of defs) {
    if (def.optional !== undefined && !rng.chance(def.optional)) continue;
    if (def.fixed) {
      planned.push({ key: def.key, header: def.headers[0] as string });
      continue;
    }
    const alias = def.headers.length > 1 && rng.chance(opts.aliasShare ?? 0.35) ? rng.pick(def.headers.slice(1)) : (def.headers[0] as string);
    planned.push({ key: def.key, header: decorateHeader(alias, rng) });
  }
  return opts.shuffle === false ? planned : rng.shuffle(planned);
}

/** Cells of one record in the planned order; a key the record lacks is an empty cell. */
export function cellsFor<K extends string, V>(plan: ReadonlyArray<PlannedColumn<K>>, record: Partial<Record<K, V>>, empty: V): V[] {
  return plan.map((c) => (c.key in record ? (record[c.key] as V) : empty));
}
