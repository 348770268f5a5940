import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

/** 5 failed sign-ins within 15 minutes, from one address or for one user name, block further tries. */
export const LOGIN_LIMIT = { failures: 5, windowMinutes: 15 };

export interface Attempt {
  at: Date;
  succeeded: boolean;
}

/**
 * Seconds until another try is allowed, or 0. For a user name a success clears the count (the owner
 * got in); for an address it does not, so one valid account cannot be used to reset guessing others.
 */
export function retryAfterSeconds(attempts: Attempt[], now: Date, resetOnSuccess: boolean, limit = LOGIN_LIMIT): number {
  const windowStart = now.getTime() - limit.windowMinutes * 60_000;
  let counted = attempts.filter((a) => a.at.getTime() > windowStart).sort((a, b) => a.at.getTime() - b.at.getTime());
  if (resetOnSuccess) {
    const lastSuccess = counted.map((a) => a.succeeded).lastIndexOf(true);
    counted = counted.slice(lastSuccess + 1);
  }
  const failures = counted.filter((a) => !a.succeeded);
  if (failures.length < limit.failures) return 0;
  // Allowed again once enough of the counted failures have aged out of the window.
  const freeing = failures[failures.length - limit.failures]!;
  return Math.max(1, Math.ceil((freeing.at.getTime() + limit.windowMinutes * 60_000 - now.getTime()) / 1000));
}

export async function loginRetryAfter(db: Kysely<DB>, ip: string, username: string, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - LOGIN_LIMIT.windowMinutes * 60_000);
  const rows = await db
    .selectFrom('web.login_attempt')
    .select(['at', 'succeeded', 'ip', 'username'])
    .where('at', '>', since)
    .where((eb) => eb.or([eb('ip', '=', ip), eb('username', '=', username)]))
    .execute();
  const toAttempt = (r: { at: Date; succeeded: boolean }): Attempt => ({ at: new Date(r.at), succeeded: r.succeeded });
  return Math.max(
    retryAfterSeconds(rows.filter((r) => r.ip === ip).map(toAttempt), now, false),
    retryAfterSeconds(rows.filter((r) => r.username === username).map(toAttempt), now, true),
  );
}

export async function recordLoginAttempt(db: Kysely<DB>, ip: string, username: string, succeeded: boolean, now = new Date()): Promise<void> {
  await db.insertInto('web.login_attempt').values({ ip, username: username.slice(0, 100), succeeded, at: now }).execute();
  // Old attempts say nothing about the window any more; keep the table small.
  await db.deleteFrom('web.login_attempt').where('at', '<', new Date(now.getTime() - 24 * 3600_000)).execute();
}
