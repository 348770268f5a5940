/**
 * The match stage: registry records → units. Loads what matching needs into memory, lets
 * link-records.ts decide (stewards' decisions, repeats, keys, fuzzy evidence, constrained clustering),
 * keeps unit ids stable (unit-ids.ts), and writes memberships, links with their evidence, merges and
 * splits, and the pairs stewards must review — each kind copied in and applied by one statement, in one transaction.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { anyOf } from '../../db/any-of.ts';
import type { StageContext, StageCounts } from '../stage.ts';
import { activeDecisions } from './decisions.ts';
import { linkRecords, type Decision, type LinkOutcome, type StoredFuzzyLink } from './link-records.ts';
import { loadRecords } from './load-records.ts';
import type { MatchRecord } from './match-record.ts';
import { THRESHOLDS } from './score.ts';
import type { CopyValue } from '../ingest/copy-text.ts';
import { copyRows, openStagingConnection, tempTable, type StagingConnection } from '../ingest/staging-connection.ts';
import { withForeignKeysCheckedBySet, type ForeignKeyScope } from '../../db/foreign-keys-by-set.ts';
import { collectGarbageBetweenStages } from '../memory.ts';
import { assignUnitIds, type ClusterIdResult } from './unit-ids.ts';
import { lastMatch, readMatchInputs, recordMatchInputs, type MatchInputs } from './match-inputs.ts';

export { loadRecords };

export async function matchRecords(ctx: StageContext): Promise<StageCounts> {
  const clock = stopwatch();
  const inputs = await readMatchInputs(ctx.db);
  const last = await lastMatch(ctx.db);
  if (last?.key === inputs.key) {
    ctx.log.info({ since_run: last.runId }, `matching inputs unchanged since run #${last.runId}: units kept as they are`);
    return unchangedCounts(inputs, clock());
  }
  const records = await loadRecords(ctx.database);
  const indexOf = recordIndex(records);
  const stored = await loadFuzzyLinks(ctx.db, indexOf);
  const decisions: Decision[] = [];
  const active = await activeDecisions(ctx.db);
  const standIn = await standIns(ctx.db, active.flatMap((d) => [d.record_a, d.record_b]));
  for (const d of active) {
    const a = indexOf(standIn.get(d.record_a) ?? d.record_a);
    const b = indexOf(standIn.get(d.record_b) ?? d.record_b);
    if (a === undefined || b === undefined || d.verdict === 'skip') continue;
    decisions.push({ id: d.id, a, b, verdict: d.verdict });
  }

  const loadSeconds = clock();
  const outcome = linkRecords(records, stored, decisions);
  const mintIds = await idMinter(ctx.db);
  const ids = assignUnitIds(outcome.clusters, (i) => records[i]!.unitId, mintIds);
  const linkSeconds = clock();
  // The write needs each record's id and previous unit only. The records themselves are most of this
  // stage's memory: let them go (and collect them) before the write builds its rows.
  const written: WrittenRecords = { id: records.map((r) => r.id), unitId: records.map((r) => r.unitId) };
  records.length = 0;
  collectGarbageBetweenStages();
  const conn = await openStagingConnection(ctx.database);
  try {
    await withForeignKeysCheckedBySet(conn, writtenScopes(ctx.runId), () => writeOutcome(conn, ctx.runId, written, outcome, ids));
    await recordMatchInputs(ctx.db, conn, ctx.runId);
    await conn.commit();
  } catch (err) {
    await conn.rollback();
    throw err;
  }
  const writeSeconds = clock();

  const linksByRule: Record<string, number> = {};
  for (const l of outcome.newLinks) linksByRule[l.rule] = (linksByRule[l.rule] ?? 0) + 1;
  const reviewByReason: Record<string, number> = {};
  for (const r of outcome.review) reviewByReason[r.reason] = (reviewByReason[r.reason] ?? 0) + 1;
  const { blocking, vetoed, rejected, ...counts } = outcome.counts;
  return {
    inputs_unchanged: 0,
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

/** A run that had nothing to match: what a match would have reported, without loading a record. */
function unchangedCounts(inputs: MatchInputs, seconds: number): StageCounts {
  return {
    inputs_unchanged: 1,
    records: inputs.records,
    fresh: 0,
    repeats: 0,
    comparisons: 0,
    fuzzy_links: 0,
    units: inputs.units,
    units_created: 0,
    units_merged: 0,
    units_split: 0,
    units_retired: 0,
    seconds_load: seconds,
  };
}

type RecordIndex = (id: string) => number | undefined;

