/** Stewards' placement rules in the database: add, list, remove (kept as history), and load for placement. */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { normalizeAddressText } from '../normalize/addresses.ts';
import type { PlacementRule } from './rule-match.ts';

export async function loadActiveRules(db: Kysely<DB>): Promise<PlacementRule[]> {
  const rows = await db.selectFrom('grid.rule').selectAll().where('removed_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, pattern: r.pattern, numberFrom: r.number_from, numberTo: r.number_to, scopeCode: r.scope_code, gridL1: r.grid_l1, gridL2: r.grid_l2 }));
}

export interface NewRule {
  pattern: string;
  /** A level-2 grid (its parent is the level-1 grid) or a level-1 grid. */
  gridCode: string;
  numberFrom?: number | null;
  numberTo?: number | null;
  scopeCode?: string | null;
  note?: string | null;
  by?: string | null;
}

/** Resolves a grid code into the pair placement stores; throws a message that says what to do. */
export async function gridPair(db: Kysely<DB>, code: string): Promise<{ gridL1: string; gridL2: string | null }> {
  const grid = await db.selectFrom('grid.grid').select(['code', 'level', 'parent_code']).where('code', '=', code).where('active', '=', true).executeTakeFirst();
  if (!grid) throw new Error(`No active grid with code ${code}. Run "gridlink grid status" to list the grid codes.`);
  if (grid.level === 1) return { gridL1: grid.code, gridL2: null };
  if (!grid.parent_code) throw new Error(`Grid ${code} is a level-2 grid without a parent level-1 grid; fix the grid file first.`);
  return { gridL1: grid.parent_code, gridL2: grid.code };
}

export async function addRule(db: Kysely<DB>, rule: NewRule): Promise<PlacementRule> {
  const pattern = normalizeAddressText(rule.pattern);
  if (pattern.length < 2) throw new Error('The address pattern must have at least two characters, e.g. --pattern "扬子江南路".');
  const from = rule.numberFrom ?? null;
  const to = rule.numberTo ?? null;
  if (from !== null && to !== null && from > to) throw new Error(`House numbers ${from}-${to}: the first must not be larger than the second.`);
  const scope = rule.scopeCode?.trim() || null;
  if (scope !== null && !/^\d{6}(\d{3})?$/.test(scope)) throw new Error(`Scope ${scope}: give a 6-digit district or 9-digit street/town code.`);
  const { gridL1, gridL2 } = await gridPair(db, rule.gridCode);
  const row = await db
    .insertInto('grid.rule')
    .values({ pattern, number_from: from, number_to: to, scope_code: scope, grid_l1: gridL1, grid_l2: gridL2, note: rule.note ?? null, created_by: rule.by ?? null, removed_by: null, removed_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, pattern, numberFrom: from, numberTo: to, scopeCode: scope, gridL1, gridL2 };
}

export interface RuleRow extends PlacementRule {
  note: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export async function listRules(db: Kysely<DB>): Promise<RuleRow[]> {
  const rows = await db.selectFrom('grid.rule').selectAll().where('removed_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    pattern: r.pattern,
    numberFrom: r.number_from,
    numberTo: r.number_to,
    scopeCode: r.scope_code,
    gridL1: r.grid_l1,
    gridL2: r.grid_l2,
    note: r.note,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }));
}

/** Removes a rule from use; the row stays, with who removed it and when. */
export async function removeRule(db: Kysely<DB>, id: number, by: string | null = null): Promise<void> {
  const res = await db.updateTable('grid.rule').set({ removed_at: new Date(), removed_by: by }).where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new Error(`No rule #${id} in use. Run "gridlink grid rule list" to see the rules.`);
}
