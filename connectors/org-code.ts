import type { KindSpec } from './kind-spec.ts';

/** 组织机构代码 (the quality-supervision bureau's organisation code register). */
export const ORG_CODE: KindSpec<'org-code'> = {
  kind: 'org-code',
  label: '质监部门组织机构代码',
  aliases: {
    org_code: ['组织机构代码', '机构代码'],
    name: ['机构名称'],
    org_type: ['机构类型'],
    legal_rep: ['法定代表人'],
    address: ['机构地址', '地址'],
    division_code: ['行政区划'],
    established: ['注册日期', '颁证日期'],
    valid_until: ['有效期至'],
    employees: ['职工人数'],
  },
  recognises: (p) => p.has('name') && p.has('org_code'),
  requirement: '“机构名称”和“组织机构代码”（或“机构代码”）',
};
