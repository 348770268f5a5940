// Display formats for the pages: times in Asia/Shanghai, Chinese labels for codes the pipeline stores.

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

export function shanghaiTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const parts = Object.fromEntries(TIME.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export function seconds(from: Date | string | null, to: Date | string | null): string {
  if (!from || !to) return '—';
  const s = (new Date(to).getTime() - new Date(from).getTime()) / 1000;
  return s < 10 ? `${s.toFixed(2)} 秒` : `${s.toFixed(1)} 秒`;
}

export const REASON_ZH: Record<string, string> = {
  new: '新开业未纳管',
  unsupervised: '未纳入监管',
  arrears: '欠薪欠费',
  complaints: '投诉举报',
  credit: '失信/C级',
};

export const UNIT_STATUS_ZH: Record<string, string> = { active: '在营', closed: '注销/吊销', moved_out: '迁出', unreported: '各部门均不再报送' };

export const AGENCY_ZH: Record<string, string> = {
  statistics: '统计',
  market: '市场监管',
  tax: '税务',
  'civil-affairs': '民政',
  personnel: '人事',
  'org-code': '组织机构代码',
  labour: '劳动保障',
};

export const RUN_STATUS_ZH: Record<string, string> = { running: '运行中', succeeded: '成功', failed: '失败' };

export const FIELD_ZH: Record<string, string> = {
  name: '单位名称',
  uscc: '统一社会信用代码',
  org_code: '组织机构代码',
  reg_no: '注册号',
  tax_id: '纳税人识别号',
  address: '地址',
  division_code: '区划代码',
  legal_rep: '法定代表人',
  phone: '联系电话',
  established: '成立日期',
  status: '状态',
  legal_form: '类型',
  district_code: '区县',
  street_code: '街道（乡镇）',
  community_code: '社区（村）',
};

export const PLACEMENT_ZH: Record<string, string> = {
  division_code: '区划代码（社区/村）',
  division_code_l1: '区划代码（仅一级网格）',
  division_code_street: '区划代码（街道/乡镇）',
  address_community: '地址中的社区（村）',
  address_community_l1: '地址中的社区（仅一级网格）',
  address_street: '地址中的街道（乡镇）',
  road_gazetteer: '路名门牌（按已定位单位推断）',
  steward: '数据管理员指定',
  steward_rule: '数据管理员规则',
  outside_grid: '市内但不在网格范围',
  unplaced: '未能定位',
};

/** Short labels of why a unit has no level-2 grid (the long text is REASON_TEXT in pipelines/grid/place-unit.ts). */
export const UNPLACED_ZH: Record<string, string> = {
  community_ambiguous: '社区（村）重名',
  addresses_disagree: '各部门地址不一致',
  division_codes_disagree: '区划代码不一致',
  road_uncertain: '路名门牌不确定',
  street_shared: '街道与园区共管',
  rule_conflict: '规则冲突',
  community_not_in_grid: '社区不在网格内',
  code_not_in_grid: '区划不在网格内',
  street_only: '只定位到街道',
  no_location: '无法识别位置',
  no_address: '无地址',
  outside_grid: '区县未划分网格',
};

export function label(map: Record<string, string>, key: string | null | undefined): string {
  if (key === null || key === undefined) return '';
  return map[key] ?? key;
}

export function count(n: number | string | bigint): string {
  return Number(n).toLocaleString('zh-CN');
}