/**
 * A record's index by its id. loadRecords gives the records in record-id order, so a binary search over
 * their ids finds one: a map of 684,000 ids took most of a second to build, to look up a few thousand.
 */
function recordIndex(records: readonly MatchRecord[]): RecordIndex {
  const ids = new Float64Array(records.length);
  for (let i = 0; i < records.length; i++) {
    ids[i] = Number(records[i]!.id);
    if (i > 0 && ids[i]! <= ids[i - 1]!) throw new Error(`Records must come in record-id order: ${records[i]!.id} follows ${records[i - 1]!.id}`);
  }
  return (id) => {
    const wanted = Number(id);
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] === wanted) return mid;
      if (ids[mid]! < wanted) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
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

/** For records superseded by a later repeat, the record that stands for them now. */
async function standIns(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const rows = await db.selectFrom('registry.record').select(['record_id', 'superseded_by']).where('record_id', '=', anyOf(unique, 'bigint')).where('superseded_by', 'is not', null).execute();
  for (const r of rows) out.set(r.record_id, r.superseded_by!);
  return out;
}

/** Fuzzy links earlier runs found (their pairs are not compared again), moved onto the records that stand for theirs now. */
async function loadFuzzyLinks(db: Kysely<DB>, indexOf: RecordIndex): Promise<StoredFuzzyLink[]> {
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
    const a = indexOf(String(r.a));
    const b = indexOf(String(r.b));
    if (a !== undefined && b !== undefined && a !== b) out.push({ a, b, score: Math.round((r.score ?? 0) * 100) / 100 });
  }
  return out;
}

/** What writeOutcome writes: every row it inserts or changes carries this run's id. */
function writtenScopes(runId: number): ForeignKeyScope[] {
  const stamped = (table: string, column: string): ForeignKeyScope => ({ table, where: `t.${column} = $1`, parameters: [runId] });
  return [
    stamped('registry.unit', 'updated_run'),
    stamped('registry.unit_member', 'since_run'),
    stamped('registry.link', 'run_id'),
    stamped('registry.unit_event', 'run_id'),
    stamped('registry.review_item', 'last_run'),
  ];
}

const exec = (conn: StagingConnection, text: string, parameters: unknown[] = []) => conn.run(CompiledQuery.raw(text, parameters));

/** Of each record (by index), what the write needs. */
interface WrittenRecords {
  id: string[];
  unitId: (string | undefined)[];
}

/**
 * Writes the run's outcome in one transaction of few statements: each kind of row is copied into a
 * temporary table and applied by one INSERT … ON CONFLICT or UPDATE … FROM, so the time goes with the
 * rows, not with round trips.
 */
