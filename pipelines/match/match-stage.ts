/**
 * The match stage: registry records → units. Loads what matching needs into memory, lets
 * link-records.ts decide (stewards' decisions, repeats, keys, fuzzy evidence, constrained clustering),
 * keeps unit ids stable (unit-ids.ts), and writes memberships, links with their evidence, merges and
 * splits, and the pairs stewards must review — in batches, in one transaction.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { StageContext, StageCounts } from '../stage.ts';
import { activeDecisions } from './decisions.ts';
import { linkRecords, type Decision, type LinkOutcome, type StoredFuzzyLink } from './link-records.ts';
import { toMatchRecord, type MatchRecord, type RecordRow } from './match-record.ts';
import { THRESHOLDS } from './score.ts';
import { assignUnitIds, type ClusterIdResult } from './unit-ids.ts';

const LOAD_BATCH = 50_000;
// Rows per insert: as many as PostgreSQL's 65,535 parameters allow, up to 5,000.
const batchFor = (columns: number) => Math.min(5000, Math.floor(60_000 / columns));

export async function matchRecords(ctx: StageContext): Promise<StageCounts> {
  const clock = stopwatch();
  const records = await loadRecords(ctx.db);
  const indexOf = new Map<string, number>();
  records.forEach((r, i) => indexOf.set(r.id, i));
  const stored = await loadFuzzyLinks(ctx.db, indexOf);
  const decisions: Decision[] = [];
  const active = await activeDecisions(ctx.db);
  const standIn = await standIns(ctx.db, active.flatMap((d) => [d.record_a, d.record_b]));
  for (const d of active) {
    const a = indexOf.get(standIn.get(d.record_a) ?? d.record_a);
    const b = indexOf.get(standIn.get(d.record_b) ?? d.record_b);
    if (a === undefined || b === undefined || d.verdict === 'skip') continue;
    decisions.push({ id: d.id, a, b, verdict: d.verdict });
  }

  const loadSeconds = clock();
  const outcome = linkRecords(records, stored, decisions);
  const mintIds = await idMinter(ctx.db);
  const ids = assignUnitIds(outcome.clusters, (i) => records[i]!.unitId, mintIds);
  const linkSeconds = clock();
  await ctx.db.transaction().execute((trx) => writeOutcome(trx, ctx.runId, records, outcome, ids));
  const writeSeconds = clock();

  const linksByRule: Record<string, number> = {};
  for (const l of outcome.newLinks) linksByRule[l.rule] = (linksByRule[l.rule] ?? 0) + 1;
  const reviewByReason: Record<string, number> = {};
  for (const r of outcome.review) reviewByReason[r.reason] = (reviewByReason[r.reason] ?? 0) + 1;
  const { blocking, vetoed, rejected, ...counts } = outcome.counts;
  return {
    ...counts,
    blocks: blocking.blocks,
    oversized_blocks: blocking.oversized_blocks,
    oversized_block_records: blocking.oversized_records,
    oversized_blocks_by_kind: blocking.oversized_by_kind,
    decisions_same: decisions.filter((d) => d.verdict === 'same').length,
    decisions_different: decisions.filter((d) => d.verdict === 'different').length,
    units: outcome.clusters.length,
    units_created: ids.created.length,
    units_merged: ids.merged.size,
    units_split: ids.split.size,
    units_retired: ids.retired.length,
    links_by_rule: linksByRule,
    review_by_reason: reviewByReason,
    vetoed,
    rejected,
    seconds_load: loadSeconds,
    seconds_link: linkSeconds,
    seconds_write: writeSeconds,
  };
}

/** Seconds since the last call (to 0.1 s), for the stage's own breakdown of its time. */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = Math.round((now - last) / 100) / 10;
    last = now;
    return seconds;
  };
}

const RECORD_COLUMNS = [
  'r.record_id', 'r.kind', 'r.file_id', 'r.is_current', 'r.uscc', 'r.uscc_valid', 'r.org_code', 'r.org_code_valid', 'r.reg_no', 'r.reg_no_valid',
  'r.tax_id', 'r.name', 'r.name_key', 'r.trade_name', 'r.legal_form', 'r.region_key', 'r.is_branch', 'r.parent_name', 'r.address',
  'r.district_code', 'r.division_code', 'r.community_code', 'r.road', 'r.road_no', 'r.legal_rep', 'r.phone', 'r.status', 'm.unit_id',
] as const;

/**
 * Every registry record that stands for its content (none superseded by a later repeat), with its unit
 * after the previous run, in record order (the order ids are minted in).
 */
