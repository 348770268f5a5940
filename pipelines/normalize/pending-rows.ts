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

/** A pending row with its fields still JSON text (PendingOptions.fieldsAsText). */
export type PendingTextRow = Omit<PendingRow, 'fields'> & { fields: string };

/** A table filled from staged rows of some kinds, keyed by record_id = staging.record.id. */
export interface NormalizeTarget {
  table: 'registry.record' | 'inspection.supervised' | 'inspection.complaint' | 'inspection.arrears' | 'inspection.credit';
  kinds: readonly string[];
}

export interface PendingOptions {
  /** Staging ids covered by one range read: bounds the rows (and memory) of a batch. */
  span?: number;
  /** Hand each row's fields over as the JSON text they are stored as, for the reader to parse (or pass on to a worker). */
  fieldsAsText?: boolean;
}

const SPAN = 8_000;
const COLUMNS = ['id', 'file_id', 'agency', 'kind', 'row'] as const;
const fieldsColumn = (asText: boolean | undefined) => (asText ? sql<string>`fields::text`.as('fields') : sql<unknown>`fields`.as('fields'));

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
 * anti-join and yielded first, so a gap is never skipped. The staged side of every target's check, and
 * where its first pending row lies, come from one pass over staging.record.
 */
export function pendingRows(db: Kysely<DB>, targets: readonly NormalizeTarget[], options: PendingOptions & { fieldsAsText: true }): AsyncGenerator<PendingTextRow[]>;
export function pendingRows(db: Kysely<DB>, targets: readonly NormalizeTarget[], options?: PendingOptions): AsyncGenerator<PendingRow[]>;
export async function* pendingRows(db: Kysely<DB>, targets: readonly NormalizeTarget[], options: PendingOptions = {}): AsyncGenerator<PendingRow[] | PendingTextRow[]> {
  const span = options.span ?? SPAN;
  const columns = [...COLUMNS, fieldsColumn(options.fieldsAsText)] as const;
  if (targets.length === 0) return;
  const held: { watermark: number; normalised: number }[] = [];
  for (const target of targets) {
    const { rows } = await sql<{ watermark: string | null; normalised: string }>`select max(record_id) as watermark, count(*) as normalised from ${sql.table(target.table)}`.execute(db);
    held.push({ watermark: Number(rows[0]?.watermark ?? 0), normalised: Number(rows[0]?.normalised ?? 0) });
  }
  const staged = await stagedAround(db, targets, held.map((h) => h.watermark));

  const pending: TargetState[] = [];
  let start = Infinity;
  for (const [i, target] of targets.entries()) {
    const { watermark, normalised } = held[i]!;
    if (watermark > 0 && staged[i]!.upTo !== normalised) {
      const missing = await missingBelow(db, target, watermark);
      for (let j = 0; j < missing.length; j += span) {
        const ids = missing.slice(j, j + span);
        const rows = await db.selectFrom('staging.record').select(columns).where('id', 'in', ids).orderBy('id').execute();
        yield rows as unknown as PendingRow[];
      }
    }
    // A target whose kinds got nothing new is not scanned at all.
    const first = staged[i]!.firstAbove;
    if (first === null) continue;
    pending.push({ kinds: new Set(target.kinds), watermark });
    start = Math.min(start, first - 1);
  }
  if (pending.length === 0) return;
  const top = await db.selectFrom('staging.record').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
  const last = Number(top.id);
  // Ranges of ids rather than LIMIT: each read is a bounded index range, whatever the planner thinks of the kinds.
  for (let lo = start; lo < last; lo += span) {
    const rows = await db
      .selectFrom('staging.record')
      .select(columns)
      .where('id', '>', String(lo))
      .where('id', '<=', String(lo + span))
      .where((eb) => eb.or(pending.map((t) => eb.and([eb('kind', 'in', [...t.kinds]), eb('id', '>', String(t.watermark))]))))
      .orderBy('id')
      .execute();
    if (rows.length > 0) yield rows as unknown as PendingRow[];
  }
}

/** For each target, the staged rows of its kinds up to its watermark and its first staged row above it, in one pass. */
async function stagedAround(db: Kysely<DB>, targets: readonly NormalizeTarget[], watermarks: number[]): Promise<{ upTo: number; firstAbove: number | null }[]> {
  const columns = targets.map((target, i) => {
    const kinds = sql.join(target.kinds.map((k) => sql`${k}`));
    const w = String(watermarks[i]);
    return sql`count(*) filter (where kind in (${kinds}) and id <= ${w}) as ${sql.ref(`up_to_${i}`)}, min(id) filter (where kind in (${kinds}) and id > ${w}) as ${sql.ref(`first_${i}`)}`;
  });
  const { rows } = await sql<Record<string, string | null>>`select ${sql.join(columns)} from staging.record`.execute(db);
  const row = rows[0]!;
  return targets.map((_, i) => ({ upTo: Number(row[`up_to_${i}`]), firstAbove: row[`first_${i}`] == null ? null : Number(row[`first_${i}`]) }));
}

/** Staged rows of the target's kinds at or below its watermark that it does not hold. */
async function missingBelow(db: Kysely<DB>, target: NormalizeTarget, watermark: number): Promise<string[]> {
  const kinds = sql.join(target.kinds.map((k) => sql`${k}`));
  const gap = await sql<{ id: string }>`
    select s.id from staging.record s
    where s.kind in (${kinds}) and s.id <= ${String(watermark)}
      and not exists (select 1 from ${sql.table(target.table)} t where t.record_id = s.id)
    order by s.id`.execute(db);
  return gap.rows.map((r) => String(r.id));
}
