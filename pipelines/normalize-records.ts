import type { Kysely } from 'kysely';
import type { Database } from '../db/connect.ts';
import type { DB } from '../db/types.ts';
import { ENTITY_KINDS } from '../schemas/feeds.ts';
import { cleanCode } from './normalize/codes.ts';
import { normalizeName } from './normalize/names.ts';
import type { Gazetteer } from './normalize/addresses.ts';
import { parseDate } from './normalize/dates.ts';
import { parseCount } from './normalize/numbers.ts';
import { copyRow } from './normalize/copy-row.ts';
import { idRange, SequentialWriter } from './normalize/copy-writer.ts';
import { gazetteerOf, RECORD_COLUMNS, type DivisionRow, type EntityBatch } from './normalize/entity.ts';
import { inlineNormalizer, workerNormalizer, type EntityNormalizer } from './normalize/entity-normalizer.ts';
import { pendingRows, type Fields, type NormalizeTarget } from './normalize/pending-rows.ts';
import type { StageContext, StageCounts } from './stage.ts';
import { markCurrentSnapshots } from './snapshots.ts';

const ENTITY_TARGET: NormalizeTarget = { table: 'registry.record', kinds: ENTITY_KINDS };

export interface NormalizeOptions {
  /** Where employer rows are normalised: `auto` (the worker from the second batch on), `worker` (every batch), `inline`. */
  thread?: 'auto' | 'worker' | 'inline';
  /** Staging ids per batch (pending-rows.ts). */
  span?: number;
}

/**
 * Turns staged rows into typed, normalised rows: employer records into registry.record, the labour
 * bureau's own lists into the inspection tables. Only rows not normalised before are read (see
 * normalize/pending-rows.ts), so a re-run costs nothing and a new snapshot costs its own size. Rows go
 * in by COPY, one transaction per batch, in staging-id order. From the second batch on, employer rows
 * are normalised in a worker thread (normalize/entity-normalizer.ts) while this thread reads the next
 * batch and writes the last; a night's few thousand rows, one batch, never start it.
 */
export async function normalizeRecords(ctx: StageContext, options: NormalizeOptions = {}): Promise<StageCounts> {
  const divisions = await loadDivisions(ctx.db);
  const snapshotDates = await loadSnapshotDates(ctx.db);
  const counts: Record<string, number> = { records: 0, flagged: 0 };
  const mode = options.thread ?? 'auto';
  const inline = inlineNormalizer(divisions, snapshotDates);
  let threaded: EntityNormalizer | null = null;
  const writer = new SequentialWriter(ctx.database);
  type Normalising = { result: Promise<EntityBatch>; ids: ReturnType<typeof idRange>; rows: number };
  const write = async (b: Normalising) => {
    const { lines, flagged } = await b.result;
    await writer.write('registry.record', RECORD_COLUMNS, lines, b.ids);
    counts.records! += b.rows;
    counts.flagged! += flagged;
  };
  let previous: Normalising | null = null;
  let batches = 0;
  try {
    for await (const batch of pendingRows(ctx.db, [ENTITY_TARGET], { fieldsAsText: true, span: options.span })) {
      batches++;
      // One worker: at 50,000 units on PGlite a second one (or this thread taking turns) was slower, and
      // on PostgreSQL two cores are busy either way (the server, the worker).
      if (!threaded && (mode === 'worker' || (mode === 'auto' && batches >= 2))) threaded = workerNormalizer(divisions, snapshotDates);
      // Handed over before the previous batch is written, so the worker normalises while this thread writes.
      const current: Normalising = { result: (threaded ?? inline).normalize(batch), ids: idRange(batch.map((s) => s.id)), rows: batch.length };
      // Observed here so a failure is not reported as unhandled while the previous batch is written; write() rethrows it.
      current.result.catch(() => undefined);
      if (previous) await write(previous);
      previous = current;
    }
    if (previous) await write(previous);
    await writer.flush();
  } finally {
    await writer.settle();
    await threaded?.close();
  }
  await markCurrentSnapshots(ctx.db, ctx.runId);
  Object.assign(counts, await normalizeLabourLists(ctx.database));
  return counts;
}

/** Snapshot date by staging file: a small table, read once instead of joined into every batch. */
async function loadSnapshotDates(db: Kysely<DB>): Promise<Map<number, string | null>> {
  const files = await db.selectFrom('staging.file').select(['id', 'snapshot_date']).execute();
  return new Map(files.map((f) => [f.id, f.snapshot_date]));
}

