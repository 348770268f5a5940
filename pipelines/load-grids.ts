import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { defaultGrid, loadDefaultDivisions, type GridDef } from '../seeds/default-grid.ts';
import { latestFiles } from './snapshots.ts';
import { diffGrids, type GridChange, type GridState } from './grid/grid-changes.ts';
import { parseGridRows } from './grid/grid-file.ts';
import type { StageContext, StageCounts } from './stage.ts';

type Fields = Record<string, string | undefined>;

/**
 * Reference data before anything is matched or placed: the division gazetteer (bundled seed, updated by
 * the civil-affairs divisions feed) and the grid (the labour feed's grid file, else the bundled default).
 */
export async function loadGrids(ctx: StageContext): Promise<StageCounts> {
  const divisions = await loadDivisions(ctx.db);
  const { grids, source, problems } = await currentGridDefs(ctx.db, ctx.log);
  const changes = await replaceGrids(ctx.db, grids, source, ctx.runId);
  const byEvent: Record<string, number> = {};
  for (const c of changes) byEvent[c.event] = (byEvent[c.event] ?? 0) + 1;
  ctx.log.info({ source, grids: grids.length, ...byEvent }, 'grid definitions in force');
  return {
    divisions,
    grids_level1: grids.filter((g) => g.level === 1).length,
    grids_level2: grids.filter((g) => g.level === 2).length,
    grids_changed: new Set(changes.map((c) => c.gridCode)).size,
    grid_file_problems: problems,
    grid_events: byEvent,
  };
}

async function loadDivisions(db: Kysely<DB>): Promise<number> {
  const rows = new Map<string, { code: string; name: string; level: string; parent_code: string | null; source: string }>();
  for (const d of loadDefaultDivisions()) rows.set(d.code, { code: d.code, name: d.name, level: d.level, parent_code: d.parentCode, source: 'seed' });
  const latest = (await latestFiles(db, ['civil-affairs.divisions'])).get('civil-affairs.divisions');
  if (latest !== undefined) {
    const staged = await db.selectFrom('staging.record').select('fields').where('file_id', '=', latest).execute();
    for (const { fields } of staged) {
      const f = fields as Fields;
      const code = (f.division_code ?? '').replace(/\s/g, '');
      if (!/^\d{6}(\d{3}(\d{3})?)?$/.test(code) || !f.division_name) continue;
      rows.set(code, { code, name: f.division_name.trim(), level: divisionLevel(code, f.division_level), parent_code: f.parent_code?.trim() || null, source: 'civil-affairs' });
    }
  }
  const values = [...rows.values()];
  for (let i = 0; i < values.length; i += 1000) {
    await db
      .insertInto('grid.division')
      .values(values.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.column('code').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          level: eb.ref('excluded.level'),
          parent_code: eb.ref('excluded.parent_code'),
          source: eb.ref('excluded.source'),
        })),
      )
      .execute();
  }
  return values.length;
}

function divisionLevel(code: string, level: string | undefined): string {
  if (level && /区县|县|市辖区/.test(level)) return 'district';
  if (level && /街道|乡镇|镇|乡/.test(level)) return 'street';
  if (level && /社区|村/.test(level)) return 'community';
  // Parks, farms and virtual communities are "其他": their code length says where they sit.
  return code.length === 6 ? 'district' : code.length === 9 ? 'street' : 'community';
}

async function currentGridDefs(db: Kysely<DB>, log: StageContext['log']): Promise<{ grids: GridDef[]; source: string; problems: number }> {
  const latest = (await latestFiles(db, ['labour.grids'])).get('labour.grids');
  if (latest === undefined) {
    const divisions = await db.selectFrom('grid.division').select(['code', 'name', 'level', 'parent_code']).execute();
    return {
      grids: defaultGrid(divisions.map((d) => ({ code: d.code, name: d.name, level: d.level as 'district' | 'street' | 'community', parentCode: d.parent_code }))),
      source: 'default',
      problems: 0,
    };
  }
  const staged = await db.selectFrom('staging.record').select('fields').where('file_id', '=', latest).orderBy('row').execute();
  const { grids, problems } = parseGridRows(staged.map((s) => s.fields as Fields));
  for (const p of problems) log.warn({ grid: p.grid, problem: p.problem }, `grid file: ${p.detail}`);
  return { grids, source: `labour:${latest}`, problems: problems.length };
}

/**
 * Makes the grid tables equal to the definitions in force and records, grid by grid, what changed since the
 * last delivery (renamed, recoded, split, merged, …); the place stage then re-places the units concerned.
 */
async function replaceGrids(db: Kysely<DB>, grids: GridDef[], source: string, runId: number): Promise<GridChange[]> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('grid.grid').selectAll().where('active', '=', true).execute();
    const beforeDivs = await trx.selectFrom('grid.grid_division').selectAll().execute();
    const divsOf = new Map<string, string[]>();
    for (const d of beforeDivs) divsOf.set(d.grid_code, [...(divsOf.get(d.grid_code) ?? []), d.division_code]);
    const old: GridState[] = before.map((g) => ({ code: g.code, name: g.name, level: g.level, parentCode: g.parent_code, divisionCodes: divsOf.get(g.code) ?? [], inspector: g.inspector, assistant: g.assistant, phone: g.phone }));
    const changes = diffGrids(old, grids);
    if (changes.length === 0) return [];
    await trx.deleteFrom('grid.grid_division').execute();
    await trx.updateTable('grid.grid').set({ active: false }).execute();
    for (let i = 0; i < grids.length; i += 500) {
      await trx
        .insertInto('grid.grid')
        .values(grids.slice(i, i + 500).map((g) => ({ code: g.code, name: g.name, level: g.level, parent_code: g.parentCode, inspector: g.inspector, assistant: g.assistant, phone: g.phone, source, active: true })))
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            level: eb.ref('excluded.level'),
            parent_code: eb.ref('excluded.parent_code'),
            inspector: eb.ref('excluded.inspector'),
            assistant: eb.ref('excluded.assistant'),
            phone: eb.ref('excluded.phone'),
            source: eb.ref('excluded.source'),
            active: true,
          })),
        )
        .execute();
    }
    const links = grids.flatMap((g) => [...new Set(g.divisionCodes)].map((d) => ({ grid_code: g.code, division_code: d })));
    for (let i = 0; i < links.length; i += 1000) await trx.insertInto('grid.grid_division').values(links.slice(i, i + 1000)).execute();
    // The first grid ever loaded is not a change of anything.
    if (old.length === 0) return [];
    const events = changes.map((c) => ({ run_id: runId, event: c.event, grid_code: c.gridCode, detail: JSON.stringify({ ...c.detail, source }) }));
    for (let i = 0; i < events.length; i += 1000) await trx.insertInto('grid.grid_event').values(events.slice(i, i + 1000)).execute();
    return changes;
  });
}
