/**
 * The stewards' side of matching, for `gridlink review …` and the web pages alike: the queue of pairs
 * the rules could not settle, two records side by side with their differences and the evidence, and
 * decisions (same / different / skip) that every later run honours and that can be undone with the
 * history kept. Decisions take effect at the next sync, which re-clusters with them.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { ReviewStatus, Verdict } from '../../db/tables/matching.ts';
import { compareRecords, veto, type Comparison } from './compare.ts';
import { orderedPair } from './decisions.ts';
import { toMatchRecord } from './match-record.ts';
import { loadRecordRows, toView, type RecordView } from './record-view.ts';
import { scoreComparison, THRESHOLDS, type Weights } from './score.ts';

export type { RecordView };

export const VERDICTS: readonly Verdict[] = ['same', 'different', 'skip'];
export const REVIEW_REASONS = ['uncertain', 'key_name_conflict', 'code_conflict', 'key_branch_conflict'] as const;

/** What each reason means, for stewards (UI text is Chinese). */
export const REVIEW_REASON_TEXT: Record<string, string> = {
  uncertain: '相似度介于自动关联与不关联之间',
  key_name_conflict: '代码相同但名称差异很大',
  code_conflict: '名称和地址相同但统一社会信用代码（或组织机构代码）不同',
  key_branch_conflict: '代码相同但一方是另一方的分支机构',
};

export class ReviewError extends Error {}

export interface ReviewItem {
  id: string;
  reason: string;
  status: ReviewStatus;
  score: number | null;
  firstRun: number;
  lastRun: number;
  a: RecordView;
  b: RecordView;
}

export interface ReviewQuery {
  status?: ReviewStatus | 'all';
  reason?: string | null;
  /** Only pairs with a record in this unit. */
  unitId?: string | null;
  limit?: number;
  offset?: number;
}

export interface ReviewList {
  total: number;
  byReason: Record<string, number>;
  items: ReviewItem[];
}

function queueBase(db: Kysely<DB>, q: ReviewQuery) {
  const status = q.status ?? 'open';
  return db
    .selectFrom('registry.review_item as i')
    .$if(status !== 'all', (x) => x.where('i.status', '=', status as ReviewStatus))
    .$if(Boolean(q.reason), (x) => x.where('i.reason', '=', q.reason!))
    .$if(Boolean(q.unitId), (x) =>
      x.where((eb) =>
        eb.exists(
          eb
            .selectFrom('registry.unit_member as um')
            .select('um.record_id')
            .where('um.unit_id', '=', q.unitId!)
            .where((w) => w.or([w('um.record_id', '=', w.ref('i.record_a')), w('um.record_id', '=', w.ref('i.record_b'))])),
        ),
      ),
    );
}

/** The queue: open items by default, contradictions first (they are about records already linked), then by score. */
export async function listReview(db: Kysely<DB>, q: ReviewQuery = {}): Promise<ReviewList> {
  const counts = await queueBase(db, { ...q, reason: null }).select(['i.reason', sql<string>`count(*)`.as('n')]).groupBy('i.reason').execute();
  const byReason = Object.fromEntries(counts.map((c) => [c.reason, Number(c.n)]));
  const total = q.reason ? (byReason[q.reason] ?? 0) : Object.values(byReason).reduce((a, b) => a + b, 0);
  const rows = await queueBase(db, q)
    .select(['i.id', 'i.record_a', 'i.record_b', 'i.reason', 'i.status', 'i.score', 'i.first_run', 'i.last_run'])
    .orderBy(sql`case i.reason when 'uncertain' then 1 else 0 end`)
    .orderBy(sql`i.score desc nulls last`)
    .orderBy('i.id')
    .limit(q.limit ?? 50)
    .offset(q.offset ?? 0)
    .execute();
  const records = await loadRecordRows(db, [...new Set(rows.flatMap((r) => [r.record_a, r.record_b]))]);
  const items = rows.map((r): ReviewItem => ({
    id: r.id,
    reason: r.reason,
    status: r.status,
    score: r.score,
    firstRun: r.first_run,
    lastRun: r.last_run,
    a: toView(records.get(r.record_a)!),
    b: toView(records.get(r.record_b)!),
  }));
  return { total, byReason, items };
}

export type Marker = 'same' | 'similar' | 'different' | 'one_side' | 'neither';

export interface FieldRow {
  field: string;
  /** Chinese label for display */
  label: string;
  a: string | null;
  b: string | null;
  marker: Marker;
}

export interface DecisionView {
  id: string;
  recordA: string;
  recordB: string;
  verdict: Verdict;
  steward: string;
  note: string | null;
  decidedAt: Date;
  undoneAt: Date | null;
  undoneBy: string | null;
  undoNote: string | null;
}

export interface PairView {
  /** The queue item shown, when the pair came from the queue. */
  item: { id: string; reason: string; status: ReviewStatus; score: number | null; firstRun: number; lastRun: number } | null;
  a: RecordView;
  b: RecordView;
  fields: FieldRow[];
  /** The comparison as matching makes it now, with each feature's weight. */
  comparison: Comparison;
  weights: Weights;
  score: number;
  veto: string | null;
  thresholds: { link: number; review: number };
  /** The evidence stored when the pair was queued (it may predate later changes of the rules). */
  storedEvidence: unknown;
  /** Every decision ever taken on this pair, newest first, undone ones included. */
  decisions: DecisionView[];
  /** The decision in force, if any. */
  decision: DecisionView | null;
}