export async function loadRecords(db: Kysely<DB>): Promise<MatchRecord[]> {
  const records: MatchRecord[] = [];
  let cursor = '0';
  for (;;) {
    const rows = await db
      .selectFrom('registry.record as r')
      .leftJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
      .select(RECORD_COLUMNS)
      .where('r.superseded_by', 'is', null)
      .where('r.record_id', '>', cursor)
      .orderBy('r.record_id')
      .limit(LOAD_BATCH)
      .execute();
    for (const row of rows) records.push(toMatchRecord(row as RecordRow));
    if (rows.length < LOAD_BATCH) break;
    cursor = rows[rows.length - 1]!.record_id;
  }
  return records;
}

/** For records superseded by a later repeat, the record that stands for them now. */
async function standIns(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 5000) {
    const rows = await db.selectFrom('registry.record').select(['record_id', 'superseded_by']).where('record_id', 'in', unique.slice(i, i + 5000)).where('superseded_by', 'is not', null).execute();
    for (const r of rows) out.set(r.record_id, r.superseded_by!);
  }
  return out;
}

/** Fuzzy links earlier runs found (their pairs are not compared again), moved onto the records that stand for theirs now. */
async function loadFuzzyLinks(db: Kysely<DB>, indexOf: Map<string, number>): Promise<StoredFuzzyLink[]> {
  const rows = await db
    .selectFrom('registry.link as l')
    .innerJoin('registry.record as ra', 'ra.record_id', 'l.record_a')
    .innerJoin('registry.record as rb', 'rb.record_id', 'l.record_b')
    .select([sql<string>`coalesce(ra.superseded_by, l.record_a)`.as('a'), sql<string>`coalesce(rb.superseded_by, l.record_b)`.as('b'), 'l.score'])
    .where('l.rule', '=', 'fuzzy')
    .where('l.score', '>=', THRESHOLDS.link)
    .execute();
  const out: StoredFuzzyLink[] = [];
  for (const r of rows) {
    const a = indexOf.get(String(r.a));
    const b = indexOf.get(String(r.b));
    if (a !== undefined && b !== undefined && a !== b) out.push({ a, b, score: Math.round((r.score ?? 0) * 100) / 100 });
  }
  return out;
}

async function insertBatches<T>(items: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  if (items.length === 0) return;
  const first = items[0];
  const size = batchFor(typeof first === 'object' && first !== null ? Object.keys(first).length : 1);
  for (let i = 0; i < items.length; i += size) await write(items.slice(i, i + size));
}

