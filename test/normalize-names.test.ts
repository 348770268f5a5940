import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeName, sameName } from '../pipelines/normalize/names.ts';
import { REFERENCE } from './support/paths.ts';

function readTsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path.join(REFERENCE, file), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const cols = header!.split('\t');
  return lines.map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

const COMPANIES = readTsv('yangzhou-companies-1978-2004.tsv');
const NAMED = readTsv('codes/company_names_uscc.tsv');

describe('normalizeName: display', () => {
  it('folds width, drops stray spaces and writes brackets full-width', () => {
    expect(normalizeName('中国农业银行股份有限公司扬 州蒋王支行').display).toBe('中国农业银行股份有限公司扬州蒋王支行');
    expect(normalizeName('江苏宝合美业有限\u3000公司').display).toBe('江苏宝合美业有限公司');
    expect(normalizeName(' 扬州运河餐饮有限公司 ').display).toBe('扬州运河餐饮有限公司');
    expect(normalizeName('青岛啤酒(扬州)有限公司').display).toBe('青岛啤酒（扬州）有限公司');
    expect(normalizeName('扬州ＡＢＣ　Ｔｒａｄｉｎｇ　有限公司').display).toBe('扬州ABC Trading有限公司');
  });

  it('gives empty parts for empty input', () => {
    for (const v of [null, undefined, '', '   ']) {
      expect(normalizeName(v)).toEqual({ display: '', key: '', legalForm: null, tradeName: '', isBranch: false, parentName: null, region: null, regionKey: null });
    }
  });
});

describe('normalizeName: key', () => {
  it('gives one key to the spellings of one company', () => {
    const spellings = [
      '扬州市盛昌电源有限公司',
      '扬州盛昌电源有限公司',
      '江苏省扬州市盛昌电源有限公司',
      '盛昌电源有限责任公司',
      ' 扬州市 盛昌电源 有限公司',
      '扬州市盛昌电源有限责任公司',
    ];
    const keys = new Set(spellings.map((s) => normalizeName(s).key));
    expect([...keys]).toEqual(['盛昌电源有限公司']);
  });

  it('drops Yangzhou district prefixes, current and historical', () => {
    const a = normalizeName('扬州市江都区二姜供销合作社').key;
    expect(normalizeName('江都市二姜供销合作社').key).toBe(a);
    expect(normalizeName('江都区二姜供销社').key).toBe(a);
    expect(normalizeName('扬州市邗江通用电器厂').key).toBe(normalizeName('扬州市维扬区通用电器厂').key);
    expect(normalizeName('扬州经济技术开发区展星家电商行').key).toBe('展星家电商行');
  });

  it('drops a bracketed Yangzhou region but keeps other places, which may be other companies', () => {
    expect(normalizeName('百祥（扬州）电气安装有限责任公司').key).toBe('百祥电气安装有限公司');
    expect(normalizeName('青岛啤酒(扬州)有限公司').key).toBe(normalizeName('青岛啤酒有限公司').key);
    expect(normalizeName('锤子科贸（上海）有限公司').key).not.toBe(normalizeName('锤子科贸有限公司').key);
    expect(normalizeName('锤子科贸（上海）有限公司').region).toBe('上海');
  });

  it('keeps 股份有限公司 distinct from 有限公司, and partnerships distinct', () => {
    expect(normalizeName('扬州卓聚服饰股份有限公司').key).not.toBe(normalizeName('扬州卓聚服饰有限公司').key);
    expect(normalizeName('扬州市融海皮革制品厂（普通合伙）').key).toBe(normalizeName('扬州市融海皮革制品厂(普通合伙)').key);
  });

  it('treats the （个体工商户） marker and （集团） brackets as spelling', () => {
    expect(normalizeName('扬州市广陵区康富立超市（个体工商户）').key).toBe(normalizeName('扬州市广陵区康富立超市').key);
    expect(normalizeName('江苏省粮油食品进出口(集团)公司').key).toBe(normalizeName('江苏省粮油食品进出口集团公司').key);
  });

  it('keeps the region in the key when it is all that tells the unit apart', () => {
    expect(normalizeName('扬州食品有限公司').key).toBe('扬州食品有限公司');
    expect(normalizeName('扬州市食品有限公司').key).toBe('扬州食品有限公司');
    expect(normalizeName('宝应县食品有限公司').key).not.toBe(normalizeName('扬州食品有限公司').key);
    expect(normalizeName('江苏宝应农村商业银行股份有限公司').key).not.toBe(normalizeName('江苏扬州农村商业银行股份有限公司').key);
  });

  it('reports the region so equal keys from two districts can be told apart', () => {
    const a = normalizeName('高邮市东方消防器材有限公司');
    const b = normalizeName('宝应县东方消防器材有限公司');
    expect(a.key).toBe(b.key);
    expect([a.regionKey, b.regionKey]).toEqual(['高邮', '宝应']);
    expect(normalizeName('江都市二姜供销合作社').regionKey).toBe(normalizeName('扬州市江都区二姜供销合作社').regionKey);
    expect(sameName('扬州市盛昌电源有限公司', '盛昌电源有限责任公司')).toBe(true);
    expect(sameName('', '')).toBe(false);
  });
});