const code = (value: string | null, valid: boolean | null) => (value ? `${value}${valid === false ? '（校验位错误）' : ''}` : null);

function marker(a: string | null, b: string | null, similar?: (x: string, y: string) => boolean): Marker {
  if (!a && !b) return 'neither';
  if (!a || !b) return 'one_side';
  if (a === b) return 'same';
  return similar?.(a, b) ? 'similar' : 'different';
}

function fieldRows(a: RecordView, b: RecordView, c: Comparison): FieldRow[] {
  const row = (field: string, label: string, x: string | null, y: string | null, m?: Marker): FieldRow => ({ field, label, a: x, b: y, marker: m ?? marker(x, y) });
  const nameMarker: Marker = c.name === 'exact' ? 'same' : c.name === 'form' || c.name === 'one_char' || c.name === 'high' ? 'similar' : marker(a.name, b.name);
  const addressMarker: Marker = c.address === 'same_site' ? (a.address === b.address ? 'same' : 'similar') : c.address === 'missing' ? marker(a.address, b.address) : c.address === 'different' ? 'different' : 'similar';
  return [
    row('agency', '来源部门', a.agency, b.agency),
    row('file', '文件（行）', `${a.file}（第 ${a.row} 行）`, `${b.file}（第 ${b.row} 行）`),
    row('name', '名称', a.name, b.name, a.name === b.name && a.name ? 'same' : nameMarker),
    row('uscc', '统一社会信用代码', code(a.uscc, a.usccValid), code(b.uscc, b.usccValid)),
    row('org_code', '组织机构代码', code(a.orgCode, a.orgCodeValid), code(b.orgCode, b.orgCodeValid)),
    row('reg_no', '注册号', code(a.regNo, a.regNoValid), code(b.regNo, b.regNoValid)),
    row('tax_id', '纳税人识别号', a.taxId, b.taxId),
    row('address', '地址', a.address, b.address, a.address === b.address && a.address ? 'same' : addressMarker),
    row('district', '区县代码', a.districtCode, b.districtCode),
    row('legal_rep', '法定代表人', a.legalRep, b.legalRep),
    row('phone', '电话', a.phone, b.phone),
    row('established', '成立日期', a.established, b.established),
    row('status', '状态', a.status, b.status),
    row('branch', '分支机构', a.isBranch ? `是（隶属：${a.parentName ?? '不详'}）` : '否', b.isBranch ? `是（隶属：${b.parentName ?? '不详'}）` : '否'),
    row('unit', '当前所属单位', a.unitId, b.unitId),
  ];
}

async function pairDecisions(db: Kysely<DB>, recordA: string, recordB: string): Promise<DecisionView[]> {
  const rows = await db
    .selectFrom('registry.match_decision')
    .selectAll()
    .where('record_a', '=', recordA)
    .where('record_b', '=', recordB)
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(decisionView);
}

function decisionView(d: { id: string; record_a: string; record_b: string; verdict: Verdict; steward: string; note: string | null; decided_at: Date; undone_at: Date | null; undone_by: string | null; undo_note: string | null }): DecisionView {
  return { id: d.id, recordA: d.record_a, recordB: d.record_b, verdict: d.verdict, steward: d.steward, note: d.note, decidedAt: d.decided_at, undoneAt: d.undone_at, undoneBy: d.undone_by, undoNote: d.undo_note };
}

/** A reference to a pair: a queue item id, or two record ids. */
export type PairRef = { itemId: string } | { recordA: string; recordB: string };

async function resolvePair(db: Kysely<DB>, ref: PairRef) {
  if ('itemId' in ref) {
    if (!/^\d+$/.test(ref.itemId)) throw new ReviewError(`review item "${ref.itemId}" is not a number: use the id that "gridlink review list" shows`);
    const item = await db.selectFrom('registry.review_item').selectAll().where('id', '=', ref.itemId).executeTakeFirst();
    if (!item) throw new ReviewError(`no review item ${ref.itemId}: "gridlink review list --status all" shows the ids`);
    return { recordA: item.record_a, recordB: item.record_b, item };
  }
  for (const id of [ref.recordA, ref.recordB]) if (!/^\d+$/.test(id)) throw new ReviewError(`record id "${id}" is not a number: "gridlink show UNIT" lists the record ids of a unit`);
  if (ref.recordA === ref.recordB) throw new ReviewError('a pair needs two different records');
  const [recordA, recordB] = orderedPair(ref.recordA, ref.recordB);
  return { recordA, recordB, item: null };
}

