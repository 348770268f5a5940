import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { Role } from '../db/tables/web.ts';
import { hashPassword, passwordProblem } from './security/passwords.ts';

export const ROLES: readonly Role[] = ['steward', 'inspector', 'admin'];

export interface NewUser {
  username: string;
  role: Role;
  password: string;
  grids?: string[];
  displayName?: string | null;
}

export interface UserSummary {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  grids: string[];
  createdAt: Date;
  disabled: boolean;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,39}$/;

/** User names are compared lower-cased, so "Zhang" and "zhang" are one account. */
export function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

async function checkGrids(db: Kysely<DB>, grids: string[]): Promise<void> {
  if (grids.length === 0) return;
  const known = await db.selectFrom('grid.grid').select('code').where('code', 'in', grids).where('active', '=', true).execute();
  const missing = grids.filter((g) => !known.some((k) => k.code === g));
  if (missing.length) throw new Error(`no grid with code ${missing.join(', ')}: run "gridlink grid status" to list the codes (grids are loaded by the first "gridlink sync")`);
}

/** Checks what needs no database (name, role, password, grids for an inspector); returns the cleaned name and grids. */
export function validateNewUser(user: NewUser): { username: string; grids: string[] } {
  const username = normalizeUsername(user.username);
  if (!USERNAME.test(username)) throw new Error('user name must be 2–40 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');
  if (!ROLES.includes(user.role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
  const problem = passwordProblem(user.password);
  if (problem) throw new Error(problem);
  const grids = [...new Set((user.grids ?? []).map((g) => g.trim()).filter(Boolean))];
  if (user.role === 'inspector' && grids.length === 0) throw new Error('an inspector needs at least one grid: add --grid CODE (run "gridlink grid status" to list the codes)');
  if (user.role !== 'inspector' && grids.length > 0) throw new Error(`a ${user.role} sees every grid; leave out --grid`);
  return { username, grids };
}

export async function addUser(db: Kysely<DB>, user: NewUser): Promise<UserSummary> {
  const { username, grids } = validateNewUser(user);
  await checkGrids(db, grids);
  const exists = await db.selectFrom('web.user').select('id').where('username', '=', username).executeTakeFirst();
  if (exists) throw new Error(`user ${username} already exists; use "gridlink users passwd ${username}" to set a new password`);
  const passwordHash = await hashPassword(user.password);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('web.user')
      .values({ username, role: user.role, password_hash: passwordHash, display_name: user.displayName ?? null, disabled_at: null })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    if (grids.length) await trx.insertInto('web.user_grid').values(grids.map((grid_code) => ({ user_id: row.id, grid_code }))).execute();
    return { id: row.id, username, displayName: user.displayName ?? null, role: user.role, grids, createdAt: row.created_at, disabled: false };
  });
}

/** Sets a new password and signs the user out everywhere. */
export async function setPassword(db: Kysely<DB>, username: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  const passwordHash = await hashPassword(password);
  const name = normalizeUsername(username);
  await db.transaction().execute(async (trx) => {
    const row = await trx.updateTable('web.user').set({ password_hash: passwordHash }).where('username', '=', name).returning('id').executeTakeFirst();
    if (!row) throw new Error(`no user ${name}: run "gridlink users list"`);
    await trx.deleteFrom('web.session').where('user_id', '=', row.id).execute();
  });
}

export async function listUsers(db: Kysely<DB>): Promise<UserSummary[]> {
  const users = await db.selectFrom('web.user').select(['id', 'username', 'display_name', 'role', 'created_at', 'disabled_at']).orderBy('username').execute();
  const grids = await db.selectFrom('web.user_grid').select(['user_id', 'grid_code']).orderBy('grid_code').execute();
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    grids: grids.filter((g) => g.user_id === u.id).map((g) => g.grid_code),
    createdAt: u.created_at,
    disabled: u.disabled_at !== null,
  }));
}

export async function findUserForLogin(db: Kysely<DB>, username: string): Promise<{ id: number; passwordHash: string } | null> {
  const row = await db.selectFrom('web.user').select(['id', 'password_hash']).where('username', '=', normalizeUsername(username)).where('disabled_at', 'is', null).executeTakeFirst();
  return row ? { id: row.id, passwordHash: row.password_hash } : null;
}
