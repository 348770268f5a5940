import type { KindSpec } from './kind-spec.ts';

/** 企业登记 (market regulation's business register). */
export const MARKET: KindSpec<'market'> = {
  kind: 'market',
  label: '市场监管部门企业登记',
  aliases: {
    uscc: ['统一社会信用代码'],
    reg_no: ['注册号'],
    name: ['企业名称', '名称'],
    company_type: ['企业类型', '类型'],
    legal_rep: ['法定代表人', '负责人', '经营者'],
    address: ['住所', '经营场所'],
    established: ['成立日期'],
    reg_status: ['登记状态'],
    reg_authority: ['登记机关'],
    capital: ['注册资本(万元)', '注册资本'],
    business_scope: ['经营范围'],
    approved: ['核准日期'],
  },
  recognises: (p) => p.has('name') && (p.has('uscc') || p.has('reg_no')),
  requirement: '“企业名称”（或“名称”）以及“统一社会信用代码”或“注册号”',
};