describe('normalizeName: parts', () => {
  it('splits region, trade name and legal form', () => {
    expect(normalizeName('扬州市盛昌电源有限公司')).toEqual({
      display: '扬州市盛昌电源有限公司',
      key: '盛昌电源有限公司',
      legalForm: '有限公司',
      tradeName: '盛昌',
      isBranch: false,
      parentName: null,
      region: '扬州市',
      regionKey: '扬州',
    });
    expect(normalizeName('小米科技有限责任公司')).toMatchObject({ legalForm: '有限公司', tradeName: '小米' });
    expect(normalizeName('山东步长制药股份有限公司')).toMatchObject({ legalForm: '股份有限公司', tradeName: '步长制药' });
    expect(normalizeName('天津云上畅游科技合伙企业（有限合伙）')).toMatchObject({ legalForm: '合伙企业（有限合伙）', tradeName: '云上畅游' });
    expect(normalizeName('高邮市恒信机械厂')).toMatchObject({ legalForm: '厂', tradeName: '恒信', region: '高邮市' });
    expect(normalizeName('扬州市邗江区辰龙百货经营部')).toMatchObject({ legalForm: '经营部', tradeName: '辰龙' });
    expect(normalizeName('扬州市广陵区康富立超市（个体工商户）')).toMatchObject({ legalForm: '个体工商户', tradeName: '康富立' });
    expect(normalizeName('扬州市江都区丁伙供销合作社')).toMatchObject({ legalForm: '合作社', tradeName: '丁伙' });
    expect(normalizeName('扬州市融海皮革制品厂（普通合伙）')).toMatchObject({ legalForm: '合伙企业（普通合伙）', tradeName: '融海' });
    expect(normalizeName('华为技术有限公司')).toMatchObject({ tradeName: '华为', region: null });
    expect(normalizeName('福建百度博瑞网络科技有限公司')).toMatchObject({ tradeName: '百度博瑞' });
    expect(normalizeName('江苏琼花集团有限公司')).toMatchObject({ tradeName: '琼花', legalForm: '有限公司' });
  });

  it('recognises branches and names their parent', () => {
    expect(normalizeName('南京利清鸿餐饮管理有限公司扬州分公司')).toMatchObject({
      isBranch: true,
      parentName: '南京利清鸿餐饮管理有限公司',
      legalForm: '分公司',
      tradeName: '利清鸿',
    });
    expect(normalizeName('中国农业银行股份有限公司扬 州蒋王支行')).toMatchObject({ isBranch: true, parentName: '中国农业银行股份有限公司', legalForm: '支行' });
    expect(normalizeName('中国银行股份有限公司扬州分行')).toMatchObject({ isBranch: true, legalForm: '分行' });
    expect(normalizeName('中国人寿保险股份有限公司江都支公司小纪营业部')).toMatchObject({
      isBranch: true,
      parentName: '中国人寿保险股份有限公司江都支公司',
    });
    expect(normalizeName('扬州市铭澜网络科技有限公司第二分公司').parentName).toBe('扬州市铭澜网络科技有限公司');
    // A branch named after its parent without a branch word (分支机构名称 = 隶属企业名称 + 自身名称).
    expect(normalizeName('扬州市金鼎商贸有限公司荷花池浴室')).toMatchObject({ isBranch: true, parentName: '扬州市金鼎商贸有限公司', legalForm: '分支机构' });
    expect(normalizeName('扬州市江都区振洋机械厂经营部')).toMatchObject({ isBranch: true, parentName: '扬州市江都区振洋机械厂' });
    for (const n of ['江苏扬州三力电器集团东兴电器有限公司', '扬州市远洋船用电缆厂有限公司', '扬州市融海皮革制品厂（普通合伙）', '扬州分公司']) {
      expect(normalizeName(n).parentName, n).toBeNull();
    }
    expect(normalizeName('江苏扬州三力电器集团东兴电器有限公司').isBranch).toBe(false);
  });
});

