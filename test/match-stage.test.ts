import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync, type SyncResult } from '../pipelines/run.ts';
import { silentLogger } from '../pipelines/logger.ts';
import { decide, listReview, undoDecision } from '../pipelines/match/review-queue.ts';
import { loadUnitFile } from '../pipelines/match/unit-file.ts';
import { engines, freshDatabase, type TestDatabase } from './support/databases.ts';
import { writeMatchInbox, writeNextMarket } from './match-inbox.ts';

describe.each(engines())('the match stage on %s', (engine) => {
  let database: TestDatabase;
  let inbox: string;
  let first: SyncResult;
  const sync = (asOf = '2026-11-27') => runSync(database, { inbox, asOf, archive: false, log: silentLogger });
  const matchCounts = (r: SyncResult) => r.stages.find((s) => s.stage === 'match')!.counts as Record<string, number>;

  /** Record id and unit of each source row, by agency and name (the fixture names are unique per agency). */
  async function rows() {
    const found = await database.db
      .selectFrom('registry.record as r')
      .innerJoin('registry.unit_member as m', 'm.record_id', 'r.record_id')
      .select(['r.record_id', 'r.agency', 'r.name', 'r.address', 'm.unit_id'])
      .orderBy('r.record_id')
      .execute();
    const get = (agency: string, name: string, address?: string) => {
      const r = found.filter((x) => x.agency === agency && x.name === name && (!address || x.address?.includes(address))).pop();
      if (!r) throw new Error(`no ${agency} record ${name}`);
      return r;
    };
    return { all: found, get, unit: (agency: string, name: string) => get(agency, name).unit_id };
  }

  const memberships = async () => (await database.db.selectFrom('registry.unit_member').select(['record_id', 'unit_id']).orderBy('record_id').execute());

  beforeAll(async () => {
    database = await freshDatabase(engine);
    inbox = writeMatchInbox();
    first = await sync();
  });
  afterAll(async () => database?.dispose());

  it('links by shared code and by fuzzy evidence, keeps a branch from its parent and namesakes in two districts apart', async () => {
    const r = await rows();
    expect(r.unit('statistics', '扬州新源电子有限公司')).toBe(r.unit('market', '扬州鑫源电子有限公司'));
    expect(r.unit('statistics', '扬州市恒扬建材有限公司')).toBe(r.unit('market', '扬州市恒扬建材有限公司'));
    expect(r.unit('market', '扬州市恒扬建材有限公司邗江分公司')).not.toBe(r.unit('market', '扬州市恒扬建材有限公司'));
    expect(r.unit('tax', '扬州市广陵区老王水果店')).toBe(r.unit('market', '扬州市广陵区老王水果店'));
    expect(r.unit('statistics', '扬州市邗江区老王水果店')).toBe(r.unit('market', '扬州市邗江区老王水果店'));
    expect(r.unit('market', '扬州市邗江区老王水果店')).not.toBe(r.unit('market', '扬州市广陵区老王水果店'));
    // A closed unit is matched like any other, so it cannot come back as a new one.
    expect(r.unit('tax', '扬州市明凯科技有限公司')).toBe(r.unit('market', '扬州市明凯科技有限公司'));
    // One name and address, two valid codes: two units until a steward says otherwise.
    expect(r.unit('tax', '扬州博益装潢有限公司')).not.toBe(r.unit('market', '扬州博益装潢有限公司'));
    expect(r.unit('statistics', '扬州市红星饭店')).toBe(r.unit('market', '扬州天青环保科技有限公司'));

    const fuzzy = await database.db.selectFrom('registry.link').select(['record_a', 'record_b', 'score', 'evidence']).where('rule', '=', 'fuzzy').execute();
    const typo = fuzzy.find((l) => [l.record_a, l.record_b].includes(r.get('statistics', '扬州新源电子有限公司').record_id))!;
    expect(typo.evidence).toMatchObject({ name: 'one_char', address: 'same_site' });
    expect(typo.score).toBeGreaterThan(20);
    expect(matchCounts(first).comparisons).toBeGreaterThan(0);
  });

  it('queues the contradictions and the uncertain pair, each with its evidence', async () => {
    const queue = await listReview(database.db);
    expect(Object.keys(queue.byReason).sort()).toEqual(['code_conflict', 'key_name_conflict', 'uncertain']);
    const r = await rows();
    const names = (reason: string) => {
      const item = queue.items.find((i) => i.reason === reason)!;
      return [item.a.name, item.b.name].sort();
    };
    expect(names('key_name_conflict')).toEqual(['扬州天青环保科技有限公司', '扬州市红星饭店']);
    expect(names('code_conflict')).toEqual(['扬州博益装潢有限公司', '扬州博益装潢有限公司']);
    expect(names('uncertain')).toEqual(['扬州市光明塑料制品有限公司', '扬州市光明塑料制品有限公司']);
    const uncertain = queue.items.find((i) => i.reason === 'uncertain')!;
    expect(uncertain.a.unitId).not.toBe(uncertain.b.unitId);
    expect(r.all.length).toBeGreaterThan(0);
  });

  it('a second run of the same inputs compares nothing and keeps every unit id', async () => {
    const before = await memberships();
    const again = await sync();
    // Nothing matching reads changed since the first run: its units are kept without loading a record.
    expect(matchCounts(again)).toMatchObject({ inputs_unchanged: 1, comparisons: 0, fresh: 0, units_created: 0, units_merged: 0, units_split: 0 });
    expect(matchCounts(again).records).toBe(matchCounts(first).records);
    expect(matchCounts(again).units).toBe(matchCounts(first).units);
    expect(await memberships()).toEqual(before);

    // Keeping them is what matching everything again decides: without the stored key the stage matches,
    // and changes nothing.
    await database.db.deleteFrom('registry.match_state').execute();
    const matched = await sync();
    expect(matchCounts(matched)).toMatchObject({ inputs_unchanged: 0, fresh: 0, units_created: 0, units_merged: 0, units_split: 0, units_retired: 0 });
    expect(await memberships()).toEqual(before);
    const touched = await database.db.selectFrom('registry.unit').select('id').where('updated_run', '=', matched.runId).execute();
    expect(touched).toEqual([]);
  });

  it('a "different" decision splits a unit on the next run, and undoing it joins the unit again', async () => {
    const item = (await listReview(database.db, { reason: 'key_name_conflict' })).items[0]!;
    const unitBefore = item.a.unitId!;
    const { decision } = await decide(database.db, { itemId: item.id }, { verdict: 'different', steward: '王审核', note: '饭店不是这家环保公司' });
    expect((await listReview(database.db, { reason: 'key_name_conflict' })).total).toBe(0);

    const split = await sync();
    expect(matchCounts(split)).toMatchObject({ units_split: 1, decisions_different: 1 });
    let r = await rows();
    const [ua, ub] = [r.unit('market', '扬州天青环保科技有限公司'), r.unit('statistics', '扬州市红星饭店')];
    expect(ua).not.toBe(ub);
    expect([ua, ub]).toContain(unitBefore);
    const events = await database.db.selectFrom('registry.unit_event').select(['event', 'unit_id', 'detail']).where('event', '=', 'split').execute();
    expect(events).toEqual([{ event: 'split', unit_id: unitBefore, detail: { broke_away: [ua === unitBefore ? ub : ua] } }]);

    await undoDecision(database.db, decision.id, { steward: '王审核', note: '看错了' });
    expect((await listReview(database.db, { reason: 'key_name_conflict' })).total).toBe(1);
    const joined = await sync();
    expect(matchCounts(joined).units_merged).toBe(1);
    r = await rows();
    expect(r.unit('statistics', '扬州市红星饭店')).toBe(r.unit('market', '扬州天青环保科技有限公司'));
    expect(r.unit('market', '扬州天青环保科技有限公司')).toBe(unitBefore);
    const history = await database.db.selectFrom('registry.match_decision').select(['verdict', 'steward', 'note', 'undone_by', 'undo_note']).execute();
    expect(history).toEqual([{ verdict: 'different', steward: '王审核', note: '饭店不是这家环保公司', undone_by: '王审核', undo_note: '看错了' }]);
  });

  it('a "same" decision merges two units on the next run', async () => {
    const item = (await listReview(database.db, { reason: 'code_conflict' })).items[0]!;
    const [keep, gone] = [item.a.unitId!, item.b.unitId!];
    await decide(database.db, { itemId: item.id }, { verdict: 'same', steward: '李审核' });
    const merged = await sync();
    expect(matchCounts(merged)).toMatchObject({ units_merged: 1, units_retired: 1, decisions_same: 1 });
    const r = await rows();
    const unit = r.unit('market', '扬州博益装潢有限公司');
    expect(r.unit('tax', '扬州博益装潢有限公司')).toBe(unit);
    expect([keep, gone]).toContain(unit);
    const retired = await database.db.selectFrom('registry.unit').select(['id', 'retired_run']).where('id', 'in', [keep, gone]).where('retired_run', 'is not', null).execute();
    expect(retired).toEqual([{ id: unit === keep ? gone : keep, retired_run: merged.runId }]);
    const file = await loadUnitFile(database.db, unit === keep ? gone : keep);
    expect(file!.nowIn).toEqual([unit]);
  });

  it('a new snapshot compares only its new or changed rows; repeats keep their units', async () => {
    const before = await rows();
    writeNextMarket(inbox);
    const next = await sync('2026-11-28');
    const c = matchCounts(next);
    // 9 rows again, one of them moved; one new company.
    expect(c).toMatchObject({ fresh: 2, repeats: 8, units_created: 1 });
    expect(c.comparisons).toBeLessThan(matchCounts(first).comparisons!);
    const after = await rows();
    for (const r of before.all) expect(after.all.find((x) => x.record_id === r.record_id)!.unit_id).toBe(r.unit_id);
    expect(after.get('market', '扬州市邗江区老王水果店', '22号').unit_id).toBe(before.unit('market', '扬州市邗江区老王水果店'));
  });

  it('loads only the latest record of each content; a decision about an earlier one still holds, and earlier ones follow', async () => {
    const superseded = await database.db.selectFrom('registry.record').select(['record_id', 'superseded_by']).where('superseded_by', 'is not', null).execute();
    // The first market register's rows, but for the shop that moved, are repeated by the second's.
    expect(superseded).toHaveLength(8);
    const item = (await listReview(database.db, { status: 'all', reason: 'key_name_conflict' })).items[0]!;
    expect(superseded.map((x) => x.record_id)).toContain(item.a.recordId);
    await decide(database.db, { itemId: item.id }, { verdict: 'different', steward: '王审核' });
    const split = await sync('2026-11-28');
    expect(matchCounts(split)).toMatchObject({ units_split: 1, comparisons: 0 });
    const r = await rows();
    const market = r.all.filter((x) => x.name === '扬州天青环保科技有限公司');
    expect(market).toHaveLength(2);
    expect(market[0]!.unit_id).toBe(market[1]!.unit_id);
    expect(r.unit('statistics', '扬州市红星饭店')).not.toBe(market[0]!.unit_id);
  });

  it("keeps a unit's file: each golden value traceable to one of its records, file and row", async () => {
    const r = await rows();
    const unitId = r.unit('market', '扬州鑫源电子有限公司');
    const file = (await loadUnitFile(database.db, unitId))!;
    expect(file.records.map((x) => x.agency).sort()).toEqual(['market', 'market', 'statistics']);
    expect(Object.keys(file.golden).length).toBeGreaterThan(3);
    for (const value of Object.values(file.golden)) {
      const source = file.records.find((x) => x.recordId === value!.record_id)!;
      expect(source).toBeDefined();
      expect([source.file, source.row, source.agency]).toEqual([value!.file, value!.row, value!.agency]);
    }
    // Market regulation registers companies: its current snapshot names the unit, not statistics' typo.
    expect(file.golden.name).toMatchObject({ value: '扬州鑫源电子有限公司', agency: 'market', file: 'market-20261128.csv' });
    expect(file.links.map((l) => l.rule).sort()).toEqual(['fuzzy', 'same_content']);
    expect(file.placement).not.toBeNull();
  });
});
