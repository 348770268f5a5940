import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';

/**
 * Each file is its agency's full register as of its snapshot date, so only the newest file of a feed
 * kind is current: by the date in its name, then by arrival for files without one.
 */
export async function latestFiles(db: Kysely<DB>, kinds: string[]): Promise<Map<string, number>> {
  const files = await db
    .selectFrom('staging.file')
    .select(['id', 'kind', 'snapshot_date'])
    .where('status', '=', 'loaded')
    .where('kind', 'in', kinds)
    .execute();
  const best = new Map<string, { id: number; date: string }>();
  for (const f of files) {
    const date = f.snapshot_date ?? '';
    const cur = best.get(f.kind!);
    if (!cur || date > cur.date || (date === cur.date && f.id > cur.id)) best.set(f.kind!, { id: f.id, date });
  }
  return new Map([...best].map(([k, v]) => [k, v.id]));
}