describe('normalizeName on real Yangzhou registrations', () => {
  const results = COMPANIES.map((r) => ({ row: r, n: normalizeName(r.name) }));

  it('normalises all 4,058 names without throwing, idempotently', () => {
    expect(results).toHaveLength(4058);
    for (const { row, n } of results) {
      expect(n.display, row.name).not.toBe('');
      const again = normalizeName(n.display);
      expect(again.display, row.name).toBe(n.display);
      expect(again.key, row.name).toBe(n.key);
      expect(n.key, row.name).not.toMatch(/有限责任公司|\s/);
    }
  });

  it('marks every name ending in 分公司 as a branch with a parent', () => {
    const fen = results.filter(({ n }) => n.display.endsWith('分公司'));
    expect(fen.length).toBeGreaterThan(100);
    for (const { row, n } of fen) {
      expect(n.isBranch, row.name).toBe(true);
      expect(n.parentName, row.name).not.toBeNull();
    }
  });

  it('recognises the units registered as branch establishments (分支机构) as branches', () => {
    const branches = results.filter(({ row }) => row.entity_type!.includes('分支机构'));
    const found = branches.filter(({ n }) => n.isBranch).length;
    console.log(`branch establishments recognised as branches: ${found}/${branches.length}`);
    expect(found / branches.length).toBeGreaterThan(0.95);
  });

  it('finds a legal form for nearly every name', () => {
    const none = results.filter(({ n }) => n.legalForm === null);
    expect(none.length / results.length).toBeLessThan(0.01);
  });

  it('reads the names paired with unified codes', () => {
    for (const r of NAMED.filter((x) => /公司$|合伙）$/.test(x.name!))) {
      const n = normalizeName(r.name);
      expect(n.legalForm, r.name).not.toBeNull();
      expect(n.tradeName, r.name).not.toBe('');
    }
    expect(normalizeName('中国红十字基金会').legalForm).toBe('基金会');
    expect(normalizeName('扬州市档案学会')).toMatchObject({ legalForm: '学会', key: '档案学会' });
    expect(normalizeName('扬州澜嘉泓幼儿园').legalForm).toBe('幼儿园');
  });
});

describe('normalizeName properties', () => {
  const pieces = fc.constantFrom(
    '扬州市', '江苏省', '江都区', '扬州', '盛昌', '电源', '有限责任公司', '有限公司', '股份有限公司', '分公司', '支行',
    '（', '）', '(', ')', '（扬州）', '(上海)', '（普通合伙）', '（个体工商户）', '集团', '厂', '店',
    '１', 'Ａ', 'a', ' ', '\u3000', '\u00A0', '\t', '·', '-', '—', '\u0301', '\u00A8', '\u200B', 'ﬀ', '㈱', '⑴', '︵',
  );
  const mixed = fc.array(pieces, { maxLength: 16 }).map((a) => a.join(''));

  it('is idempotent in display and key on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(mixed, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        const once = normalizeName(s);
        const twice = normalizeName(once.display);
        expect(twice.display).toBe(once.display);
        expect(twice.key).toBe(once.key);
        expect(twice.legalForm).toBe(once.legalForm);
        expect(twice.isBranch).toBe(once.isBranch);
      }),
      { numRuns: 3000 },
    );
  });
});
