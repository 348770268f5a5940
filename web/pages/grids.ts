import { REASONS } from '../../pipelines/supervise.ts';
import { groupedBarChart } from '../charts/bar-chart.ts';
import { count, label, PLACEMENT_ZH, REASON_ZH, shanghaiTime, UNIT_STATUS_ZH } from '../format.ts';
import { html, withQuery, type SafeHtml } from '../html.ts';
import type { GridSummary, UnplacedCount } from '../queries/grid-overview.ts';
import type { OpenReport, RegisterRow } from '../queries/grid-register.ts';
import { page, type Frame } from './layout.ts';

export function reasonBadges(reasons: string[]): SafeHtml {
  return html`${reasons.map((r) => html`<span class="badge reason-${r}">${label(REASON_ZH, r)}</span>`)}`;
}

export function gridsOverviewPage(frame: Omit<Frame, 'title'>, grids: GridSummary[], unplaced: UnplacedCount[] | null): string {
  const level1 = grids.filter((g) => g.level === 1);
  // An inspector of level-2 grids only has no level-1 rows: chart what they have.
  const charted = level1.length ? level1 : grids;
  const chart = groupedBarChart(
    level1.length ? '各一级网格单位数与重点监管单位数' : '各网格单位数与重点监管单位数',
    charted.map((g) => ({ label: g.name, href: `/grids/${encodeURIComponent(g.code)}`, values: [g.units, g.reportedUnits] })),
    [
      { label: '单位数', className: 'series-units' },
      { label: '有未关闭报告', className: 'series-reports' },
    ],
  );
  const totalUnits = level1.reduce((n, g) => n + g.units, 0);
  const totalReported = level1.reduce((n, g) => n + g.reportedUnits, 0);
  return page(
    { ...frame, title: '网格名册（一格一册）', active: 'grids' },
    html`<section class="cards">
  <div class="card"><div class="num">${count(grids.length)}</div><div>可查看的网格</div></div>
  ${level1.length ? html`<div class="card"><div class="num">${count(totalUnits)}</div><div>网格内单位</div></div><div class="card"><div class="num">${count(totalReported)}</div><div>有未关闭报告的单位</div></div>` : ''}
  ${unplaced ? html`<div class="card warn"><div class="num">${count(unplaced.reduce((n, u) => n + u.units, 0))}</div><div><a href="/unplaced">未定位到网格</a>：${unplaced.map((u) => `${label(PLACEMENT_ZH, u.method)} ${u.units}`).join('，')}</div></div>` : ''}
</section>
${charted.length ? chart : html`<p class="empty">您还没有被分配网格，请联系管理员。</p>`}
${level1.length && grids.length > level1.length ? html`<p class="muted">下表列出一级网格；二级网格（社区、村）在各一级网格的页面中。</p>` : ''}
<table class="data" id="grid-list">
<thead><tr><th>网格编码</th><th>网格名称</th><th>级别</th><th>监察员 / 协理员</th><th class="n">单位</th><th class="n">重点监管单位</th>${REASONS.map((r) => html`<th class="n">${label(REASON_ZH, r)}</th>`)}</tr></thead>
<tbody>
${charted.map(
  (g) => html`<tr class="level-${g.level}">
  <td><a href="/grids/${encodeURIComponent(g.code)}">${g.code}</a></td><td>${g.name}</td><td>${g.level === 1 ? '一级' : '二级'}</td>
  <td>${g.level === 1 ? g.inspector : g.assistant}</td><td class="n">${count(g.units)}</td><td class="n">${count(g.reportedUnits)}</td>
  ${REASONS.map((r) => html`<td class="n">${g.openByReason[r] ? count(g.openByReason[r]!) : ''}</td>`)}
</tr>`,
)}
</tbody>
</table>`,
  );
}

export interface GridPageView {
  grid: { code: string; name: string; level: number; parent_code: string | null; inspector: string | null; assistant: string | null; phone: string | null; children: { code: string; name: string; assistant: string | null }[] };
  summary: GridSummary | undefined;
  /** Level-2 grids of a level-1 grid, with their counts. */
  children: GridSummary[];
  /** Whether the viewer may open the parent grid (a level-2 inspector may not). */
  parentVisible: boolean;
  reason: string | null;
  register: { total: number; rows: RegisterRow[] };
  reports: OpenReport[];
  page: number;
  pageSize: number;
}