/** Two records side by side, each field marked same / similar / different, with the evidence and the score. */
export async function showPair(db: Kysely<DB>, ref: PairRef): Promise<PairView> {
  const { recordA, recordB, item } = await resolvePair(db, ref);
  const rows = await loadRecordRows(db, [recordA, recordB]);
  const ra = rows.get(recordA);
  const rb = rows.get(recordB);
  if (!ra || !rb) throw new ReviewError(`no registry record ${!ra ? recordA : recordB}: "gridlink show UNIT" lists the record ids of a unit`);
  const ma = toMatchRecord(ra);
  const mb = toMatchRecord(rb);
  const comparison = compareRecords(ma, mb);
  const { score, weights } = scoreComparison(comparison);
  const a = toView(ra);
  const b = toView(rb);
  const decisions = await pairDecisions(db, recordA, recordB);
  return {
    item: item ? { id: item.id, reason: item.reason, status: item.status, score: item.score, firstRun: item.first_run, lastRun: item.last_run } : null,
    a,
    b,
    fields: fieldRows(a, b, comparison),
    comparison,
    weights,
    score,
    veto: veto(ma, mb),
    thresholds: { ...THRESHOLDS },
    storedEvidence: item?.evidence ?? null,
    decisions,
    decision: decisions.find((d) => d.undoneAt === null) ?? null,
  };
}

export interface DecideInput {
  verdict: Verdict;
  steward: string;
  note?: string | null;
}

/** Records a steward's decision on a pair; it takes effect at the next sync. Returns the decision and the one it supersedes, if any. */
export async function decide(db: Kysely<DB>, ref: PairRef, input: DecideInput): Promise<{ decision: DecisionView; supersedes: DecisionView | null }> {
  if (!VERDICTS.includes(input.verdict)) throw new ReviewError(`verdict must be one of ${VERDICTS.join(', ')}, got "${input.verdict}"`);
  const steward = input.steward.trim();
  if (!steward) throw new ReviewError('a decision needs the steward who takes it (--by NAME or GRIDLINK_STEWARD)');
  const { recordA, recordB, item } = await resolvePair(db, ref);
  return db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('registry.record').select('record_id').where('record_id', 'in', [recordA, recordB]).execute();
    if (found.length < 2) throw new ReviewError(`no registry record ${found.some((f) => f.record_id === recordA) ? recordB : recordA}`);
    const previous = (await pairDecisions(trx, recordA, recordB)).find((d) => d.undoneAt === null) ?? null;
    const row = await trx
      .insertInto('registry.match_decision')
      .values({ record_a: recordA, record_b: recordB, verdict: input.verdict, steward, note: input.note?.trim() || null, decided_at: new Date(), review_id: item?.id ?? null, undone_at: null, undone_by: null, undo_note: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.updateTable('registry.review_item').set({ status: 'decided' }).where('record_a', '=', recordA).where('record_b', '=', recordB).execute();
    return { decision: decisionView(row), supersedes: previous };
  });
}

/** Undoes a decision: its row stays, stamped with who undid it, when and why; the pair goes back to the queue unless another decision holds. */
export async function undoDecision(db: Kysely<DB>, decisionId: string, input: { steward: string; note?: string | null }): Promise<DecisionView> {
  if (!/^\d+$/.test(decisionId)) throw new ReviewError(`decision "${decisionId}" is not a number: "gridlink review history" shows decision ids`);
  const steward = input.steward.trim();
  if (!steward) throw new ReviewError('undoing a decision needs the steward who does it (--by NAME or GRIDLINK_STEWARD)');
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('registry.match_decision').selectAll().where('id', '=', decisionId).executeTakeFirst();
    if (!row) throw new ReviewError(`no decision ${decisionId}: "gridlink review history" shows decision ids`);
    if (row.undone_at) throw new ReviewError(`decision ${decisionId} was already undone by ${row.undone_by} on ${row.undone_at.toISOString()}`);
    const undone = await trx
      .updateTable('registry.match_decision')
      .set({ undone_at: new Date(), undone_by: steward, undo_note: input.note?.trim() || null })
      .where('id', '=', decisionId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const stillDecided = await trx.selectFrom('registry.match_decision').select('id').where('record_a', '=', row.record_a).where('record_b', '=', row.record_b).where('undone_at', 'is', null).executeTakeFirst();
    if (!stillDecided) {
      await trx.updateTable('registry.review_item').set({ status: 'open' }).where('record_a', '=', row.record_a).where('record_b', '=', row.record_b).where('status', '=', 'decided').execute();
    }
    return decisionView(undone);
  });
}

/** Decisions, newest first (undone ones too), optionally only those touching a unit's records. */
export async function decisionHistory(db: Kysely<DB>, q: { unitId?: string | null; limit?: number } = {}): Promise<DecisionView[]> {
  const rows = await db
    .selectFrom('registry.match_decision as d')
    .selectAll('d')
    .$if(Boolean(q.unitId), (x) =>
      x.where((eb) =>
        eb.exists(
          eb
            .selectFrom('registry.unit_member as um')
            .select('um.record_id')
            .where('um.unit_id', '=', q.unitId!)
            .where((w) => w.or([w('um.record_id', '=', w.ref('d.record_a')), w('um.record_id', '=', w.ref('d.record_b'))])),
        ),
      ),
    )
    .orderBy('d.decided_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(q.limit ?? 50)
    .execute();
  return rows.map(decisionView);
}
