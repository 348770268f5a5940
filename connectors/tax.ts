import type { KindSpec } from './kind-spec.ts';

/** 税务登记 (tax registration). */
export const TAX: KindSpec<'tax'> = {
  kind: 'tax',
  label: '税务部门税务登记',
  aliases: {
    tax_id: ['纳税人识别号'],
    name: ['纳税人名称'],
    legal_rep: ['法定代表人', '负责人'],
    address: ['生产经营地址', '注册地址'],
    reg_type: ['登记注册类型'],
    tax_authority: ['主管税务机关'],
    tax_status: ['纳税人状态'],
    established: ['登记日期'],
    industry: ['行业'],
  },
  recognises: (p) => p.has('name') && p.has('tax_id'),
  requirement: '“纳税人名称”和“纳税人识别号”',
};
