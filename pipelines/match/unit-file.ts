/**
 * The file of one unit (一企一档), for `gridlink show UNIT` and the web pages: the golden record with
 * each value's source file and row, every source record, every link between them with its rule and
 * evidence, merges and splits, the grid placement, reports, and stewards' decisions and open questions.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { GoldenField, GoldenValue } from '../consolidate.ts';
import { loadRecordRows, toView, type RecordView } from './record-view.ts';
import { decisionHistory, type DecisionView } from './review-queue.ts';

export interface UnitLink {
  recordA: string;
  recordB: string;
  rule: string;
  score: number | null;
  evidence: unknown;
  runId: number;
}

export interface UnitEvent {
  runId: number;
  event: string;
  unitId: string;
  detail: unknown;
}

export interface UnitFile {
  unit: {
    id: string;
    name: string | null;
    uscc: string | null;
    orgCode: string | null;
    address: string | null;
    status: string;
    established: string | null;
    createdRun: number;
    updatedRun: number;
    retiredRun: number | null;
  };
  /** For a retired id: the units its records are in now. */
  nowIn: string[];
  golden: Partial<Record<GoldenField, GoldenValue>>;
  records: RecordView[];
  links: UnitLink[];
  events: UnitEvent[];
  placement: {
    gridL1: string | null;
    gridL1Name: string | null;
    gridL2: string | null;
    gridL2Name: string | null;
    inspector: string | null;
    assistant: string | null;
    divisionCode: string | null;
    method: string;
    evidence: unknown;
  } | null;
  reports: { reason: string; asOf: string; openedRun: number; closedRun: number | null; closeReason: string | null; detail: unknown }[];
  review: { id: string; recordA: string; recordB: string; reason: string; status: string; score: number | null }[];
  decisions: DecisionView[];
}

export async function loadUnitFile(db: Kysely<DB>, unitId: string): Promise<UnitFile | null> {
  const unit = await db
    .selectFrom('registry.unit as u')
    .leftJoin('registry.unit_golden as g', 'g.unit_id', 'u.id')
    .selectAll('u')
    .select('g.golden')
    .where('u.id', '=', unitId)
    .executeTakeFirst();
  if (!unit) return null;
  const memberIds = (await db.selectFrom('registry.unit_member').select('record_id').where('unit_id', '=', unitId).orderBy('record_id').execute()).map((m) => m.record_id);
  const rows = await loadRecordRows(db, memberIds);
  const records = memberIds.map((id) => toView(rows.get(id)!));

  const links: UnitLink[] = [];
  for (let i = 0; i < memberIds.length; i += 1000) {
    const chunk = memberIds.slice(i, i + 1000);
    const found = await db
      .selectFrom('registry.link as l')
      .innerJoin('registry.unit_member as mb', 'mb.record_id', 'l.record_b')
      .select(['l.record_a', 'l.record_b', 'l.rule', 'l.score', 'l.evidence', 'l.run_id'])
      .where('l.record_a', 'in', chunk)
      .where('mb.unit_id', '=', unitId)
      .execute();
    for (const l of found) links.push({ recordA: l.record_a, recordB: l.record_b, rule: l.rule, score: l.score, evidence: l.evidence, runId: l.run_id });
  }
  links.sort((x, y) => x.runId - y.runId || Number(x.recordA) - Number(y.recordA) || Number(x.recordB) - Number(y.recordB) || x.rule.localeCompare(y.rule));

  const events = (
    await db
      .selectFrom('registry.unit_event')
      .select(['run_id', 'event', 'unit_id', 'detail'])
      .where((eb) =>
        eb.or([
          eb('unit_id', '=', unitId),
          eb(sql`jsonb_exists(coalesce(detail->'absorbed', '[]'::jsonb), ${unitId})`, '=', true),
          eb(sql`jsonb_exists(coalesce(detail->'broke_away', '[]'::jsonb), ${unitId})`, '=', true),
        ]),
      )
      .orderBy('id')
      .execute()
  ).map((e) => ({ runId: e.run_id, event: e.event, unitId: e.unit_id, detail: e.detail }));

  const nowIn = unit.retired_run === null ? [] : [...new Set(events.filter((e) => e.event === 'merged' && e.unitId !== unitId).map((e) => e.unitId))];

  const placement = await db
    .selectFrom('grid.placement as p')
    .leftJoin('grid.grid as g1', 'g1.code', 'p.grid_l1')
    .leftJoin('grid.grid as g2', 'g2.code', 'p.grid_l2')
    .select(['p.grid_l1', 'g1.name as l1_name', 'g1.inspector', 'p.grid_l2', 'g2.name as l2_name', 'g2.assistant', 'p.division_code', 'p.method', 'p.evidence'])
    .where('p.unit_id', '=', unitId)
    .executeTakeFirst();

  const reports = await db
    .selectFrom('inspection.report')
    .select(['reason', 'as_of', 'opened_run', 'closed_run', 'close_reason', 'detail'])
    .where('unit_id', '=', unitId)
    .orderBy('opened_run')
    .orderBy('reason')
    .execute();

  const review =
    memberIds.length === 0
      ? []
      : await db
          .selectFrom('registry.review_item')
          .select(['id', 'record_a', 'record_b', 'reason', 'status', 'score'])
          .where((eb) => eb.or([eb('record_a', 'in', memberIds), eb('record_b', 'in', memberIds)]))
          .orderBy('id')
          .execute();

  return {
    unit: {
      id: unit.id,
      name: unit.name,
      uscc: unit.uscc,
      orgCode: unit.org_code,
      address: unit.address,
      status: unit.status,
      established: unit.established,
      createdRun: unit.created_run,
      updatedRun: unit.updated_run,
      retiredRun: unit.retired_run,
    },
    nowIn,
    golden: (unit.golden ?? {}) as Partial<Record<GoldenField, GoldenValue>>,
    records,
    links,
    events,
    placement: placement
      ? {
          gridL1: placement.grid_l1,
          gridL1Name: placement.l1_name,
          gridL2: placement.grid_l2,
          gridL2Name: placement.l2_name,
          inspector: placement.inspector,
          assistant: placement.assistant,
          divisionCode: placement.division_code,
          method: placement.method,
          evidence: placement.evidence,
        }
      : null,
    reports: reports.map((r) => ({ reason: r.reason, asOf: r.as_of, openedRun: r.opened_run, closedRun: r.closed_run, closeReason: r.close_reason, detail: r.detail })),
    review: review.map((r) => ({ id: r.id, recordA: r.record_a, recordB: r.record_b, reason: r.reason, status: r.status, score: r.score })),
    decisions: await decisionHistory(db, { unitId, limit: 200 }),
  };
}
