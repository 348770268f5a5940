import type { Kysely } from 'kysely';
import type { DB, NewRegistryRecord } from '../db/types.ts';
import { ENTITY_KINDS } from '../schemas/feeds.ts';
import { cleanCode, isValidOrgCode, isValidRegNo, isValidUscc, orgCodeFromUscc, parseTaxId } from './normalize/codes.ts';
import { normalizeName } from './normalize/names.ts';
import { buildGazetteer, parseAddress, type Division, type Gazetteer } from './normalize/addresses.ts';
import { parseDate } from './normalize/dates.ts';
import { normalizePhone } from './normalize/phone.ts';
import { parseCount } from './normalize/numbers.ts';
import type { StageContext, StageCounts } from './stage.ts';
import { latestFiles } from './snapshots.ts';

const BATCH = 2000;
type Fields = Record<string, string | undefined>;

/**
 * Turns staged rows into typed, normalised rows: employer records into registry.record, the labour
 * bureau's own lists into the inspection tables. Only rows not normalised before are read, so a
 * re-run costs nothing and a new snapshot costs its own size.
 */
export async function normalizeRecords(ctx: StageContext): Promise<StageCounts> {
  const gazetteer = await loadGazetteer(ctx.db);
  const counts: Record<string, number> = { records: 0, flagged: 0 };
  let cursor = '0';
  for (;;) {
    const batch = await ctx.db
      .selectFrom('staging.record as s')
      .innerJoin('staging.file as f', 'f.id', 's.file_id')
      .leftJoin('registry.record as r', 'r.record_id', 's.id')
      .select(['s.id', 's.file_id', 's.agency', 's.kind', 's.row', 's.fields', 'f.snapshot_date'])
      .where('s.kind', 'in', ENTITY_KINDS as unknown as string[])
      .where('r.record_id', 'is', null)
      .where('s.id', '>', cursor)
      .orderBy('s.id')
      .limit(BATCH)
      .execute();
    if (batch.length === 0) break;
    const rows = batch.map((s) => normalizeEntity(s, s.fields as Fields, gazetteer));
    await ctx.db.insertInto('registry.record').values(rows).execute();
    counts.records! += rows.length;
    counts.flagged! += rows.filter((r) => (r.flags as string[]).length > 0).length;
    cursor = batch[batch.length - 1]!.id;
  }
  await markCurrentSnapshots(ctx.db);
  Object.assign(counts, await normalizeLabourLists(ctx.db));
  return counts;
}

export async function loadGazetteer(db: Kysely<DB>): Promise<Gazetteer> {
  const rows = await db.selectFrom('grid.division').select(['code', 'name', 'level', 'parent_code']).execute();
  const divisions: Division[] = rows
    .filter((r) => ['district', 'street', 'community'].includes(r.level))
    .map((r) => ({ code: r.code, name: r.name, level: r.level as Division['level'], parentCode: r.parent_code }));
  return buildGazetteer(divisions);
}

interface Source {
  id: string;
  file_id: number;
  agency: string;
  kind: string;
  row: number;
  snapshot_date: string | null;
}

const CLOSED = /注销|吊销|撤销/;
const MOVED_OUT = /迁出/;

export function normalizeEntity(s: Source, f: Fields, gazetteer: Gazetteer): NewRegistryRecord {
  const flags: string[] = [];
  let uscc: string | null = null;
  let usccValid: boolean | null = null;
  let orgCode: string | null = null;
  let orgCodeValid: boolean | null = null;
  let regNo: string | null = null;
  let regNoValid: boolean | null = null;
  let taxId: string | null = null;

  const takeUscc = (code: string) => {
    uscc = code;
    usccValid = isValidUscc(code);
    if (usccValid) {
      orgCode = orgCodeFromUscc(code);
      orgCodeValid = true;
    } else flags.push('uscc_check_failed');
  };
  const takeOrgCode = (code: string) => {
    const valid = isValidOrgCode(code);
    if (!orgCodeValid) {
      orgCode = code;
      orgCodeValid = valid;
    }
    if (!valid) flags.push('org_code_check_failed');
  };

  const usccField = cleanCode(f.uscc);
  // Some agencies put whatever code they had under the unified-code header: a 9-character value is an organisation code.
  if (usccField.length === 9) takeOrgCode(usccField);
  else if (usccField) takeUscc(usccField);
  const orgField = cleanCode(f.org_code);
  if (orgField) takeOrgCode(orgField);
  const regField = cleanCode(f.reg_no);
  if (regField) {
    regNo = regField;
    regNoValid = isValidRegNo(regField);
    if (!regNoValid) flags.push('reg_no_check_failed');
  }
  if (f.tax_id) {
    const tax = parseTaxId(f.tax_id);
    taxId = tax.normalized;
    if (tax.kind === 'uscc' && !uscc) takeUscc(tax.normalized);
    else if (tax.kind === 'division_org' && tax.orgCode) {
      if (tax.valid) takeOrgCode(tax.orgCode);
      else flags.push('tax_id_check_failed');
    } else if (!tax.valid) flags.push('tax_id_check_failed');
  }

  const name = normalizeName(f.name);
  const address = parseAddress(f.address, gazetteer);
  const established = parseDate(f.established);
  if (!established.ok) flags.push(`established_invalid`);
  const statusText = f.reg_status ?? f.tax_status ?? '';
  const status = CLOSED.test(statusText) ? 'closed' : MOVED_OUT.test(statusText) ? 'moved_out' : 'active';
  const division = cleanCode(f.division_code);

  return {
    record_id: s.id,
    file_id: s.file_id,
    agency: s.agency,
    kind: s.kind,
    row: s.row,
    snapshot_date: s.snapshot_date,
    uscc,
    uscc_valid: usccValid,
    org_code: orgCode,
    org_code_valid: orgCodeValid,
    reg_no: regNo,
    reg_no_valid: regNoValid,
    tax_id: taxId,
    name: name.display || null,
    name_key: name.key || null,
    trade_name: name.tradeName || null,
    legal_form: name.legalForm,
    region_key: name.regionKey,
    is_branch: name.isBranch,
    parent_name: name.parentName,
    address: address.normalized || null,
    district_code: address.districtCode,
    street_code: address.streetCode,
    community_code: address.communityCode,
    road: address.road,
    road_no: address.number,
    division_code: /^\d{6}(\d{3}(\d{3})?)?$/.test(division) ? division : null,
    legal_rep: f.legal_rep?.trim() || null,
    phone: normalizePhone(f.phone),
    established: established.ok ? established.date : null,
    status,
    flags,
  };
}

