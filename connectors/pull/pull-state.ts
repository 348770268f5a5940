import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { PullStateTable } from '../../db/tables/pulls.ts';

export type PullState = Selectable<PullStateTable>;
type PullStateWrite = Omit<Insertable<PullStateTable>, 'agency' | 'url'>;

export async function readPullState(db: Kysely<DB>, agency: string, url: string): Promise<PullState | undefined> {
  return db.selectFrom('staging.pull_state').selectAll().where('agency', '=', agency).where('url', '=', url).executeTakeFirst();
}

/** Records the outcome of a pull; columns not given keep their value. */
export async function savePullState(db: Kysely<DB>, agency: string, url: string, values: PullStateWrite): Promise<void> {
  await db
    .insertInto('staging.pull_state')
    .values({ agency, url, ...values })
    .onConflict((oc) => oc.columns(['agency', 'url']).doUpdateSet(values))
    .execute();
}

/** Forgets what the last pull got, so the next one downloads the file again. */
export async function forgetPullState(db: Kysely<DB>, agency: string, url: string): Promise<boolean> {
  const result = await db.deleteFrom('staging.pull_state').where('agency', '=', agency).where('url', '=', url).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
