import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { defaultGrid, loadDefaultDivisions, type GridDef } from '../seeds/default-grid.ts';
import { latestFiles } from './snapshots.ts';
import type { StageContext, StageCounts } from './stage.ts';

type Fields = Record<string, string | undefined>;

/**
 * Reference data before anything is matched or placed: the division gazetteer (bundled seed, updated by
 * the civil-affairs divisions feed) and the grid (the labour feed's grid file, else the bundled default).
 */
export async function loadGrids(ctx: StageContext): Promise<StageCounts> {
  const divisions = await loadDivisions(ctx.db);
  const { grids, source } = await currentGridDefs(ctx.db);
  const changed = await replaceGrids(ctx.db, grids, source);
  ctx.log.info({ source, grids: grids.length, changed }, 'grid definitions in force');
  return { divisions, grids_level1: grids.filter((g) => g.level === 1).length, grids_level2: grids.filter((g) => g.level === 2).length, grids_changed: changed };
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

async function currentGridDefs(db: Kysely<DB>): Promise<{ grids: GridDef[]; source: string }> {
  const latest = (await latestFiles(db, ['labour.grids'])).get('labour.grids');
  if (latest === undefined) {
    const divisions = await db.selectFrom('grid.division').select(['code', 'name', 'level', 'parent_code']).execute();
    return {
      grids: defaultGrid(divisions.map((d) => ({ code: d.code, name: d.name, level: d.level as 'district' | 'street' | 'community', parentCode: d.parent_code }))),
      source: 'default',
    };
  }
  const staged = await db.selectFrom('staging.record').select('fields').where('file_id', '=', latest).orderBy('row').execute();
  const grids: GridDef[] = [];
  for (const { fields } of staged) {
    const f = fields as Fields;
    const code = f.grid_code?.trim();
    if (!code) continue;
    const level = Number((f.grid_level ?? '').normalize('NFKC').trim()) === 1 ? 1 : 2;
    grids.push({
      code,
      name: f.grid_name?.trim() || code,
      level,
      parentCode: f.parent_grid_code?.trim() || null,
      divisionCodes: (f.division_codes ?? '').normalize('NFKC').split(/[;,、\s]+/).filter((c) => /^\d{6,12}$/.test(c)),
      inspector: f.inspector?.trim() || null,
      assistant: f.assistant?.trim() || null,
      phone: f.phone?.trim() || null,
    });
  }
  return { grids, source: `labour:${latest}` };
}

/** Makes the grid tables equal to the definitions in force; returns how many grids were added, changed or retired. */
async function replaceGrids(db: Kysely<DB>, grids: GridDef[], source: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('grid.grid').selectAll().execute();
    const beforeDivs = await trx.selectFrom('grid.grid_division').selectAll().execute();
    const sig = (g: { code: string; name: string; level: number; parent: string | null; divs: string[] }) => JSON.stringify([g.code, g.name, g.level, g.parent, [...g.divs].sort()]);
    const oldSig = new Map(
      before.filter((g) => g.active).map((g) => [g.code, sig({ code: g.code, name: g.name, level: g.level, parent: g.parent_code, divs: beforeDivs.filter((d) => d.grid_code === g.code).map((d) => d.division_code) })]),
    );
    let changed = 0;
    for (const g of grids) {
      if (oldSig.get(g.code) !== sig({ code: g.code, name: g.name, level: g.level, parent: g.parentCode, divs: g.divisionCodes })) changed++;
      oldSig.delete(g.code);
    }
    changed += oldSig.size;
    if (changed === 0) return 0;
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
    return changed;
  });
}
