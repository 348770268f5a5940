// Tables of one feature area: users, sessions, audit (issue: web pages). Created by db/migrations/006-web.ts.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigId = ColumnType<string, never, never>;

export type Role = 'steward' | 'inspector' | 'admin';

export interface WebUserTable {
  id: Generated<number>;
  username: string;
  display_name: string | null;
  role: Role;
  password_hash: string;
  created_at: Generated<Date>;
  disabled_at: Timestamp | null;
}

export interface WebUserGridTable {
  user_id: number;
  grid_code: string;
}

export interface WebSessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface WebLoginAttemptTable {
  id: BigId;
  at: Generated<Date>;
  ip: string;
  username: string;
  succeeded: boolean;
}

export interface WebAuditTable {
  id: BigId;
  at: Generated<Date>;
  user_id: number | null;
  username: string;
  action: string;
  target: string | null;
  detail: unknown;
  ip: string | null;
}

export interface WebTables {
  'web.user': WebUserTable;
  'web.user_grid': WebUserGridTable;
  'web.session': WebSessionTable;
  'web.login_attempt': WebLoginAttemptTable;
  'web.audit': WebAuditTable;
}
