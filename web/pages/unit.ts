import { AGENCY_ZH, FIELD_ZH, label, PLACEMENT_ZH, shanghaiTime, UNIT_STATUS_ZH } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { AuditRow } from '../audit.ts';
import type { DecisionView } from '../../pipelines/match/review-queue.ts';
import { describeComparison, VERDICT_ZH } from './review.ts';
import type { UnitFile } from '../queries/unit-file.ts';
import { reasonBadges, reportDetail } from './grids.ts';
import { page, type Frame } from './layout.ts';

export const RULE_ZH: Record<string, string> = {
  uscc: '统一社会信用代码相同',
  org_code: '组织机构代码相同',
  reg_no: '注册号相同',
  name_exact: '名称完全相同（无有效代码）',
  fuzzy: '名称、地址等综合相似',
  steward: '数据管理员判定为同一单位',
  same_content: '内容完全相同的记录',
};

const ACTION_ZH: Record<string, string> = { place_unit: '指定网格', review_decide: '复核决定', review_undo: '撤销复核决定' };

function auditDetail(a: AuditRow): string {
  const d = (a.detail ?? {}) as Record<string, unknown>;
  if (a.action === 'place_unit') return `放入 ${String(d.grid ?? '')}${d.rule_id ? `，并保存规则 #${String(d.rule_id)}` : ''}${d.note ? `（${String(d.note)}）` : ''}`;
  return evidenceText(a.detail);
}

const CLOSE_ZH: Record<string, string> = { unit_closed: '单位已注销', reason_no_longer_holds: '情形已消除' };
const EVENT_ZH: Record<string, string> = { merged: '合并', split: '拆分', retired: '撤销编号' };

interface GoldenValue {
  value: string;
  record_id: string;
  agency: string;
  file: string;
  row: number;
}

