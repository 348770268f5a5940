import type { KindSpec } from './kind-spec.ts';

/** 社会组织 (social organisations registered with civil affairs). */
export const SOCIAL_ORGS: KindSpec<'civil-affairs.social-orgs'> = {
  kind: 'civil-affairs.social-orgs',
  label: '民政部门社会组织登记',
  aliases: {
    uscc: ['统一社会信用代码'],
    name: ['社会组织名称', '名称'],
    org_type: ['社会组织类型'],
    legal_rep: ['法定代表人'],
    address: ['住所'],
    supervisor: ['业务主管单位'],
    reg_authority: ['登记管理机关'],
    established: ['成立登记日期'],
    reg_status: ['登记状态'],
  },
  recognises: (p) => p.has('name') && p.has('uscc'),
  requirement: '“社会组织名称”（或“名称”）和“统一社会信用代码”',
};

/** 区划 (administrative divisions as the statistics bureau numbers them). */
export const DIVISIONS: KindSpec<'civil-affairs.divisions'> = {
  kind: 'civil-affairs.divisions',
  label: '民政部门行政区划',
  aliases: {
    division_code: ['区划代码'],
    division_name: ['区划名称'],
    division_level: ['层级'],
    parent_code: ['上级区划代码'],
  },
  recognises: (p) => p.has('division_code') && p.has('division_name'),
  requirement: '“区划代码”和“区划名称”',
};

export const CIVIL_AFFAIRS = [SOCIAL_ORGS, DIVISIONS] as const;
