import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Database } from '../db/connect.ts';
import type { DB } from '../db/types.ts';
import type { Viewer } from './security/viewer.ts';

export interface WebOptions {
  /** Mark cookies Secure: set when the pages are served over https (directly or behind a proxy). */
  secureCookies: boolean;
  /** Absolute session lifetime. */
  sessionMinutes: number;
  /** Take the client address from X-Forwarded-For and the host from X-Forwarded-Host (behind a reverse proxy). */
  trustProxy: boolean;
}

export const DEFAULT_OPTIONS: WebOptions = { secureCookies: false, sessionMinutes: 8 * 60, trustProxy: false };

/** What every handler gets: the one shared database (PGlite is one connection) and the options. */
export interface WebDeps {
  database: Database;
  db: Kysely<DB>;
  options: WebOptions;
}

export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { viewer: Viewer; csrf: string };
}

export type AppContext = Context<AppEnv>;

export function isApi(c: Context): boolean {
  return c.req.path.startsWith('/api/');
}

export function clientIp(c: Context, options: WebOptions): string {
  if (options.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