/** Each file is its agency's full register: only the latest snapshot of an agency's feed is current. */
async function markCurrentSnapshots(db: Kysely<DB>): Promise<void> {
  const latest = await latestFiles(db, ENTITY_KINDS as unknown as string[]);
  const ids = [...latest.values()];
  await db.updateTable('registry.record').set({ is_current: false }).where('is_current', '=', true).$if(ids.length > 0, (q) => q.where('file_id', 'not in', ids)).execute();
  if (ids.length) await db.updateTable('registry.record').set({ is_current: true }).where('is_current', '=', false).where('file_id', 'in', ids).execute();
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

/** The bureau's own lists (supervised units, complaints, arrears, credit grades), typed for the supervise stage. */
async function normalizeLabourLists(db: Kysely<DB>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const pending = (kind: string, table: 'inspection.supervised' | 'inspection.complaint' | 'inspection.arrears' | 'inspection.credit') =>
    db
      .selectFrom('staging.record as s')
      .leftJoin(`${table} as t` as 'inspection.supervised as t', 't.record_id', 's.id')
      .select(['s.id', 's.fields'])
      .where('s.kind', '=', kind)
      .where('t.record_id', 'is', null)
      .orderBy('s.id')
      .execute();

  const supervised = await pending('labour.supervised', 'inspection.supervised');
  for (const chunk of chunks(supervised)) {
    await db
      .insertInto('inspection.supervised')
      .values(
        chunk.map(({ id, fields }) => {
          const f = fields as Fields;
          const n = normalizeName(f.name);
          return { record_id: id, code: firstCode(f.code), name: n.display || null, name_key: n.key || null, grid_code: f.grid_code?.trim() || null, since: date(f.supervised_since), inspector: f.inspector?.trim() || null, unit_id: null };
        }),
      )
      .execute();
  }
  out.supervised = supervised.length;

  const complaints = await pending('labour.complaints', 'inspection.complaint');
  for (const chunk of chunks(complaints)) {
    await db
      .insertInto('inspection.complaint')
      .values(
        chunk.map(({ id, fields }) => {
          const f = fields as Fields;
          const n = normalizeName(f.name);
          return { record_id: id, uscc: firstCode(f.uscc), name: n.display || null, name_key: n.key || null, received: date(f.received), complaint_type: f.complaint_type?.trim() || null, unit_id: null };
        }),
      )
      .execute();
  }
  out.complaints = complaints.length;

  const arrears = await pending('labour.arrears', 'inspection.arrears');
  for (const chunk of chunks(arrears)) {
    await db
      .insertInto('inspection.arrears')
      .values(
        chunk.map(({ id, fields }) => {
          const f = fields as Fields;
          const n = normalizeName(f.name);
          return { record_id: id, uscc: firstCode(f.uscc), name: n.display || null, name_key: n.key || null, wage_months: count(f.wage_months), fee_months: count(f.fee_months), registered: date(f.registered), unit_id: null };
        }),
      )
      .execute();
  }
  out.arrears = arrears.length;

  const credit = await pending('labour.credit', 'inspection.credit');
  for (const chunk of chunks(credit)) {
    await db
      .insertInto('inspection.credit')
      .values(
        chunk.map(({ id, fields }) => {
          const f = fields as Fields;
          const n = normalizeName(f.name);
          const year = /(\d{4})/.exec(f.year ?? '');
          return {
            record_id: id,
            uscc: firstCode(f.uscc),
            name: n.display || null,
            name_key: n.key || null,
            year: year ? Number(year[1]) : null,
            grade: (f.grade ?? '').trim().toUpperCase().normalize('NFKC') || null,
            dishonest: /^(是|Y|YES|TRUE|1)$/i.test((f.dishonest ?? '').trim()),
            unit_id: null,
          };
        }),
      )
      .execute();
  }
  out.credit = credit.length;
  return out;
}

function* chunks<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
