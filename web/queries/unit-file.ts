import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';

/** Everything known about one unit (一企一档): golden record, source records, links, placement, reports. */
export async function unitFile(db: Kysely<DB>, unitId: string) {
  const unit = await db
    .selectFrom('registry.unit as u')
    .leftJoin('registry.unit_golden as g', 'g.unit_id', 'u.id')
    .select(['u.id', 'u.name', 'u.uscc', 'u.org_code', 'u.address', 'u.status', 'u.established', 'g.golden', 'u.created_run', 'u.updated_run', 'u.retired_run'])
    .where('u.id', '=', unitId)
    .executeTakeFirst();
  if (!unit) return null;
  const records = await db
    .selectFrom('registry.unit_member as m')
    .innerJoin('registry.record as r', 'r.record_id', 'm.record_id')
    .innerJoin('staging.file as f', 'f.id', 'r.file_id')
    .select([
      'r.record_id', 'r.agency', 'r.kind', 'f.file_name', 'r.row', 'r.snapshot_date', 'r.is_current', 'r.name', 'r.uscc', 'r.uscc_valid', 'r.org_code', 'r.org_code_valid',
      'r.reg_no', 'r.reg_no_valid', 'r.tax_id', 'r.legal_form', 'r.is_branch', 'r.address', 'r.division_code', 'r.legal_rep', 'r.phone', 'r.established', 'r.status', 'r.flags', 'm.since_run',
    ])
    .where('m.unit_id', '=', unitId)
    .orderBy('r.record_id')
    .execute();
  const ids = records.map((r) => r.record_id);
  const links = ids.length
    ? await db
        .selectFrom('registry.link')
        .select(['record_a', 'record_b', 'rule', 'score', 'evidence', 'run_id'])
        .where((eb) => eb.or([eb('record_a', 'in', ids), eb('record_b', 'in', ids)]))
        .orderBy('run_id')
        .orderBy('record_a')
        .orderBy('record_b')
        .limit(500)
        .execute()
    : [];
  const placement = await db
    .selectFrom('grid.placement as p')
    .leftJoin('grid.grid as g1', 'g1.code', 'p.grid_l1')
    .leftJoin('grid.grid as g2', 'g2.code', 'p.grid_l2')
    .leftJoin('grid.division as d', 'd.code', 'p.division_code')
    .select(['p.grid_l1', 'p.grid_l2', 'g1.name as grid_l1_name', 'g2.name as grid_l2_name', 'p.division_code', 'd.name as division_name', 'p.method', 'p.evidence', 'p.run_id'])
    .where('p.unit_id', '=', unitId)
    .executeTakeFirst();
  const reports = await db
    .selectFrom('inspection.report')
    .select(['id', 'reason', 'grid_l1', 'grid_l2', 'detail', 'as_of', 'opened_run', 'opened_at', 'closed_run', 'closed_at', 'close_reason'])
    .where('unit_id', '=', unitId)
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const events = await db.selectFrom('registry.unit_event').select(['run_id', 'event', 'detail']).where('unit_id', '=', unitId).orderBy('id').execute();
  return { unit, records, links, placement: placement ?? null, reports, events };
}

export type UnitFile = NonNullable<Awaited<ReturnType<typeof unitFile>>>;
