import type { Comparison, Feature } from '../../pipelines/match/compare.ts';
import { REVIEW_REASON_TEXT, type DecisionView, type PairView, type ReviewList } from '../../pipelines/match/review-queue.ts';
import { scoreWaterfall } from '../charts/score-waterfall.ts';
import { AGENCY_ZH, count, label, shanghaiTime, UNIT_STATUS_ZH } from '../format.ts';
import { html, withQuery, type SafeHtml } from '../html.ts';
import { csrfField, page, type Frame } from './layout.ts';

const FEATURE_ZH: Record<Feature, string> = {
  name: '名称',
  trade: '字号',
  address: '地址',
  legalRep: '法定代表人',
  phone: '电话',
  district: '区县',
  region: '名称中的地区',
  code: '其他代码',
};

const LEVEL_ZH: Record<string, string> = {
  exact: '完全相同',
  form: '仅组织形式不同',
  one_char: '相差一个字',
  high: '高度相似',
  medium: '部分相似',
  low: '差异大',
  similar: '相似',
  different: '不同',
  missing: '一方缺失',
  same_site: '同一门牌',
  same_road: '同路不同门牌',
  same: '相同',
  near: '相差一位',
};

const VETO_ZH: Record<string, string> = {
  branch_and_main: '一方是分支机构、另一方不是：分支机构不并入总机构',
  two_branches: '两个不同名称的分支机构：是两个单位',
  key_conflict: '两条记录的有效代码不同：是两个登记单位',
};

export const VERDICT_ZH: Record<string, string> = { same: '是同一单位', different: '不是同一单位', skip: '跳过' };

const MARKER_CLASS: Record<string, string> = { same: 'same', similar: 'similar', different: 'differs', one_side: 'differs one-side', neither: 'neither' };

function comparisonDetail(c: Comparison, f: Feature): string {
  const level = label(LEVEL_ZH, c[f]);
  if (f === 'name' && c.nameSimilarity > 0 && c.name !== 'exact') return `${level}（相似度 ${c.nameSimilarity.toFixed(2)}）`;
  if (f === 'address' && c.addressSimilarity > 0 && c.address !== 'same_site' && c.address !== 'missing') return `${level}（相似度 ${c.addressSimilarity.toFixed(2)}）`;
  return level;
}

/** A stored fuzzy link's evidence (levels and weights per feature) in words, or null when it is not one. */
export function describeComparison(evidence: unknown): string | null {
  const ev = evidence as Partial<Comparison> & { weights?: Record<string, number>; veto?: string };
  if (!ev || typeof ev !== 'object' || !ev.weights) return null;
  return (Object.keys(FEATURE_ZH) as Feature[])
    .filter((f) => ev[f] !== undefined)
    .map((f) => `${FEATURE_ZH[f]} ${label(LEVEL_ZH, String(ev[f]))} ${(ev.weights![f] ?? 0) >= 0 ? '+' : ''}${(ev.weights![f] ?? 0).toFixed(2)}`)
    .join('；');
}

function band(score: number, t: { review: number; link: number }): string {
  if (score >= t.link) return `≥ ${t.link}：规则本会自动关联`;
  if (score >= t.review) return `${t.review}–${t.link}：规则无法判断，需要复核`;
  return `< ${t.review}：规则本不会关联`;
}

