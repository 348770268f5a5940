/**
 * Grid placement and reports scored against the demo generator's truth (seeds/demo-world.ts): the test on
 * the demo world and `bench/grid.ts` on a bigger one use the same measures.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { LEVEL2_METHODS, type PlacementEvidence } from '../../pipelines/grid/place-unit.ts';
import { parseCsvText } from '../../seeds/demo/csv-text.ts';
import { communityShortName, isVirtualCommunity } from '../../seeds/demo/division-names.ts';
import { loadDefaultDivisions } from '../../seeds/default-grid.ts';

export function readCsv(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsvText(fs.readFileSync(file, 'utf8')).filter((r) => r.some((c) => c !== ''));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

export interface Crosswalk {
  /** gridlink unit → the truth unit most of its records are. */
  truthOf: Map<string, string>;
  /** Units whose records are all one truth unit, and all of that truth unit's records. */
  clean: Set<string>;
}

/** records.csv gives (file, row) → truth unit; staging.record gives file and row → unit through registry.unit_member. */
export async function crosswalk(db: Kysely<DB>, truthDir: string): Promise<Crosswalk> {
  const recordTruth = new Map(readCsv(path.join(truthDir, 'records.csv')).map((r) => [`${r.file}|${r.row}`, r.truth_unit_id!]));
  const members = await db
    .selectFrom('registry.unit_member as m')
    .innerJoin('registry.unit as u', 'u.id', 'm.unit_id')
    .innerJoin('staging.record as s', 's.id', 'm.record_id')
    .innerJoin('staging.file as f', 'f.id', 's.file_id')
    .select(['m.unit_id', 'f.file_name', 's.row'])
    .where('u.retired_run', 'is', null)
    .execute();
  const votes = new Map<string, Map<string, number>>();
  const unitsOfTruth = new Map<string, Set<string>>();
  for (const m of members) {
    const t = recordTruth.get(`${m.file_name}|${m.row}`);
    if (!t) continue;
    const v = votes.get(m.unit_id) ?? new Map<string, number>();
    v.set(t, (v.get(t) ?? 0) + 1);
    votes.set(m.unit_id, v);
    unitsOfTruth.set(t, (unitsOfTruth.get(t) ?? new Set()).add(m.unit_id));
  }
  const cw: Crosswalk = { truthOf: new Map(), clean: new Set() };
  for (const [unit, v] of votes) {
    const [top] = [...v].sort((a, b) => b[1] - a[1])[0]!;
    cw.truthOf.set(unit, top);
    if (v.size === 1 && unitsOfTruth.get(top)!.size === 1) cw.clean.add(unit);
  }
  return cw;
}

export interface PlacementScore {
  /** Units in a grid whose records carry the 12-digit code, or an address naming their community. */
  allowed: number;
  allowedRight: number;
  /** Units placed at level 2, and how many of them on the wrong grid. */
  placed: number;
  wrong: number;
  /** Units the truth puts in a grid, and how many are on the right level-2 grid. */
  inGrid: number;
  inGridRight: number;
  byMethod: Record<string, { units: number; right: number; wrong: number }>;
  /** What must never happen: level-2 placement without evidence, evidence from elsewhere, a unit outside every grid placed on one. */
  problems: string[];
}

export async function scorePlacement(db: Kysely<DB>, truthDir: string, cw: Crosswalk): Promise<PlacementScore> {
  const truth = new Map(readCsv(path.join(truthDir, 'units.csv')).map((u) => [u.truth_unit_id!, u]));
  const names = new Map(loadDefaultDivisions().map((d) => [d.code, d.name]));
  const placements = await db
    .selectFrom('grid.placement as p')
    .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
    .select(['p.unit_id', 'p.grid_l1', 'p.grid_l2', 'p.method', 'p.evidence'])
    .where('u.retired_run', 'is', null)
    .execute();
  const records = await db.selectFrom('registry.unit_member as m').innerJoin('registry.record as r', 'r.record_id', 'm.record_id').select(['m.unit_id', 'r.address', 'r.division_code']).execute();
  const recordsOf = new Map<string, typeof records>();
  for (const r of records) {
    const list = recordsOf.get(r.unit_id);
    if (list) list.push(r);
    else recordsOf.set(r.unit_id, [r]);
  }
  const s: PlacementScore = { allowed: 0, allowedRight: 0, placed: 0, wrong: 0, inGrid: 0, inGridRight: 0, byMethod: {}, problems: [] };
  for (const p of placements) {
    const t = truth.get(cw.truthOf.get(p.unit_id) ?? '');
    if (!t) continue;
    const m = (s.byMethod[p.method] ??= { units: 0, right: 0, wrong: 0 });
    m.units++;
    if (p.grid_l2 !== null) {
      s.placed++;
      if (p.grid_l2 === t.grid_l2) m.right++;
      else {
        m.wrong++;
        s.wrong++;
      }
      const ev = p.evidence as PlacementEvidence;
      if (!(LEVEL2_METHODS as readonly string[]).includes(p.method) || ev.sources.length === 0) s.problems.push(`${p.unit_id}: level 2 by ${p.method} without evidence`);
      for (const src of ev.sources) if (!['division_code', 'address', 'road', 'rule', 'decision'].includes(src.field)) s.problems.push(`${p.unit_id}: evidence from ${src.field}`);
    }
    if (!t.grid_l2) {
      if (p.grid_l1 !== null) s.problems.push(`${p.unit_id}: outside every grid, placed on ${p.grid_l1}`);
      continue;
    }
    s.inGrid++;
    if (p.grid_l2 === t.grid_l2) s.inGridRight++;
    const rs = recordsOf.get(p.unit_id) ?? [];
    const official = names.get(t.community_code!) ?? '';
    const named = !isVirtualCommunity(t.community_code!, official) && rs.some((r) => r.address?.includes(communityShortName(official)));
    if (!rs.some((r) => r.division_code?.length === 12) && !named) continue;
    s.allowed++;
    if (p.grid_l2 === t.grid_l2) s.allowedRight++;
  }
  return s;
}

export interface F1 {
  tp: number;
  fp: number;
  fn: number;
  f1: number;
}

/** Open (unit, reason) reports against reports.csv: over all units, and over the correctly clustered ones only. */
export async function scoreReports(db: Kysely<DB>, truthDir: string, cw: Crosswalk): Promise<{ all: F1; clean: F1 }> {
  const truth = new Set(readCsv(path.join(truthDir, 'reports.csv')).map((r) => `${r.truth_unit_id}|${r.reason}`));
  const open = await db.selectFrom('inspection.report').select(['unit_id', 'reason']).where('closed_run', 'is', null).execute();
  const score = (units: (u: string) => boolean, truths: (t: string) => boolean): F1 => {
    const got = new Set(open.filter((r) => units(r.unit_id) && cw.truthOf.has(r.unit_id)).map((r) => `${cw.truthOf.get(r.unit_id)}|${r.reason}`));
    const want = new Set([...truth].filter((k) => truths(k.split('|')[0]!)));
    const tp = [...got].filter((k) => want.has(k)).length;
    const p = got.size ? tp / got.size : 0;
    const r = want.size ? tp / want.size : 0;
    return { tp, fp: got.size - tp, fn: want.size - tp, f1: p + r ? (2 * p * r) / (p + r) : 0 };
  };
  const cleanTruth = new Set([...cw.clean].map((u) => cw.truthOf.get(u)!));
  return { all: score(() => true, () => true), clean: score((u) => cw.clean.has(u), (t) => cleanTruth.has(t)) };
}