export function gridPage(frame: Omit<Frame, 'title'>, view: GridPageView): string {
  const { grid, summary, reason, register } = view;
  const base = `/grids/${encodeURIComponent(grid.code)}`;
  const api = `/api/grids/${encodeURIComponent(grid.code)}`;
  const filters: { key: string | null; text: string; n: number | undefined }[] = [
    { key: null, text: '全部单位', n: summary?.units },
    { key: 'any', text: '有未关闭报告', n: summary?.reportedUnits },
    ...REASONS.map((r) => ({ key: r as string, text: label(REASON_ZH, r), n: summary?.openByReason[r] ?? 0 })),
  ];
  const pages = Math.max(1, Math.ceil(register.total / view.pageSize));
  return page(
    { ...frame, title: `${grid.name}（${grid.code}）`, active: 'grids' },
    html`<p class="meta">${grid.level === 1 ? '一级网格' : '二级网格'}
  ${grid.level === 1 ? html` · 专职监察员：${grid.inspector ?? '（未配备）'}` : html` · 协理员：${grid.assistant ?? '（未配备）'} · 上级网格：${view.parentVisible ? html`<a href="/grids/${encodeURIComponent(grid.parent_code ?? '')}">${grid.parent_code}</a>` : grid.parent_code}`}
  · 联系电话：${grid.phone ?? ''}</p>
<section class="downloads" aria-label="下载">
  <span>下载（与命令行导出相同）：</span>
  <a class="button" href="${withQuery(`${api}/register`, { format: 'xlsx' })}" download>单位名册 xlsx</a>
  <a class="button" href="${withQuery(`${api}/register`, { format: 'csv' })}" download>单位名册 csv</a>
  <a class="button" href="${withQuery(`${api}/reports`, { format: 'xlsx' })}" download>重点监管报告 xlsx</a>
  <a class="button" href="${withQuery(`${api}/reports`, { format: 'csv' })}" download>重点监管报告 csv</a>
</section>
${view.children.length ? html`<details class="children"${view.children.length <= 30 ? html` open` : ''}><summary>下属二级网格（${view.children.length}）</summary>
${groupedBarChart(
  '各二级网格单位数与重点监管单位数',
  view.children.map((g) => ({ label: g.name, href: `/grids/${encodeURIComponent(g.code)}`, values: [g.units, g.reportedUnits] })),
  [
    { label: '单位数', className: 'series-units' },
    { label: '有未关闭报告', className: 'series-reports' },
  ],
)}</details>` : ''}
<nav class="filters" aria-label="按原因筛选">${filters.map(
      (f) => html`<a href="${withQuery(base, { reason: f.key })}"${f.key === reason ? html` class="active" aria-current="true"` : ''}>${f.text}${f.n !== undefined ? html` <span class="count">${count(f.n)}</span>` : ''}</a>`,
    )}</nav>
<h2>单位（${count(register.total)}）</h2>
${register.rows.length === 0 ? html`<p class="empty">没有符合条件的单位。</p>` : html`<table class="data" id="register">
<thead><tr><th>单位编号</th><th>单位名称</th><th>统一社会信用代码</th><th>地址</th><th>二级网格</th><th>状态</th><th>成立日期</th><th>重点监管原因</th></tr></thead>
<tbody>${register.rows.map(
      (u) => html`<tr>
  <td><a href="/units/${encodeURIComponent(u.unitId)}">${u.unitId}</a></td><td>${u.name}</td><td class="code">${u.uscc ?? u.orgCode}</td><td>${u.address}</td>
  <td>${u.gridL2Name ?? html`<span class="muted">${label(PLACEMENT_ZH, u.method)}</span>`}</td><td>${label(UNIT_STATUS_ZH, u.status)}</td><td class="date">${u.established}</td><td>${reasonBadges(u.openReasons)}</td>
</tr>`,
    )}</tbody></table>
${pages > 1 ? html`<nav class="pager">${view.page > 1 ? html`<a href="${withQuery(base, { reason, page: view.page - 1 })}">上一页</a>` : ''} 第 ${view.page} / ${pages} 页 ${view.page < pages ? html`<a href="${withQuery(base, { reason, page: view.page + 1 })}">下一页</a>` : ''}</nav>` : ''}`}
<h2>未关闭的报告（${count(view.reports.length)}）</h2>
${view.reports.length === 0 ? html`<p class="empty">没有未关闭的报告。</p>` : html`<table class="data" id="reports">
<thead><tr><th>单位编号</th><th>单位名称</th><th>原因</th><th>依据</th><th>数据截至</th><th>首次报告</th></tr></thead>
<tbody>${view.reports.map(
      (r) => html`<tr><td><a href="/units/${encodeURIComponent(r.unitId)}">${r.unitId}</a></td><td>${r.name}</td><td>${reasonBadges([r.reason])}</td><td>${reportDetail(r.reason, r.detail)}</td><td class="date">${r.asOf}</td><td class="date">${shanghaiTime(r.openedAt)}</td></tr>`,
    )}</tbody></table>`}`,
  );
}

/** The facts behind a report reason, in words (the detail the supervise stage stored). */
export function reportDetail(reason: string, detail: unknown): string {
  const d = (detail ?? {}) as Record<string, unknown>;
  switch (reason) {
    case 'new':
      return d.established ? `成立于 ${d.established}（${d.days} 天前）` : '';
    case 'arrears':
      return `欠薪 ${d.wage_months ?? 0} 个月，欠费 ${d.fee_months ?? 0} 个月`;
    case 'complaints':
      return `一年内投诉举报 ${d.complaints ?? 0} 次${d.collective_petition ? '，有集体上访' : ''}`;
    case 'credit':
      return [d.grade_c ? `${d.year ?? ''} 年度 C 级` : '', d.dishonest ? '失信单位' : ''].filter(Boolean).join('，');
    case 'unsupervised':
      return '不在已纳入监管单位名单中';
    default:
      return '';
  }
}
