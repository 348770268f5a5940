import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { REASONS } from '../../pipelines/supervise.ts';

export interface GridSummary {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
  inspector: string | null;
  assistant: string | null;
  phone: string | null;
  units: number;
  /** Units with at least one open report. */
  reportedUnits: number;
  openByReason: Record<string, number>;
}

/**
 * Units and open reports per active grid, counted through the unit's current placement (as the
 * register exports do), at both levels. `only` limits it to the grids a viewer may see.
 */
export async function gridOverview(db: Kysely<DB>, only: Set<string> | null): Promise<GridSummary[]> {
  if (only && only.size === 0) return [];
  const codes = only ? [...only] : null;
  const grids = await db
    .selectFrom('grid.grid')
    .select(['code', 'name', 'level', 'parent_code', 'inspector', 'assistant', 'phone'])
    .where('active', '=', true)
    .$if(codes !== null, (q) => q.where('code', 'in', codes!))
    .orderBy('code')
    .execute();
  // One pass: open reasons per unit, then units per (level-1, level-2) pair; the pairs are summed up to
  // each grid here. (Two half-queries per level joined to the reports planned badly on PGlite, whose
  // tables carry no statistics after a bulk load: 1 s on 3,000 units against 0.1 s for this.)
  const { rows } = await sql<{ grid_l1: string | null; grid_l2: string | null; units: string; reported: string } & Record<string, string>>`
    select p.grid_l1, p.grid_l2, count(*) as units, count(o.unit_id) as reported,
      ${sql.join(REASONS.map((r) => sql`count(*) filter (where ${r} = any(o.reasons))`.as(`reason_${r}`)))}
    from grid.placement p
    join registry.unit u on u.id = p.unit_id and u.retired_run is null
    left join (select unit_id, array_agg(reason) as reasons from inspection.report where closed_run is null group by unit_id) o on o.unit_id = p.unit_id
    where p.grid_l1 is not null or p.grid_l2 is not null
    group by p.grid_l1, p.grid_l2`.execute(db);
  const totals = new Map<string, { units: number; reported: number; openByReason: Record<string, number> }>();
  const add = (code: string | null, r: (typeof rows)[number]) => {
    if (!code) return;
    const t = totals.get(code) ?? { units: 0, reported: 0, openByReason: {} };
    t.units += Number(r.units);
    t.reported += Number(r.reported);
    for (const reason of REASONS) {
      const n = Number(r[`reason_${reason}`]);
      if (n) t.openByReason[reason] = (t.openByReason[reason] ?? 0) + n;
    }
    totals.set(code, t);
  };
  for (const r of rows) {
    add(r.grid_l1, r);
    add(r.grid_l2, r);
  }
  return grids.map((g) => {
    const t = totals.get(g.code);
    return {
      code: g.code,
      name: g.name,
      level: g.level,
      parentCode: g.parent_code,
      inspector: g.inspector,
      assistant: g.assistant,
      phone: g.phone,
      units: t?.units ?? 0,
      reportedUnits: t?.reported ?? 0,
      openByReason: t?.openByReason ?? {},
    };
  });
}

export interface UnplacedCount {
  method: string;
  units: number;
}

/** Units without a level-1 grid, by why (stewards' overview only). */
export async function unplacedCounts(db: Kysely<DB>): Promise<UnplacedCount[]> {
  const rows = await db
    .selectFrom('grid.placement as p')
    .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
    .select(['p.method', sql<string>`count(*)`.as('n')])
    .where('u.retired_run', 'is', null)
    .where('p.grid_l1', 'is', null)
    .groupBy('p.method')
    .orderBy('p.method')
    .execute();
  return rows.map((r) => ({ method: r.method, units: Number(r.n) }));
}
