import { REASON_TEXT, type UnplacedReason } from '../../pipelines/grid/place-unit.ts';
import type { Queue, QueueItem } from '../../pipelines/grid/unplaced-queue.ts';
import { count, label, PLACEMENT_ZH, UNPLACED_ZH } from '../format.ts';
import { html, withQuery, type SafeHtml } from '../html.ts';
import { reasonBadges } from './grids.ts';
import { csrfField, page, type Frame } from './layout.ts';

export interface GridChoice {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
}

export interface UnplacedView {
  queue: Queue;
  reason: string | null;
  grids: GridChoice[];
  placed: { unitId: string; name: string | null; grid: string; gridName: string | null } | null;
  page: number;
  pageSize: number;
}

function reasonText(reason: string | null): string {
  return reason ? (REASON_TEXT[reason as UnplacedReason | 'outside_grid'] ?? reason) : '';
}

function card(item: QueueItem, csrf: string, back: string | null, grids: GridChoice[]): SafeHtml {
  const rule = item.suggestedRule;
  const children = item.gridL1 ? grids.filter((g) => g.parentCode === item.gridL1) : [];
  return html`<article class="unplaced-card" id="unit-${item.unitId}" data-unit="${item.unitId}">
<h3><a href="/units/${encodeURIComponent(item.unitId)}">${item.name ?? item.unitId}</a> <span class="muted">${item.unitId}</span> ${reasonBadges(item.openReasons)}</h3>
<p>地址：<strong class="address">${item.address ?? '（无地址）'}</strong>${item.gridL1 ? html` · 已定位一级网格：${item.gridL1Name ?? item.gridL1}` : ''}</p>
<p class="muted">未定位原因：${item.message ?? reasonText(item.reason)}（${label(PLACEMENT_ZH, item.method)}）</p>
<form method="post" action="/unplaced/${encodeURIComponent(item.unitId)}/place">
${csrfField(csrf)}
<input type="hidden" name="back" value="${back ?? ''}">
${item.candidates.length
  ? html`<ul class="candidates">${item.candidates.map(
      (c) => html`<li><button type="submit" class="primary" name="grid" value="${c.grid_l2 ?? c.grid_l1 ?? ''}">放入 ${c.grid_l2_name ?? c.grid_l1_name ?? c.grid_l2 ?? c.grid_l1}</button>
<span class="code">${c.grid_l2 ?? c.grid_l1}</span><span class="why">${c.why}</span></li>`,
    )}</ul>`
  : html`<p class="muted">没有候选网格，请在下面选择或输入网格。</p>`}
<div class="manual">
${children.length
  ? html`<label>${item.candidates.length ? '其他' : ''}二级网格：<select name="grid_other"><option value="">（${item.gridL1Name ?? item.gridL1} 下属网格）</option>${children.map((g) => html`<option value="${g.code}">${g.name}（${g.code}）</option>`)}</select></label>`
  : html`<label>${item.candidates.length ? '其他' : ''}网格编码：<input type="text" name="grid_other" list="grid-codes" placeholder="输入编码或名称选择" size="22"></label>`}
<button type="submit" class="secondary" name="use_other" value="1">放入该网格</button>
<label>备注：<input type="text" name="note" size="24" maxlength="200"></label>
</div>
<details><summary>同时保存为规则（以后同样的地址自动放入该网格）</summary>
<label><input type="checkbox" name="save_rule" value="1"> 保存规则</label>
<label>地址包含 <input type="text" name="rule_pattern" value="${rule?.pattern ?? ''}" size="14"></label>
<label>门牌号 <input type="text" name="rule_from" value="${rule?.numberFrom ?? ''}" size="4" inputmode="numeric"> 至 <input type="text" name="rule_to" value="${rule?.numberTo ?? ''}" size="4" inputmode="numeric"></label>
<label>限于区划 <input type="text" name="rule_scope" value="${rule?.scopeCode ?? ''}" size="10" inputmode="numeric"></label>
</details>
</form>
</article>`;
}

export function unplacedPage(frame: Omit<Frame, 'title'>, view: UnplacedView): string {
  const { queue, reason } = view;
  const all = Object.values(queue.byReason).reduce((a, b) => a + b, 0);
  const pages = Math.max(1, Math.ceil(queue.total / view.pageSize));
  const back = withQuery('/unplaced', { reason, page: view.page > 1 ? view.page : null });
  return page(
    { ...frame, title: '未定位单位', active: 'unplaced' },
    html`${view.placed ? html`<p class="notice" role="status">已将 <a href="/units/${encodeURIComponent(view.placed.unitId)}">${view.placed.name ?? view.placed.unitId}</a> 放入 ${view.placed.gridName ?? view.placed.grid}（${view.placed.grid}），并已记录操作人和时间。</p>` : ''}
<p class="meta">尚未定位到二级网格的单位（不含所在区县未划分网格的单位）。选择候选网格或输入网格编码即可定位；定位结果在以后每次同步中都优先采用。</p>
<nav class="filters" aria-label="按原因筛选">
<a href="/unplaced"${reason === null ? html` class="active" aria-current="true"` : ''}>全部 <span class="count">${count(all)}</span></a>
${Object.entries(queue.byReason)
  .sort((a, b) => b[1] - a[1])
  .map(([r, n]) => html`<a href="${withQuery('/unplaced', { reason: r })}" title="${reasonText(r)}"${r === reason ? html` class="active" aria-current="true"` : ''}>${label(UNPLACED_ZH, r)} <span class="count">${count(n)}</span></a>`)}
</nav>
<datalist id="grid-codes">${view.grids.map((g) => html`<option value="${g.code}">${g.name}${g.level === 1 ? '（一级）' : ''}</option>`)}</datalist>
${queue.items.length === 0 ? html`<p class="empty">没有待定位的单位。</p>` : queue.items.map((item) => card(item, frame.csrf, back, view.grids))}
${pages > 1 ? html`<nav class="pager">${view.page > 1 ? html`<a href="${withQuery('/unplaced', { reason, page: view.page - 1 })}">上一页</a>` : ''} 第 ${view.page} / ${pages} 页 ${view.page < pages ? html`<a href="${withQuery('/unplaced', { reason, page: view.page + 1 })}">下一页</a>` : ''}</nav>` : ''}`,
  );
}
