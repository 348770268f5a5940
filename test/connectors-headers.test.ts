import { describe, expect, it } from 'vitest';
import { cleanHeader, detectKind, mapHeaders, rankKinds } from '../connectors/headers.ts';
import { ENTITY_KINDS, FEED_FIELDS, FEED_KINDS, FEED_SCHEMAS, KINDS_BY_AGENCY, agencyOfKind } from '../schemas/feeds.ts';

describe('feed schemas', () => {
  it('lists the canonical fields other stages depend on', () => {
    expect(FEED_FIELDS.statistics).toEqual([
      'uscc', 'org_code', 'name', 'division_code', 'address', 'industry_code', 'unit_type', 'employees', 'established', 'phone',
    ]);
    expect(FEED_FIELDS['labour.supervised']).toEqual(['code', 'name', 'grid_code', 'supervised_since', 'inspector']);
    expect(FEED_FIELDS['labour.arrears']).toEqual(['uscc', 'name', 'wage_months', 'fee_months', 'registered', 'amount', 'workers']);
    expect(Object.keys(FEED_FIELDS).sort()).toEqual([...FEED_KINDS].sort());
    expect(ENTITY_KINDS).toEqual(['statistics', 'market', 'tax', 'civil-affairs.social-orgs', 'personnel', 'org-code']);
  });

  it('keeps values as trimmed raw text and all fields optional', () => {
    expect(FEED_SCHEMAS.market.parse({ name: '  扬州某某有限公司 ', capital: '１０００' })).toEqual({
      name: '扬州某某有限公司',
      capital: '１０００',
    });
    expect(FEED_SCHEMAS['labour.grids'].parse({})).toEqual({});
  });

  it('assigns every kind to exactly one agency folder', () => {
    for (const kind of FEED_KINDS) expect(KINDS_BY_AGENCY[agencyOfKind(kind)]).toContain(kind);
  });
});

describe('cleanHeader', () => {
  it('removes spaces (also U+3000 and zero-width), asterisks and folds full-width forms and brackets', () => {
    expect(cleanHeader(' 单位名称 ')).toBe('单位名称');
    expect(cleanHeader('统一社会\u3000信用代码＊')).toBe('统一社会信用代码');
    expect(cleanHeader('*法定代表人*')).toBe('法定代表人');
    expect(cleanHeader('注册资本（万元）')).toBe('注册资本(万元)');
    expect(cleanHeader('注册资本【万元】')).toBe('注册资本(万元)');
    expect(cleanHeader('\u200b区划代码\n')).toBe('区划代码');
    expect(cleanHeader('ＡＢＣ１２')).toBe('ABC12');
  });

  it('is idempotent', () => {
    for (const raw of ['  欠薪金额（元）＊', '*名称 *', '【备注】']) expect(cleanHeader(cleanHeader(raw))).toBe(cleanHeader(raw));
  });
});

describe('mapHeaders', () => {
  it('maps aliases by name, whatever the order, and leaves unknown columns null', () => {
    const headers = ['经营者', ' 名称*', '住所', '邮政编码', '注册资本（万元）', '类型'];
    expect(mapHeaders('market', headers)).toEqual(['legal_rep', 'name', 'address', null, 'capital', 'company_type']);
  });

  it('ignores a unit of measure in brackets that is not part of an alias', () => {
    expect(mapHeaders('statistics', ['从业人员期末人数(人)', '单位名称（全称）'])).toEqual(['employees', 'name']);
    expect(mapHeaders('market', ['注册资本(亿元)'])).toEqual(['capital']);
  });
});

describe('detectKind', () => {
  const grids = ['网格编码', '网格名称', '网格级别', '上级网格编码', '覆盖区划代码', '专职监察员', '协理员', '联系电话'];
  const supervised = ['统一社会信用代码', '单位名称', '网格编码', '纳入监管日期', '监察员'];
  const complaints = ['统一社会信用代码', '单位名称', '受理日期', '类型'];
  const arrears = ['统一社会信用代码', '单位名称', '欠薪月数', '欠费月数', '登记日期'];
  const credit = ['统一社会信用代码', '单位名称', '年度', '等级', '失信单位'];
  const market = ['统一社会信用代码', '注册号', '企业名称', '企业类型', '法定代表人', '住所', '成立日期', '登记状态'];

  it('tells the five labour layouts apart', () => {
    expect(detectKind('labour', grids)).toBe('labour.grids');
    expect(detectKind('labour', supervised)).toBe('labour.supervised');
    expect(detectKind('labour', complaints)).toBe('labour.complaints');
    expect(detectKind('labour', arrears)).toBe('labour.arrears');
    expect(detectKind('labour', ['单位名称', '欠费月数'])).toBe('labour.arrears');
    expect(detectKind('labour', credit)).toBe('labour.credit');
  });

  it('recognises supervised units by grid code and unit name when the date column is missing', () => {
    expect(detectKind('labour', ['单位名称', '统一社会信用代码', '网格编码'])).toBe('labour.supervised');
    expect(detectKind('labour', ['组织机构代码', '单位名称', '网格编码'])).toBe('labour.supervised');
    // Grid rows carry 网格编码 and 网格名称 but are never supervised units.
    expect(detectKind('labour', ['网格编码', '网格名称', '网格级别', '单位名称'])).toBe('labour.grids');
  });

  it('tells civil-affairs social organisations from divisions', () => {
    expect(detectKind('civil-affairs', ['区划代码', '区划名称', '层级', '上级区划代码'])).toBe('civil-affairs.divisions');
    expect(detectKind('civil-affairs', ['统一社会信用代码', '社会组织名称', '社会组织类型', '住所'])).toBe(
      'civil-affairs.social-orgs',
    );
  });

  it('rejects another agency\'s layout dropped into a folder', () => {
    expect(detectKind('labour', market)).toBeNull();
    expect(detectKind('tax', market)).toBeNull();
    // Shares 统一社会信用代码 and an address with statistics, but fits the market layout far better.
    expect(detectKind('statistics', [...market, '单位名称', '单位地址'])).toBeNull();
    expect(rankKinds(market)[0]?.kind).toBe('market');
  });

  it('accepts a sparse header of its own agency even if another layout fits equally', () => {
    expect(detectKind('statistics', ['统一社会信用代码', '单位名称', '单位地址'])).toBe('statistics');
    expect(detectKind('personnel', ['统一社会信用代码', '单位名称', '单位地址'])).toBe('personnel');
  });

  it('returns null for headers that are not a register at all', () => {
    expect(detectKind('statistics', ['a', 'b', 'c'])).toBeNull();
    expect(detectKind('labour', [])).toBeNull();
  });
});
