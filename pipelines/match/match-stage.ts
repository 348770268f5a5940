import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { StageContext, StageCounts } from '../stage.ts';
import { keyLinks, recordKeys } from './key-links.ts';
import { UnionFind } from './union-find.ts';
import { assignUnitIds } from './unit-ids.ts';

interface MatchRecord {
  id: string;
  uscc: string | null;
  usccValid: boolean;
  orgCode: string | null;
  orgCodeValid: boolean;
  regNo: string | null;
  regNoValid: boolean;
  nameKey: string | null;
  districtCode: string | null;
  isBranch: boolean;
  unitId: string | undefined;
}

/**
 * Links records into units: registry keys first, then an exact normalised name for records that carry
 * no valid key (same district where both are known). Clusters come from union–find over the links;
 * unit ids stay stable across runs.
 */
export async function matchRecords(ctx: StageContext): Promise<StageCounts> {
  const records = await loadRecords(ctx.db);
  const uf = new UnionFind(records.length);
  const linksByRule: Record<string, number> = {};
  const newLinks: { a: number; b: number; rule: string; evidence: unknown }[] = [];

  for (const l of keyLinks(records)) {
    uf.union(l.a, l.b);
    newLinks.push({ a: l.a, b: l.b, rule: l.rule, evidence: { [l.rule]: l.key } });
  }
  for (const l of exactNameLinks(records, uf)) {
    uf.union(l.a, l.b);
    newLinks.push({ a: l.a, b: l.b, rule: 'name_exact', evidence: { name_key: records[l.a]!.nameKey } });
  }
  for (const l of newLinks) linksByRule[l.rule] = (linksByRule[l.rule] ?? 0) + 1;

  const clusters = [...uf.groups().values()];
  const mintIds = await idMinter(ctx.db);
  const result = assignUnitIds(clusters, (i) => records[i]!.unitId, mintIds);

  await ctx.db.transaction().execute(async (trx) => {
    const createdSet = new Set(result.created);
    const newUnits = result.created.map((c) => ({ id: result.ids[c]!, created_run: ctx.runId, updated_run: ctx.runId, retired_run: null, name: null, uscc: null, org_code: null, address: null, established: null }));
    for (let i = 0; i < newUnits.length; i += 1000) await trx.insertInto('registry.unit').values(newUnits.slice(i, i + 1000)).execute();

    const moves: { record_id: string; unit_id: string; since_run: number }[] = [];
    const touched = new Set<string>();
    clusters.forEach((members, c) => {
      const unitId = result.ids[c]!;
      for (const m of members) {
        if (records[m]!.unitId !== unitId) {
          moves.push({ record_id: records[m]!.id, unit_id: unitId, since_run: ctx.runId });
          touched.add(unitId);
          if (records[m]!.unitId) touched.add(records[m]!.unitId!);
        }
      }
      if (createdSet.has(c)) touched.add(unitId);
    });
    for (let i = 0; i < moves.length; i += 1000) {
      await trx
        .insertInto('registry.unit_member')
        .values(moves.slice(i, i + 1000))
        .onConflict((oc) => oc.column('record_id').doUpdateSet((eb) => ({ unit_id: eb.ref('excluded.unit_id'), since_run: eb.ref('excluded.since_run') })))
        .execute();
    }
    const touchedIds = [...touched];
    for (let i = 0; i < touchedIds.length; i += 1000) {
      await trx.updateTable('registry.unit').set({ updated_run: ctx.runId, retired_run: null }).where('id', 'in', touchedIds.slice(i, i + 1000)).execute();
    }
    if (result.retired.length) {
      await trx.updateTable('registry.unit').set({ retired_run: ctx.runId }).where('id', 'in', result.retired).execute();
    }

    const linkRows = newLinks.map((l) => ({ record_a: records[l.a]!.id, record_b: records[l.b]!.id, rule: l.rule, score: null, evidence: JSON.stringify(l.evidence), run_id: ctx.runId }));
    for (let i = 0; i < linkRows.length; i += 1000) {
      await trx.insertInto('registry.link').values(linkRows.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
    }

    const events = [
      ...[...result.merged].map(([id, from]) => ({ run_id: ctx.runId, event: 'merged', unit_id: id, detail: JSON.stringify({ absorbed: from }) })),
      ...[...result.split].map(([id, into]) => ({ run_id: ctx.runId, event: 'split', unit_id: id, detail: JSON.stringify({ broke_away: into }) })),
      ...result.retired.map((id) => ({ run_id: ctx.runId, event: 'retired', unit_id: id, detail: null })),
    ];
    for (let i = 0; i < events.length; i += 1000) await trx.insertInto('registry.unit_event').values(events.slice(i, i + 1000)).execute();
  });

  return {
    records: records.length,
    units: clusters.length,
    units_created: result.created.length,
    units_merged: result.merged.size,
    units_split: result.split.size,
    units_retired: result.retired.length,
    links_by_rule: linksByRule,
  };
}

async function loadRecords(db: Kysely<DB>): Promise<MatchRecord[]> {
  const rows = await db
    .selectFrom('registry.record as r')
    .leftJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
    .select(['r.record_id', 'r.uscc', 'r.uscc_valid', 'r.org_code', 'r.org_code_valid', 'r.reg_no', 'r.reg_no_valid', 'r.name_key', 'r.district_code', 'r.is_branch', 'm.unit_id'])
    .orderBy('r.record_id')
    .execute();
  return rows.map((r) => ({
    id: r.record_id,
    uscc: r.uscc,
    usccValid: r.uscc_valid === true,
    orgCode: r.org_code,
    orgCodeValid: r.org_code_valid === true,
    regNo: r.reg_no,
    regNoValid: r.reg_no_valid === true,
    nameKey: r.name_key,
    districtCode: r.district_code,
    isBranch: r.is_branch,
    unitId: r.unit_id ?? undefined,
  }));
}

/**
 * A record with no valid key joins the one cluster whose records carry exactly its normalised name
 * (and no other district); with two candidate clusters it stays apart rather than guess.
 */
function exactNameLinks(records: MatchRecord[], uf: UnionFind): { a: number; b: number }[] {
  const byName = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (!r.nameKey) return;
    const list = byName.get(r.nameKey);
    if (list) list.push(i);
    else byName.set(r.nameKey, [i]);
  });
  const links: { a: number; b: number }[] = [];
  for (const members of byName.values()) {
    if (members.length < 2) continue;
    const keyless = members.filter((i) => recordKeys(records[i]!).length === 0);
    if (keyless.length === 0) continue;
    // Districts seen per keyed cluster, so a namesake in another district is not taken for the same unit.
    const districtsOf = new Map<number, Set<string>>();
    for (const i of members) {
      if (recordKeys(records[i]!).length === 0) continue;
      const root = uf.find(i);
      const set = districtsOf.get(root) ?? new Set<string>();
      if (records[i]!.districtCode) set.add(records[i]!.districtCode!);
      districtsOf.set(root, set);
    }
    for (const i of keyless) {
      const district = records[i]!.districtCode;
      const roots = [...districtsOf].filter(([, ds]) => !district || ds.size === 0 || ds.has(district)).map(([root]) => root);
      if (roots.length === 1) links.push({ a: roots[0]!, b: i });
      else if (districtsOf.size === 0 && keyless[0] !== i) links.push({ a: keyless[0]!, b: i });
    }
  }
  return links;
}

/** Next ids after the highest ever given; the match stage runs under the run lock, inside one transaction's worth of work. */
async function idMinter(db: Kysely<DB>): Promise<() => string> {
  const row = await db
    .selectFrom('registry.unit')
    .select(sql<string>`coalesce(max(substr(id, 2)::bigint), 0)::text`.as('n'))
    .executeTakeFirst();
  let next = Number(row?.n ?? 0);
  return () => `U${String(++next).padStart(7, '0')}`;
}