const loadDivisions = (db: Kysely<DB>): Promise<DivisionRow[]> => db.selectFrom('grid.division').select(['code', 'name', 'level', 'parent_code']).execute();

export async function loadGazetteer(db: Kysely<DB>): Promise<Gazetteer> {
  return gazetteerOf(await loadDivisions(db));
}

function firstCode(value: string | undefined): string | null {
  const code = cleanCode(value);
  return code || null;
}

function count(value: string | undefined): number | null {
  const n = parseCount(value);
  return n === null || Number.isNaN(n) ? null : n;
}

function date(value: string | undefined): string | null {
  const d = parseDate(value);
  return d.ok ? d.date : null;
}

interface LabourList {
  target: NormalizeTarget & { kinds: readonly [string] };
  count: string;
  columns: readonly string[];
  row(f: Fields): Record<string, string | number | boolean | null>;
}

/** The bureau's own lists (supervised units, complaints, arrears, credit grades), typed for the supervise stage. */
const LABOUR_LISTS: readonly LabourList[] = [
  {
    target: { table: 'inspection.supervised', kinds: ['labour.supervised'] },
    count: 'supervised',
    columns: ['record_id', 'code', 'name', 'name_key', 'grid_code', 'since', 'inspector'],
    row: (f) => {
      const n = normalizeName(f.name);
      return { code: firstCode(f.code), name: n.display || null, name_key: n.key || null, grid_code: f.grid_code?.trim() || null, since: date(f.supervised_since), inspector: f.inspector?.trim() || null };
    },
  },
  {
    target: { table: 'inspection.complaint', kinds: ['labour.complaints'] },
    count: 'complaints',
    columns: ['record_id', 'uscc', 'name', 'name_key', 'received', 'complaint_type'],
    row: (f) => {
      const n = normalizeName(f.name);
      return { uscc: firstCode(f.uscc), name: n.display || null, name_key: n.key || null, received: date(f.received), complaint_type: f.complaint_type?.trim() || null };
    },
  },
  {
    target: { table: 'inspection.arrears', kinds: ['labour.arrears'] },
    count: 'arrears',
    columns: ['record_id', 'uscc', 'name', 'name_key', 'wage_months', 'fee_months', 'registered'],
    row: (f) => {
      const n = normalizeName(f.name);
      return { uscc: firstCode(f.uscc), name: n.display || null, name_key: n.key || null, wage_months: count(f.wage_months), fee_months: count(f.fee_months), registered: date(f.registered) };
    },
  },
  {
    target: { table: 'inspection.credit', kinds: ['labour.credit'] },
    count: 'credit',
    columns: ['record_id', 'uscc', 'name', 'name_key', 'year', 'grade', 'dishonest'],
    row: (f) => {
      const n = normalizeName(f.name);
      const year = /(\d{4})/.exec(f.year ?? '');
      return {
        uscc: firstCode(f.uscc),
        name: n.display || null,
        name_key: n.key || null,
        year: year ? Number(year[1]) : null,
        grade: (f.grade ?? '').trim().toUpperCase().normalize('NFKC') || null,
        dishonest: /^(是|Y|YES|TRUE|1)$/i.test((f.dishonest ?? '').trim()),
      };
    },
  },
];

/** All four lists in one pass over the pending staged rows, each batch's rows copied into their tables. */
async function normalizeLabourLists(database: Database): Promise<Record<string, number>> {
  const byKind = new Map(LABOUR_LISTS.map((l) => [l.target.kinds[0], l]));
  const out: Record<string, number> = Object.fromEntries(LABOUR_LISTS.map((l) => [l.count, 0]));
  const writer = new SequentialWriter(database);
  try {
    for await (const batch of pendingRows(database.db, LABOUR_LISTS.map((l) => l.target))) {
      const lines = new Map<LabourList, string[]>();
      for (const s of batch) {
        const list = byKind.get(s.kind)!;
        let own = lines.get(list);
        if (!own) lines.set(list, (own = []));
        own.push(copyRow(list.columns, { record_id: s.id, ...list.row(s.fields) }));
      }
      const ids = idRange(batch.map((s) => s.id));
      for (const [list, own] of lines) {
        await writer.write(list.target.table, list.columns, own, ids);
        out[list.count]! += own.length;
      }
    }
    await writer.flush();
  } finally {
    await writer.settle();
  }
  return out;
}