function evidenceText(evidence: unknown): string {
  if (evidence === null || evidence === undefined) return '';
  if (typeof evidence !== 'object') return String(evidence);
  return Object.entries(evidence as Record<string, unknown>)
    .map(([k, v]) => `${label(FIELD_ZH, k)}：${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('；');
}

const SOURCE_ZH: Record<string, string> = { decision: '数据管理员指定', division_code: '区划代码', address: '地址', road: '路名门牌', rule: '定位规则' };

interface EvidenceSource {
  field: string;
  value: string;
  record_id?: string;
  agency?: string;
  match?: string;
  rule_id?: number;
  decided_by?: string | null;
}

/** The placement's evidence: the sources it used, or why it could not place the unit and the candidates. */
function placementEvidence(evidence: unknown, ref: (id: string) => SafeHtml): SafeHtml {
  const ev = (Array.isArray(evidence) ? { sources: evidence } : (evidence ?? {})) as { sources?: EvidenceSource[]; reason?: string; message?: string; candidates?: { grid_l1: string | null; grid_l2: string | null; why: string }[] };
  return html`<ul class="evidence">
${(ev.sources ?? []).map(
  (e) => html`<li>${e.record_id ? ref(e.record_id) : ''} ${label(SOURCE_ZH, e.field)}：${e.value}${e.match ? `（按${e.match === 'core' ? '简称' : '全称'}匹配）` : ''}${e.agency ? ` · ${label(AGENCY_ZH, e.agency)}` : ''}${e.rule_id ? ` · 规则 #${e.rule_id}` : ''}${e.decided_by ? ` · ${e.decided_by}` : ''}</li>`,
)}
${ev.message || ev.reason ? html`<li>未定位到二级网格：${ev.message ?? ev.reason}</li>` : ''}
${(ev.candidates ?? []).map((c) => html`<li>候选网格 <a href="/grids/${encodeURIComponent(c.grid_l2 ?? c.grid_l1 ?? '')}">${c.grid_l2 ?? c.grid_l1}</a>：${c.why}</li>`)}
</ul>`;
}

export function unitPage(frame: Omit<Frame, 'title'>, file: UnitFile, audit: AuditRow[], decisions: DecisionView[]): string {
  const { unit, records, links, placement, reports, events } = file;
  const golden = (unit.golden ?? {}) as Record<string, GoldenValue>;
  const recordNo = new Map(records.map((r, i) => [r.record_id, i + 1]));
  const ref = (id: string): SafeHtml => html`<a href="#record-${id}">${recordNo.has(id) ? `#${recordNo.get(id)}` : `记录 ${id}`}</a>`;
  const codeCell = (value: string | null, valid: boolean | null) => (value ? html`<span class="code${valid === false ? ' invalid' : ''}" title="${valid === false ? '校验位不符' : ''}">${value}</span>` : '');
  return page(
    { ...frame, title: `${unit.name ?? unit.id}（${unit.id}）`, active: 'units' },
    html`<p class="meta">一企一档 · 状态：${label(UNIT_STATUS_ZH, unit.status)}${unit.retired_run ? html` · <strong>此编号已在第 ${unit.retired_run} 批次撤销</strong>` : ''} · 建档批次 ${unit.created_run}，最近更新批次 ${unit.updated_run}</p>
<section>
<h2>基本信息（每项注明来源）</h2>
<table class="data golden" id="golden">
<thead><tr><th>项目</th><th>值</th><th>来源</th></tr></thead>
<tbody>${Object.keys(FIELD_ZH)
      .filter((f) => golden[f])
      .map((f) => {
        const g = golden[f]!;
        return html`<tr><th scope="row">${label(FIELD_ZH, f)}</th><td>${f === 'status' ? label(UNIT_STATUS_ZH, g.value) : g.value}</td><td class="source">${label(AGENCY_ZH, g.agency)} · ${g.file} 第 ${g.row} 行 ${ref(g.record_id)}</td></tr>`;
      })}</tbody>
</table>
</section>
<section>
<h2>网格定位</h2>
${placement
  ? html`<p>${placement.grid_l1 ? html`一级网格 <a href="/grids/${encodeURIComponent(placement.grid_l1)}">${placement.grid_l1_name ?? placement.grid_l1}</a>` : html`<strong>未定位到网格</strong>`}
   ${placement.grid_l2 ? html` · 二级网格 <a href="/grids/${encodeURIComponent(placement.grid_l2)}">${placement.grid_l2_name ?? placement.grid_l2}</a>` : ''}
   · 依据：${label(PLACEMENT_ZH, placement.method)}${placement.division_code ? html` · 区划 ${placement.division_code} ${placement.division_name ?? ''}` : ''}</p>
   ${placementEvidence(placement.evidence, ref)}`
  : html`<p class="muted">尚未定位。</p>`}
</section>
<section>
<h2>来源记录（${records.length}）</h2>
<table class="data" id="records">
<thead><tr><th>#</th><th>部门 / 文件 / 行</th><th>单位名称</th><th>统一社会信用代码</th><th>组织机构代码</th><th>地址</th><th>法定代表人</th><th>成立日期</th><th>状态</th></tr></thead>
<tbody>${records.map(
      (r, i) => html`<tr id="record-${r.record_id}"${r.is_current ? '' : html` class="stale" title="该部门的最新名录中已没有这条记录"`}>
  <td>${i + 1}</td><td>${label(AGENCY_ZH, r.agency)}<br><span class="muted">${r.file_name} 第 ${r.row} 行${r.snapshot_date ? ` · ${r.snapshot_date}` : ''}</span></td>
  <td>${r.name}${r.is_branch ? html` <span class="badge">分支机构</span>` : ''}</td><td>${codeCell(r.uscc, r.uscc_valid)}</td><td>${codeCell(r.org_code, r.org_code_valid)}</td>
  <td>${r.address}</td><td>${r.legal_rep}</td><td class="date">${r.established}</td><td>${label(UNIT_STATUS_ZH, r.status)}${r.is_current ? '' : '（已不再报送）'}</td>
</tr>`,
    )}</tbody>
</table>
</section>
<section>
<h2>关联及依据（${links.length}）</h2>
${links.length === 0 ? html`<p class="muted">只有一条来源记录，无需关联。</p>` : html`<table class="data" id="links">
<thead><tr><th>记录</th><th>规则</th><th>得分</th><th>依据</th><th>批次</th></tr></thead>
<tbody>${links.map((l) => html`<tr><td>${ref(l.record_a)} ↔ ${ref(l.record_b)}</td><td>${label(RULE_ZH, l.rule)}</td><td class="n">${l.score === null ? '' : l.score.toFixed(2)}</td><td>${describeComparison(l.evidence) ?? evidenceText(l.evidence)}</td><td>${l.run_id}</td></tr>`)}</tbody>
</table>`}
</section>
<section>
<h2>报告记录（${reports.length}）</h2>
${reports.length === 0 ? html`<p class="muted">从未被列为重点监管或新增未纳管单位。</p>` : html`<table class="data" id="report-history">
<thead><tr><th>原因</th><th>依据</th><th>网格</th><th>报告</th><th>关闭</th></tr></thead>
<tbody>${reports.map(
      (r) => html`<tr${r.closed_run ? html` class="closed"` : ''}><td>${reasonBadges([r.reason])}</td><td>${reportDetail(r.reason, r.detail)}</td><td>${r.grid_l2 ?? r.grid_l1 ?? '（无网格）'}</td>
  <td>${r.as_of}（${shanghaiTime(r.opened_at)}，批次 ${r.opened_run}）</td><td>${r.closed_run ? `${shanghaiTime(r.closed_at)} ${label(CLOSE_ZH, r.close_reason)}` : html`<strong>未关闭</strong>`}</td></tr>`,
    )}</tbody>
</table>`}
</section>
${decisions.length
  ? html`<section><h2>复核决定（${decisions.length}）</h2><table class="data" id="decisions">
<thead><tr><th>时间</th><th>记录</th><th>决定</th><th>数据管理员</th><th>备注</th><th>撤销</th></tr></thead>
<tbody>${decisions.map((d) => html`<tr${d.undoneAt ? html` class="closed"` : ''}><td class="date">${shanghaiTime(d.decidedAt)}</td><td>${ref(d.recordA)} ↔ ${ref(d.recordB)}</td><td>${label(VERDICT_ZH, d.verdict)}</td><td>${d.steward}</td><td>${d.note}</td><td>${d.undoneAt ? `${shanghaiTime(d.undoneAt)} ${d.undoneBy ?? ''}` : ''}</td></tr>`)}</tbody>
</table></section>`
  : ''}
${events.length || audit.length
  ? html`<section><h2>变更记录</h2><ul class="history">
${events.map((e) => html`<li>批次 ${e.run_id}：${label(EVENT_ZH, e.event)} ${evidenceText(e.detail)}</li>`)}
${audit.map((a) => html`<li>${shanghaiTime(a.at)} ${a.username}：${label(ACTION_ZH, a.action)} ${auditDetail(a)}</li>`)}
</ul></section>`
  : ''}`,
  );
}