/** One pair: records side by side (differences highlighted), the score explained, the decision form. */
export function pairFragment(pair: PairView, csrf: string, reason: string | null): SafeHtml {
  const item = pair.item;
  const steps = (Object.keys(FEATURE_ZH) as Feature[]).map((f) => ({ label: FEATURE_ZH[f], detail: comparisonDetail(pair.comparison, f), weight: pair.weights[f] }));
  const cell = (field: string, value: string | null) => {
    if (value === null || value === '') return html`<span class="muted">（无）</span>`;
    if (field === 'agency') return label(AGENCY_ZH, value);
    if (field === 'status') return label(UNIT_STATUS_ZH, value);
    if (field === 'unit') return html`<a href="/units/${encodeURIComponent(value)}" target="_blank" rel="noopener">${value}</a>`;
    return value;
  };
  return html`<section id="pair" class="pair-wrap" data-item="${item?.id ?? ''}" data-record-a="${pair.a.recordId}" data-record-b="${pair.b.recordId}">
<p class="reason">${item ? html`<span class="badge">第 ${item.id} 对</span> ${REVIEW_REASON_TEXT[item.reason] ?? item.reason}` : '指定的一对记录'}${pair.veto ? html` · <strong>${label(VETO_ZH, pair.veto)}</strong>` : ''}</p>
${pair.decision ? html`<p class="notice">已决定：${VERDICT_ZH[pair.decision.verdict]}（${pair.decision.steward}，${shanghaiTime(pair.decision.decidedAt)}）${pair.decision.note ? `：${pair.decision.note}` : ''}</p>` : ''}
<div class="pair">
<table class="data compare" id="compare">
<colgroup><col class="field"><col><col></colgroup>
<thead><tr><th>项目</th><th>记录 A（${pair.a.recordId}）</th><th>记录 B（${pair.b.recordId}）</th></tr></thead>
<tbody>${pair.fields.map((f) => html`<tr class="${MARKER_CLASS[f.marker] ?? ''}" data-field="${f.field}" data-marker="${f.marker}"><th scope="row">${f.label}</th><td>${cell(f.field, f.a)}</td><td>${cell(f.field, f.b)}</td></tr>`)}</tbody>
</table>
<div class="side">
<aside class="score-panel" aria-label="得分说明">
<div class="total">${pair.score.toFixed(2)}</div>
<div class="muted">${band(pair.score, pair.thresholds)}</div>
${scoreWaterfall(steps, pair.score, pair.thresholds)}
<p class="muted small">每项按“同一单位时出现该情况的概率 ÷ 不同单位时出现的概率”取以 2 为底的对数计分，各项相加为总分。</p>
</aside>
${item
  ? html`<form class="decide" method="post" action="/review/items/${item.id}/decide" data-item="${item.id}">
${csrfField(csrf)}
<input type="hidden" name="reason" value="${reason ?? ''}">
<textarea name="note" placeholder="备注（可选）：判断依据，例如“电话与法定代表人相同，地址为新旧门牌”。按 N 输入，Esc 返回快捷键。" maxlength="500"></textarea>
<button type="submit" name="verdict" value="same" class="same" data-key="s">是同一单位 <kbd>S</kbd></button>
<button type="submit" name="verdict" value="different" class="different" data-key="d">不是同一单位 <kbd>D</kbd></button>
<button type="submit" name="verdict" value="skip" class="skip" data-key="k">跳过 <kbd>K</kbd></button>
<span class="status" role="status" aria-live="polite"></span>
</form>`
  : ''}
</div>
</div>
</section>`;
}

export function recentFragment(decisions: DecisionView[], csrf: string, viewerName: string): SafeHtml {
  return html`<section id="recent" aria-label="最近的决定">
<h2>最近的决定</h2>
${decisions.length === 0
  ? html`<p class="muted">还没有决定。</p>`
  : html`<table class="data" id="recent-decisions"><thead><tr><th>时间</th><th>记录</th><th>决定</th><th>数据管理员</th><th>备注</th><th></th></tr></thead>
<tbody>${decisions.map(
      (d) => html`<tr data-decision="${d.id}"${d.undoneAt ? html` class="closed"` : ''}><td class="date">${shanghaiTime(d.decidedAt)}</td><td>${d.recordA} ↔ ${d.recordB}</td><td>${VERDICT_ZH[d.verdict]}</td><td>${d.steward}</td><td>${d.note}</td>
<td>${d.undoneAt
        ? html`已撤销（${d.undoneBy}）`
        : d.steward === viewerName
          ? html`<form method="post" action="/review/decisions/${d.id}/undo" class="undo-form">${csrfField(csrf)}<button type="submit" class="undo">撤销</button></form>`
          : ''}</td></tr>`,
    )}</tbody></table>`}
</section>`;
}

export interface ReviewPageView {
  list: ReviewList;
  reason: string | null;
  pair: PairView | null;
  recent: DecisionView[];
  message: string | null;
}

export function reviewPage(frame: Omit<Frame, 'title'>, view: ReviewPageView): string {
  const { list, reason } = view;
  const all = Object.values(list.byReason).reduce((a, b) => a + b, 0);
  return page(
    { ...frame, title: '匹配复核', active: 'review' },
    html`<div class="review-head">
<p class="meta">规则无法判定的记录对，按影响排序（代码冲突在前，其次按得分）。决定在下次同步时生效，并在以后每次同步中优先采用。<span id="remaining" data-remaining="${list.total}">待复核 ${count(list.total)} 对</span></p>
<p class="keys" aria-label="快捷键"><kbd>S</kbd> 是同一单位 <kbd>D</kbd> 不是 <kbd>K</kbd> 跳过 <kbd>U</kbd> 撤销上一个决定 <kbd>N</kbd> 写备注</p>
</div>
${view.message ? html`<p class="notice" role="status">${view.message}</p>` : ''}
<nav class="filters" aria-label="按原因筛选">
<a href="/review"${reason === null ? html` class="active" aria-current="true"` : ''}>全部 <span class="count">${count(all)}</span></a>
${Object.entries(list.byReason).map(([r, n]) => html`<a href="${withQuery('/review', { reason: r })}"${r === reason ? html` class="active" aria-current="true"` : ''}>${REVIEW_REASON_TEXT[r] ?? r} <span class="count">${count(n)}</span></a>`)}
</nav>
<div id="review" data-reason="${reason ?? ''}">
${view.pair ? pairFragment(view.pair, frame.csrf, reason) : emptyQueue()}
</div>
${recentFragment(view.recent, frame.csrf, frame.viewer.username)}`,
  );
}

export function emptyQueue(): SafeHtml {
  return html`<section id="pair" class="pair-wrap" data-item=""><p class="empty">复核队列已清空。新的记录对会在下次同步后出现。</p></section>`;
}
