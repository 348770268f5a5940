import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

export type Fields = Record<string, string | undefined>;

/** A staged row waiting to be normalised into its target table. */
export interface PendingRow {
  id: string;
  file_id: number;
  agency: string;
  kind: string;
  row: number;
  fields: Fields;
}

/** A table filled from staged rows of some kinds, keyed by record_id = staging.record.id. */
export interface NormalizeTarget {
  table: 'registry.record' | 'inspection.supervised' | 'inspection.complaint' | 'inspection.arrears' | 'inspection.credit';
  kinds: readonly string[];
}

export interface PendingOptions {
  /** Staging ids covered by one range read: bounds the rows (and memory) of a batch. */
  span?: number;
}

const SPAN = 8_000;
const COLUMNS = ['id', 'file_id', 'agency', 'kind', 'row', 'fields'] as const;

interface TargetState {
  kinds: Set<string>;
  /** Every staged row of the target's kinds at or below this id is normalised. */
  watermark: number;
}

/**
 * Yields, in batches, exactly the staged rows of the targets' kinds that have no row in their target
 * table yet. Normalised rows are written in staging-id order, so what a target holds is normally every
 * staged row of its kinds up to its greatest record_id, and the pending rows are those above it: one
 * range scan instead of an anti-join per batch. That prefix is checked, not assumed (a row count up to
 * the watermark on both sides; record_id references staging.record and keeps its kind, so equal counts
 * mean equal sets): when it does not hold, the rows missing below the watermark are found with one
 * anti-join and yielded first, so a gap is never skipped.
 */
export async function* pendingRows(db: Kysely<DB>, targets: readonly NormalizeTarget[], options: PendingOptions = {}): AsyncGenerator<PendingRow[]> {
  const span = options.span ?? SPAN;
  const states: TargetState[] = [];
  for (const target of targets) {
    const { watermark, missing } = await checkWatermark(db, target);
    for (let i = 0; i < missing.length; i += span) {
      const ids = missing.slice(i, i + span);
      const rows = await db.selectFrom('staging.record').select(COLUMNS).where('id', 'in', ids).orderBy('id').execute();
      yield rows as PendingRow[];
    }
    states.push({ kinds: new Set(target.kinds), watermark });
  }

  // Where the first pending row of each target lies: a target whose kinds got nothing new is not scanned at all.
  const pending: TargetState[] = [];
  let start = Infinity;
  for (const state of states) {
    const first = await db.selectFrom('staging.record').select((eb) => eb.fn.min('id').as('id')).where('kind', 'in', [...state.kinds]).where('id', '>', String(state.watermark)).executeTakeFirst();
    if (first?.id == null) continue;
    pending.push(state);
    start = Math.min(start, Number(first.id) - 1);
  }
  if (pending.length === 0) return;
  const top = await db.selectFrom('staging.record').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
  const last = Number(top.id);
  // Ranges of ids rather than LIMIT: each read is a bounded index range, whatever the planner thinks of the kinds.
  for (let lo = start; lo < last; lo += span) {
    const rows = await db
      .selectFrom('staging.record')
      .select(COLUMNS)
      .where('id', '>', String(lo))
      .where('id', '<=', String(lo + span))
      .where((eb) => eb.or(pending.map((t) => eb.and([eb('kind', 'in', [...t.kinds]), eb('id', '>', String(t.watermark))]))))
      .orderBy('id')
      .execute();
    if (rows.length > 0) yield rows as PendingRow[];
  }
}

async function checkWatermark(db: Kysely<DB>, target: NormalizeTarget): Promise<{ watermark: number; missing: string[] }> {
  const table = sql.table(target.table);
  const kinds = sql.join(target.kinds.map((k) => sql`${k}`));
  const { rows } = await sql<{ watermark: string | null; normalised: string }>`select max(record_id) as watermark, count(*) as normalised from ${table}`.execute(db);
  const watermark = Number(rows[0]?.watermark ?? 0);
  if (watermark === 0) return { watermark, missing: [] };
  const staged = await sql<{ n: string }>`select count(*) as n from staging.record where kind in (${kinds}) and id <= ${String(watermark)}`.execute(db);
  if (Number(staged.rows[0]!.n) === Number(rows[0]!.normalised)) return { watermark, missing: [] };
  const gap = await sql<{ id: string }>`
    select s.id from staging.record s
    where s.kind in (${kinds}) and s.id <= ${String(watermark)}
      and not exists (select 1 from ${table} t where t.record_id = s.id)
    order by s.id`.execute(db);
  return { watermark, missing: gap.rows.map((r) => String(r.id)) };
}
