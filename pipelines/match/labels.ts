/** Chinese wording of matching's rules and evidence, for stewards (CLI and web pages). */
import type { Feature } from './compare.ts';

export const RULE_TEXT: Record<string, string> = {
  uscc: '统一社会信用代码相同',
  org_code: '组织机构代码相同',
  reg_no: '注册号相同',
  fuzzy: '相似度匹配',
  same_content: '同一部门再次报送相同内容',
  steward: '人工确认为同一单位',
  name_exact: '名称一致',
};

export const FEATURE_TEXT: Record<Feature, string> = {
  name: '名称',
  trade: '字号',
  address: '地址',
  legalRep: '法定代表人',
  phone: '电话',
  district: '区县',
  region: '名称中的地名',
  code: '代码',
};

export const LEVEL_TEXT: Record<Feature, Record<string, string>> = {
  name: { exact: '一致', form: '仅组织形式不同', one_char: '相差一字', high: '高度相似', medium: '部分相似', low: '不同' },
  trade: { exact: '相同', similar: '相近', different: '不同', missing: '无法比较' },
  address: { same_site: '同一门牌', same_road: '同路（村）不同门牌', similar: '相似', different: '不同', missing: '缺失' },
  legalRep: { same: '相同', different: '不同', missing: '缺失' },
  phone: { same: '相同', different: '不同', missing: '缺失' },
  district: { same: '相同', different: '不同', missing: '缺失' },
  region: { same: '相同', different: '不同', missing: '缺失' },
  code: { same: '相同', near: '相差一位（多为校验位录错）', different: '不同', missing: '无法比较' },
};

export const VETO_TEXT: Record<string, string> = {
  branch_and_main: '分支机构与非分支机构：分支机构不与其隶属单位合并',
  two_branches: '同一隶属单位的两个不同分支机构',
  key_conflict: '有效代码不同：两个已登记的单位',
};

export const VERDICT_TEXT: Record<string, string> = { same: '同一单位', different: '不是同一单位', skip: '暂不处理' };

/** registry.record.status and registry.unit.status. */
export const STATUS_TEXT: Record<string, string> = { active: '存续', closed: '已注销/吊销/撤销', moved_out: '已迁出', unreported: '各部门均不再报送' };

export const EVENT_TEXT: Record<string, string> = { merged: '合并', split: '拆分', retired: '撤销编号' };
