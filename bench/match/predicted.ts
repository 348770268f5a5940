/** What the pipeline decided: the unit of every source row, and whether the row carried a valid key. */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { LabelledRecord } from '../../pipelines/match/accuracy.ts';
import { rowKey, type Truth } from './truth.ts';

export interface PredictedRow {
  file: string;
  row: number;
  unitId: string;
  keyed: boolean;
}

export async function predictedRows(db: Kysely<DB>): Promise<PredictedRow[]> {
  const rows = await db
    .selectFrom('registry.record as r')
    .innerJoin('staging.file as f', 'f.id', 'r.file_id')
    .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
    .select(['f.file_name', 'r.row', 'm.unit_id', 'r.uscc_valid', 'r.org_code_valid', 'r.reg_no_valid'])
    .execute();
  return rows.map((r) => ({ file: r.file_name, row: r.row, unitId: r.unit_id, keyed: r.uscc_valid === true || r.org_code_valid === true || r.reg_no_valid === true }));
}

/** Rows the truth knows, labelled with both ids; rows the truth does not know (rejects) are left out. */
export function label(rows: PredictedRow[], truth: Truth): { labelled: LabelledRecord[]; unknown: number } {
  const labelled: LabelledRecord[] = [];
  let unknown = 0;
  for (const r of rows) {
    const t = truth.unitOfRow.get(rowKey(r.file, r.row));
    if (t === undefined) unknown += 1;
    else labelled.push({ truth: t, predicted: r.unitId, keyed: r.keyed });
  }
  return { labelled, unknown };
}

/** Predicted units holding a branch's records together with its parent's: the one merge that must never happen. */
export function parentBranchMerges(labelled: LabelledRecord[], truth: Truth): number {
  const truthUnitsOf = new Map<string, Set<string>>();
  for (const r of labelled) {
    let s = truthUnitsOf.get(r.predicted);
    if (!s) truthUnitsOf.set(r.predicted, (s = new Set()));
    s.add(r.truth);
  }
  let merges = 0;
  for (const members of truthUnitsOf.values()) {
    if (members.size < 2) continue;
    for (const t of members) {
      const parent = truth.parentOf.get(t);
      if (parent !== undefined && members.has(parent)) merges += 1;
    }
  }
  return merges;
}
