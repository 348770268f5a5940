import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

export interface RegisterFilter {
  grid: string;
  /** A report reason; 'any' for units with any open report; null for every unit. */
  reason: string | null;
  limit: number;
  offset: number;
}

export interface RegisterRow {
  unitId: string;
  name: string | null;
  uscc: string | null;
  orgCode: string | null;
  address: string | null;
  status: string;
  established: string | null;
  gridL1: string | null;
  gridL2: string | null;
  gridL2Name: string | null;
  method: string;
  openReasons: string[];
}

export interface OpenReport {
  id: string;
  unitId: string;
  name: string | null;
  reason: string;
  asOf: string;
  openedAt: Date;
  detail: unknown;
}

function inGrid(db: Kysely<DB>, grid: string) {
  return db
    .selectFrom('registry.unit as u')
    .innerJoin('grid.placement as p', 'p.unit_id', 'u.id')
    .where('u.retired_run', 'is', null)
    .where((eb) => eb.or([eb('p.grid_l1', '=', grid), eb('p.grid_l2', '=', grid)]));
}

function withReason<Q extends ReturnType<typeof inGrid>>(q: Q, reason: string | null): Q {
  if (reason === null) return q;
  return q.where(({ exists, selectFrom }) =>
    exists(
      selectFrom('inspection.report as r')
        .select('r.id')
        .whereRef('r.unit_id', '=', 'u.id')
        .where('r.closed_run', 'is', null)
        .$if(reason !== 'any', (s) => s.where('r.reason', '=', reason)),
    ),
  ) as Q;
}

/** One page of a grid's book (一格一册): its units with their open report reasons. */
export async function gridRegister(db: Kysely<DB>, filter: RegisterFilter): Promise<{ total: number; rows: RegisterRow[] }> {
  const total = await withReason(inGrid(db, filter.grid), filter.reason).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const rows = await withReason(inGrid(db, filter.grid), filter.reason)
    .leftJoin('grid.grid as g2', 'g2.code', 'p.grid_l2')
    .select(['u.id', 'u.name', 'u.uscc', 'u.org_code', 'u.address', 'u.status', 'u.established', 'p.grid_l1', 'p.grid_l2', 'g2.name as grid_l2_name', 'p.method'])
    .select(sql<string[] | null>`(select array_agg(r.reason order by r.reason) from inspection.report r where r.unit_id = u.id and r.closed_run is null)`.as('open_reasons'))
    .orderBy(sql`p.grid_l2 nulls last`)
    .orderBy('u.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return {
    total: Number(total.n),
    rows: rows.map((r) => ({
      unitId: r.id,
      name: r.name,
      uscc: r.uscc,
      orgCode: r.org_code,
      address: r.address,
      status: r.status,
      established: r.established,
      gridL1: r.grid_l1,
      gridL2: r.grid_l2,
      gridL2Name: r.grid_l2_name,
      method: r.method,
      openReasons: r.open_reasons ?? [],
    })),
  };
}

/** A grid's open reports (one row per unit and reason), newest first. */
export async function gridOpenReports(db: Kysely<DB>, grid: string, reason: string | null, limit = 500): Promise<OpenReport[]> {
  const rows = await db
    .selectFrom('inspection.report as r')
    .innerJoin('registry.unit as u', 'u.id', 'r.unit_id')
    .innerJoin('grid.placement as p', 'p.unit_id', 'r.unit_id')
    .select(['r.id', 'r.unit_id', 'u.name', 'r.reason', 'r.as_of', 'r.opened_at', 'r.detail'])
    .where('r.closed_run', 'is', null)
    .where((eb) => eb.or([eb('p.grid_l1', '=', grid), eb('p.grid_l2', '=', grid)]))
    .$if(reason !== null && reason !== 'any', (q) => q.where('r.reason', '=', reason!))
    .orderBy('r.as_of', 'desc')
    .orderBy('r.unit_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, unitId: r.unit_id, name: r.name, reason: r.reason, asOf: r.as_of, openedAt: r.opened_at, detail: r.detail }));
}

/** The grid and, for a level-1 grid, its level-2 grids (for the page heading and sub-grid links). */
export async function gridWithChildren(db: Kysely<DB>, code: string) {
  const grid = await db.selectFrom('grid.grid').select(['code', 'name', 'level', 'parent_code', 'inspector', 'assistant', 'phone']).where('code', '=', code).where('active', '=', true).executeTakeFirst();
  if (!grid) return null;
  const children = await db.selectFrom('grid.grid').select(['code', 'name', 'assistant']).where('parent_code', '=', code).where('active', '=', true).orderBy('code').execute();
  return { ...grid, children };
}