async function writeOutcome(conn: StagingConnection, runId: number, records: WrittenRecords, outcome: LinkOutcome, result: ClusterIdResult): Promise<void> {
  if (result.created.length > 0) {
    await copyRows(conn, 'registry.unit', ['id', 'created_run', 'updated_run'], result.created.length, (i) => [result.ids[result.created[i]!]!, runId, runId]);
  }

  const moves: CopyValue[][] = [];
  const touched = new Set<string>();
  outcome.clusters.forEach((members, c) => {
    const unitId = result.ids[c]!;
    for (const m of members) {
      const before = records.unitId[m];
      if (before === unitId) continue;
      moves.push([records.id[m]!, unitId]);
      touched.add(unitId);
      if (before) touched.add(before);
    }
  });
  // Units created by this run were written with this run's stamps already.
  for (const c of result.created) touched.delete(result.ids[c]!);
  if (moves.length > 0) {
    await tempTable(conn, 'match_move', [['record_id', 'bigint'], ['unit_id', 'text']], moves, (m) => m);
    await exec(
      conn,
      `insert into registry.unit_member (record_id, unit_id, since_run) select record_id, unit_id, $1 from match_move
       on conflict (record_id) do update set unit_id = excluded.unit_id, since_run = excluded.since_run`,
      [runId],
    );
  }
  // Records superseded earlier follow the record that stands for them; this run's repeats now stand for theirs.
  const superseded = outcome.superseded.map(([r, by]) => [records.id[r]!, records.id[by]!]);
  if (superseded.length > 0) {
    await tempTable(conn, 'match_superseded', [['record', 'bigint'], ['by', 'bigint']], superseded, (x) => x);
    await exec(conn, 'update registry.record r set superseded_by = x.by from match_superseded x where r.superseded_by = x.record');
    await exec(conn, 'update registry.record r set superseded_by = x.by from match_superseded x where r.record_id = x.record');
  }
  const standing = [...new Set([...moves.map((m) => m[0] as string), ...superseded.map((x) => x[1]!)])];
  if (standing.length > 0) {
    await tempTable(conn, 'match_standing', [['rep', 'bigint']], standing, (id) => [id]);
    await exec(
      conn,
      `update registry.unit_member m set unit_id = mr.unit_id, since_run = $1
       from match_standing x, registry.record r, registry.unit_member mr
       where r.superseded_by = x.rep and mr.record_id = x.rep and m.record_id = r.record_id and m.unit_id <> mr.unit_id`,
      [runId],
    );
  }
  const retired = new Set(result.retired);
  const unitRows: CopyValue[][] = [...touched].filter((id) => !retired.has(id)).map((id) => [id, null]);
  for (const id of result.retired) unitRows.push([id, runId]);
  if (unitRows.length > 0) {
    await tempTable(conn, 'match_unit', [['id', 'text'], ['retired_run', 'int']], unitRows, (u) => u);
    await exec(conn, 'update registry.unit u set updated_run = $1, retired_run = x.retired_run from match_unit x where u.id = x.id', [runId]);
  }

  const id = (i: number) => records.id[i]!;
  if (outcome.newLinks.length > 0) {
    const columns: [string, string][] = [['record_a', 'bigint'], ['record_b', 'bigint'], ['rule', 'text'], ['score', 'real'], ['evidence', 'jsonb']];
    await tempTable(conn, 'match_link', columns, outcome.newLinks, (l) => [id(l.a), id(l.b), l.rule, l.score, JSON.stringify(l.evidence)]);
    await exec(
      conn,
      'insert into registry.link (record_a, record_b, rule, score, evidence, run_id) select record_a, record_b, rule, score, evidence, $1 from match_link on conflict do nothing',
      [runId],
    );
  }

  const events: CopyValue[][] = [
    ...[...result.merged].map(([unit, from]) => [runId, 'merged', unit, JSON.stringify({ absorbed: from })]),
    ...[...result.split].map(([unit, into]) => [runId, 'split', unit, JSON.stringify({ broke_away: into })]),
    ...result.retired.map((unit) => [runId, 'retired', unit, null]),
  ];
  await copyRows(conn, 'registry.unit_event', ['run_id', 'event', 'unit_id', 'detail'], events.length, (i) => events[i]!);

  if (outcome.review.length > 0) {
    const columns: [string, string][] = [['record_a', 'bigint'], ['record_b', 'bigint'], ['reason', 'text'], ['score', 'real'], ['evidence', 'jsonb']];
    await tempTable(conn, 'match_review', columns, outcome.review, (r) => {
      const [a, b] = Number(id(r.a)) < Number(id(r.b)) ? [id(r.a), id(r.b)] : [id(r.b), id(r.a)];
      return [a, b, r.reason, r.score, JSON.stringify(r.evidence)];
    });
    await exec(
      conn,
      `insert into registry.review_item (record_a, record_b, reason, score, evidence, first_run, last_run)
       select record_a, record_b, reason, score, evidence, $1, $1 from match_review
       on conflict (record_a, record_b, reason) do update set last_run = excluded.last_run, score = excluded.score, evidence = excluded.evidence`,
      [runId],
    );
  }
  for (const statement of SETTLE_REVIEW_ITEMS) await exec(conn, statement);
}

/**
 * Keeps the queue to what needs a steward: a pair with a decision in force is decided; an uncertain
 * pair that other evidence put in one unit is settled, and open again if the unit splits.
 */
const SETTLE_REVIEW_ITEMS = [
  `update registry.review_item i set status = 'decided'
    where i.status <> 'decided'
      and exists (select 1 from registry.match_decision d where d.record_a = i.record_a and d.record_b = i.record_b and d.undone_at is null)`,
  `update registry.review_item i set status = 'open'
    where i.status = 'decided'
      and not exists (select 1 from registry.match_decision d where d.record_a = i.record_a and d.record_b = i.record_b and d.undone_at is null)`,
  `update registry.review_item i set status = case when ma.unit_id = mb.unit_id then 'settled' else 'open' end
    from registry.unit_member ma, registry.unit_member mb
    where i.reason = 'uncertain' and i.status in ('open', 'settled')
      and ma.record_id = i.record_a and mb.record_id = i.record_b
      and i.status <> case when ma.unit_id = mb.unit_id then 'settled' else 'open' end`,
];

export async function settleReviewItems(db: Kysely<DB>): Promise<void> {
  for (const statement of SETTLE_REVIEW_ITEMS) await sql.raw(statement).execute(db);
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
