import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Role } from '../../db/tables/web.ts';
import { randomToken, tokenHash } from './tokens.ts';
import type { Viewer } from './viewer.ts';

export interface SessionOptions {
  /** Absolute lifetime of a session. */
  ttlMinutes: number;
  ip: string | null;
  userAgent: string | null;
}

export interface NewSession {
  /** Goes into the cookie; only its hash is stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Kysely<DB>, userId: number, options: SessionOptions, now = new Date()): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(now.getTime() + options.ttlMinutes * 60_000);
  // Sessions that ran out are swept here rather than by a timer: sign-ins are rare and cheap.
  await db.deleteFrom('web.session').where('expires_at', '<', now).execute();
  await db
    .insertInto('web.session')
    .values({ id_hash: tokenHash(token), user_id: userId, csrf_token: csrfToken, expires_at: expiresAt, ip: options.ip, user_agent: options.userAgent?.slice(0, 300) ?? null })
    .execute();
  return { token, csrfToken, expiresAt };
}

export interface ActiveSession {
  viewer: Viewer;
  csrfToken: string;
  expiresAt: Date;
}

/** The live session of a cookie value, or null when unknown, expired or its user is disabled. */
export async function findSession(db: Kysely<DB>, token: string | undefined, now = new Date()): Promise<ActiveSession | null> {
  if (!token || token.length > 100) return null;
  const row = await db
    .selectFrom('web.session as s')
    .innerJoin('web.user as u', 'u.id', 's.user_id')
    .select(['s.csrf_token', 's.expires_at', 'u.id', 'u.username', 'u.display_name', 'u.role', 'u.disabled_at'])
    .where('s.id_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row || row.disabled_at !== null || new Date(row.expires_at).getTime() <= now.getTime()) return null;
  const grids = await db.selectFrom('web.user_grid').select('grid_code').where('user_id', '=', row.id).orderBy('grid_code').execute();
  return {
    viewer: { id: row.id, username: row.username, displayName: row.display_name, role: row.role as Role, grids: grids.map((g) => g.grid_code) },
    csrfToken: row.csrf_token,
    expiresAt: new Date(row.expires_at),
  };
}

export async function deleteSession(db: Kysely<DB>, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.deleteFrom('web.session').where('id_hash', '=', tokenHash(token)).execute();
}
