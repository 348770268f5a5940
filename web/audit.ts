import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Viewer } from './security/viewer.ts';

export interface AuditEntry {
  action: string;
  /** What was acted on, e.g. "pair:123-456", "unit:U0000012", "user:zhang". */
  target: string | null;
  detail?: unknown;
}

/** Who did what and when; written in the same transaction as the change where there is one. */
export async function recordAudit(db: Kysely<DB>, viewer: Pick<Viewer, 'id' | 'username'> | null, entry: AuditEntry, ip: string | null): Promise<void> {
  await db
    .insertInto('web.audit')
    .values({ user_id: viewer?.id ?? null, username: viewer?.username ?? '-', action: entry.action, target: entry.target, detail: entry.detail === undefined ? null : JSON.stringify(entry.detail), ip })
    .execute();
}

export interface AuditRow {
  at: Date;
  username: string;
  action: string;
  target: string | null;
  detail: unknown;
}

export async function auditFor(db: Kysely<DB>, targets: string[], limit = 50): Promise<AuditRow[]> {
  if (targets.length === 0) return [];
  return db.selectFrom('web.audit').select(['at', 'username', 'action', 'target', 'detail']).where('target', 'in', targets).orderBy('id', 'desc').limit(limit).execute();
}
