import type { KindSpec } from './kind-spec.ts';

// The inspection bureau's five layouts share 统一社会信用代码/单位名称, so each is recognised by
// the columns only it has.

/** 网格 (the inspection grid: level-1 streets/towns/parks, level-2 communities/villages). */
export const GRIDS: KindSpec<'labour.grids'> = {
  kind: 'labour.grids',
  label: '劳动保障监察网格',
  aliases: {
    grid_code: ['网格编码'],
    grid_name: ['网格名称'],
    grid_level: ['网格级别'],
    parent_grid_code: ['上级网格编码'],
    division_codes: ['覆盖区划代码'],
    inspector: ['专职监察员'],
    assistant: ['协理员'],
    phone: ['联系电话'],
  },
  recognises: (p) => p.has('grid_code') && p.has('grid_level'),
  requirement: '“网格编码”和“网格级别”',
};

/** 已纳入监管单位. The code column holds whichever code the bureau had, USCC or org code. */
export const SUPERVISED: KindSpec<'labour.supervised'> = {
  kind: 'labour.supervised',
  label: '已纳入监管单位',
  aliases: {
    code: ['统一社会信用代码', '组织机构代码'],
    name: ['单位名称'],
    grid_code: ['网格编码'],
    supervised_since: ['纳入监管日期'],
    inspector: ['监察员'],
  },
  recognises: (p) => !p.has('grid_level') && (p.has('supervised_since') || (p.has('grid_code') && p.has('name'))),
  requirement: '“纳入监管日期”，或“网格编码”和“单位名称”（且没有“网格级别”）',
};

/** 举报投诉. 诉求内容/处理结果 are not in the feeds README; the bureau's sample export has them. */
export const COMPLAINTS: KindSpec<'labour.complaints'> = {
  kind: 'labour.complaints',
  label: '举报投诉登记',
  aliases: {
    uscc: ['统一社会信用代码'],
    name: ['单位名称'],
    received: ['受理日期'],
    complaint_type: ['类型'],
    content: ['诉求内容'],
    result: ['处理结果'],
  },
  recognises: (p) => p.has('received'),
  requirement: '“受理日期”',
};

/** 欠薪欠费. 欠薪金额(元)/涉及人数 are not in the feeds README; the sample export has them. */
export const ARREARS: KindSpec<'labour.arrears'> = {
  kind: 'labour.arrears',
  label: '欠薪欠费登记',
  aliases: {
    uscc: ['统一社会信用代码'],
    name: ['单位名称'],
    wage_months: ['欠薪月数'],
    fee_months: ['欠费月数'],
    registered: ['登记日期'],
    amount: ['欠薪金额(元)', '欠薪金额'],
    workers: ['涉及人数'],
  },
  recognises: (p) => p.has('wage_months') || p.has('fee_months'),
  requirement: '“欠薪月数”或“欠费月数”',
};

/** 诚信等级. 评定机关 is not in the feeds README; the sample export has it. */
export const CREDIT: KindSpec<'labour.credit'> = {
  kind: 'labour.credit',
  label: '诚信等级评定',
  aliases: {
    uscc: ['统一社会信用代码'],
    name: ['单位名称'],
    year: ['年度'],
    grade: ['等级'],
    dishonest: ['失信单位'],
    authority: ['评定机关'],
  },
  recognises: (p) => p.has('grade') && p.has('year'),
  requirement: '“等级”和“年度”',
};

export const LABOUR = [GRIDS, SUPERVISED, COMPLAINTS, ARREARS, CREDIT] as const;
