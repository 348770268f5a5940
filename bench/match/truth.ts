/** The demo generator's ground truth, read back: which true unit each source row is, and each branch's parent. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'fast-csv';

export interface Truth {
  /** `${file}\u0000${row}` → true unit id */
  unitOfRow: Map<string, string>;
  /** branch's true unit id → its parent's true unit id (parents inside the world only) */
  parentOf: Map<string, string>;
}

export const rowKey = (file: string, row: number | string): string => `${file}\u0000${row}`;

export async function readCsv(file: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  await new Promise<void>((resolve, reject) =>
    fs
      .createReadStream(file)
      .pipe(parse({ headers: (hs) => hs.map((h) => h?.replace(/^\ufeff/, '')) }))
      .on('data', (r: Record<string, string>) => rows.push(r))
      .on('end', () => resolve())
      .on('error', reject),
  );
  return rows;
}

export async function readTruth(truthDir: string): Promise<Truth> {
  const unitOfRow = new Map<string, string>();
  for (const r of await readCsv(path.join(truthDir, 'records.csv'))) {
    if (r.truth_unit_id) unitOfRow.set(rowKey(r.file!, r.row!), r.truth_unit_id);
  }
  const parentOf = new Map<string, string>();
  for (const u of await readCsv(path.join(truthDir, 'units.csv'))) {
    if (u.parent_unit_id) parentOf.set(u.truth_unit_id!, u.parent_unit_id);
  }
  return { unitOfRow, parentOf };
}