async function writeOutcome(trx: Transaction<DB>, runId: number, records: MatchRecord[], outcome: LinkOutcome, result: ClusterIdResult): Promise<void> {
  const createdSet = new Set(result.created);
  const newUnits = result.created.map((c) => ({ id: result.ids[c]!, created_run: runId, updated_run: runId, retired_run: null, name: null, uscc: null, org_code: null, address: null, established: null }));
  await insertBatches(newUnits, (chunk) => trx.insertInto('registry.unit').values(chunk).execute());

  const moves: { record_id: string; unit_id: string; since_run: number }[] = [];
  const touched = new Set<string>();
  outcome.clusters.forEach((members, c) => {
    const unitId = result.ids[c]!;
    for (const m of members) {
      const before = records[m]!.unitId;
      if (before === unitId) continue;
      moves.push({ record_id: records[m]!.id, unit_id: unitId, since_run: runId });
      touched.add(unitId);
      if (before) touched.add(before);
    }
    if (createdSet.has(c)) touched.add(unitId);
  });
  await insertBatches(moves, (chunk) =>
    trx
      .insertInto('registry.unit_member')
      .values(chunk)
      .onConflict((oc) => oc.column('record_id').doUpdateSet((eb) => ({ unit_id: eb.ref('excluded.unit_id'), since_run: eb.ref('excluded.since_run') })))
      .execute(),
  );
  // Records superseded earlier follow the record that stands for them; this run's repeats now stand for theirs.
  const superseded = outcome.superseded.map(([r, by]) => ({ record: records[r]!.id, by: records[by]!.id }));
  await insertBatches(superseded, async (chunk) => {
    const values = sql`(values ${sql.join(chunk.map((x) => sql`(${x.record}::bigint, ${x.by}::bigint)`))}) as x(record, by)`;
    await sql`update registry.record r set superseded_by = x.by from ${values} where r.superseded_by = x.record`.execute(trx);
    await sql`update registry.record r set superseded_by = x.by from ${values} where r.record_id = x.record`.execute(trx);
  });
  const standing = [...new Set([...moves.map((m) => m.record_id), ...superseded.map((x) => x.by)])];
  await insertBatches(standing, async (chunk) => {
    const values = sql`(values ${sql.join(chunk.map((id) => sql`(${id}::bigint)`))}) as x(rep)`;
    await sql`
      update registry.unit_member m set unit_id = mr.unit_id, since_run = ${runId}
      from registry.record r, registry.unit_member mr, ${values}
      where r.superseded_by = x.rep and mr.record_id = x.rep and m.record_id = r.record_id and m.unit_id <> mr.unit_id`.execute(trx);
  });
  const retired = new Set(result.retired);
  await insertBatches(
    [...touched].filter((id) => !retired.has(id)),
    (chunk) => trx.updateTable('registry.unit').set({ updated_run: runId, retired_run: null }).where('id', 'in', chunk).execute(),
  );
  await insertBatches(result.retired, (chunk) => trx.updateTable('registry.unit').set({ updated_run: runId, retired_run: runId }).where('id', 'in', chunk).execute());

  const id = (i: number) => records[i]!.id;
  const linkRows = outcome.newLinks.map((l) => ({ record_a: id(l.a), record_b: id(l.b), rule: l.rule, score: l.score, evidence: JSON.stringify(l.evidence), run_id: runId }));
  await insertBatches(linkRows, (chunk) => trx.insertInto('registry.link').values(chunk).onConflict((oc) => oc.doNothing()).execute());

  const events = [
    ...[...result.merged].map(([unit, from]) => ({ run_id: runId, event: 'merged', unit_id: unit, detail: JSON.stringify({ absorbed: from }) })),
    ...[...result.split].map(([unit, into]) => ({ run_id: runId, event: 'split', unit_id: unit, detail: JSON.stringify({ broke_away: into }) })),
    ...result.retired.map((unit) => ({ run_id: runId, event: 'retired', unit_id: unit, detail: null })),
  ];
  await insertBatches(events, (chunk) => trx.insertInto('registry.unit_event').values(chunk).execute());

  const reviewRows = outcome.review.map((r) => {
    const [a, b] = Number(id(r.a)) < Number(id(r.b)) ? [id(r.a), id(r.b)] : [id(r.b), id(r.a)];
    return { record_a: a, record_b: b, reason: r.reason, score: r.score, evidence: JSON.stringify(r.evidence), first_run: runId, last_run: runId };
  });
  await insertBatches(reviewRows, (chunk) =>
    trx
      .insertInto('registry.review_item')
      .values(chunk)
      .onConflict((oc) => oc.columns(['record_a', 'record_b', 'reason']).doUpdateSet((eb) => ({ last_run: eb.ref('excluded.last_run'), score: eb.ref('excluded.score'), evidence: eb.ref('excluded.evidence') })))
      .execute(),
  );
  await settleReviewItems(trx);
}

/**
 * Keeps the queue to what needs a steward: a pair with a decision in force is decided; an uncertain
 * pair that other evidence put in one unit is settled, and open again if the unit splits.
 */
export async function settleReviewItems(db: Kysely<DB>): Promise<void> {
  await sql`
    update registry.review_item i set status = 'decided'
    where i.status <> 'decided'
      and exists (select 1 from registry.match_decision d where d.record_a = i.record_a and d.record_b = i.record_b and d.undone_at is null)`.execute(db);
  await sql`
    update registry.review_item i set status = 'open'
    where i.status = 'decided'
      and not exists (select 1 from registry.match_decision d where d.record_a = i.record_a and d.record_b = i.record_b and d.undone_at is null)`.execute(db);
  await sql`
    update registry.review_item i set status = case when ma.unit_id = mb.unit_id then 'settled' else 'open' end
    from registry.unit_member ma, registry.unit_member mb
    where i.reason = 'uncertain' and i.status in ('open', 'settled')
      and ma.record_id = i.record_a and mb.record_id = i.record_b
      and i.status <> case when ma.unit_id = mb.unit_id then 'settled' else 'open' end`.execute(db);
}

/** Next ids after the highest ever given; the match stage runs under the run lock. */
async function idMinter(db: Kysely<DB>): Promise<() => string> {
  const row = await db
    .selectFrom('registry.unit')
    .select(sql<string>`coalesce(max(substr(id, 2)::bigint), 0)::text`.as('n'))
    .executeTakeFirst();
  let next = Number(row?.n ?? 0);
  return () => `U${String(++next).padStart(7, '0')}`;
}
