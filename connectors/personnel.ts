import type { KindSpec } from './kind-spec.ts';

/** 行政事业单位用工 (staffing of public institutions). */
export const PERSONNEL: KindSpec<'personnel'> = {
  kind: 'personnel',
  label: '人事部门行政事业单位用工',
  aliases: {
    uscc: ['统一社会信用代码'],
    name: ['单位名称'],
    unit_category: ['单位类别'],
    supervisor: ['主管部门'],
    address: ['单位地址'],
    quota: ['编制数'],
    staff: ['实有人数'],
    contract_staff: ['编外聘用人数'],
    dispatched_staff: ['劳务派遣人数'],
  },
  recognises: (p) => p.has('name') && p.has('uscc'),
  requirement: '“单位名称”和“统一社会信用代码”',
};
