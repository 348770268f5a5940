import type { KindSpec } from './kind-spec.ts';

/** 基本单位名录 (statistics bureau's basic unit register). */
export const STATISTICS: KindSpec<'statistics'> = {
  kind: 'statistics',
  label: '统计部门基本单位名录',
  aliases: {
    uscc: ['统一社会信用代码'],
    org_code: ['组织机构代码'],
    name: ['单位详细名称', '单位名称'],
    division_code: ['区划代码'],
    address: ['详细地址', '单位地址'],
    industry_code: ['行业代码'],
    unit_type: ['机构类型'],
    employees: ['从业人员期末人数', '从业人员'],
    established: ['开业时间', '成立时间'],
    phone: ['联系电话'],
  },
  recognises: (p) => p.has('name') && (p.has('uscc') || p.has('org_code')),
  requirement: '“单位详细名称”（或“单位名称”）以及“统一社会信用代码”或“组织机构代码”',
};
