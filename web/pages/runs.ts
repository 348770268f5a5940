import { AGENCY_ZH, count, label, RUN_STATUS_ZH, seconds, shanghaiTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { recentRuns, runDetail, StageRow } from '../queries/run-history.ts';
import { page, type Frame } from './layout.ts';

const STAGE_ZH: Record<string, string> = { ingest: '读取', grids: '网格', normalize: '标准化', match: '匹配', consolidate: '建档', place: '定位', supervise: '监管报告' };
// The stages' own count names, in words; a name not listed here is shown as the stage wrote it.
const COUNT_ZH: Record<string, string> = {
  files_seen: '发现文件', files_loaded: '读入文件', files_duplicate: '重复文件', files_quarantined: '隔离文件', rows_read: '读取行', rows_staged: '入库行', rows_rejected: '拒收行', rows_unchanged: '未变沿用行', rows_known_by_text: '按原文识别的未变行',
  divisions: '区划', grids_level1: '一级网格', grids_level2: '二级网格', grids_changed: '网格变动',
  records: '记录', flagged: '有疑点', supervised: '已纳管名单', complaints: '投诉举报', arrears: '欠薪欠费', credit: '诚信等级',
  inputs_unchanged: '匹配输入未变（沿用上次结果）', fresh: '新记录', repeats: '重复报送', comparisons: '比对对数', fuzzy_links: '相似度关联',
  units: '单位', units_created: '新建单位', units_merged: '合并', units_split: '拆分', units_retired: '撤销编号', links_by_rule: '关联（按规则）',
  units_consolidated: '建档单位', units_written: '档案变更', by_method: '定位方式', placements_changed: '定位变动', units_placed_this_run: '本次定位单位', full_placement: '全量定位',
  open_by_reason: '未关闭报告（按原因）', reports_opened: '新开报告', reports_closed: '关闭报告', list_rows_linked: '名单已对应', list_rows_unlinked: '名单未对应', list_rows_relinked: '名单本次重新对应', list_links_full: '名单全量对应',
};
const FILE_STATUS_ZH: Record<string, string> = { loaded: '已读入', quarantined: '已隔离', duplicate: '重复' };

function countsText(counts: Record<string, unknown> | null): SafeHtml {
  if (!counts) return html``;
  return html`${Object.entries(counts).map(([k, v]) =>
    typeof v === 'number'
      ? html`<span class="kv"><span class="k" title="${k}">${label(COUNT_ZH, k)}</span> ${count(v)}</span> `
      : v && typeof v === 'object'
        ? html`<span class="kv"><span class="k" title="${k}">${label(COUNT_ZH, k)}</span> ${Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a} ${b}`).join('，')}</span> `
        : '',
  )}`;
}

function stageTable(stages: StageRow[]): SafeHtml {
  return html`<table class="data stages">
<thead><tr><th>阶段</th><th>状态</th><th class="n">用时</th><th>计数</th></tr></thead>
<tbody>${stages.map(
    (s) => html`<tr class="status-${s.status}"><td>${label(STAGE_ZH, s.stage)} <span class="muted">${s.stage}</span></td><td>${label(RUN_STATUS_ZH, s.status)}</td><td class="n">${seconds(s.startedAt, s.finishedAt)}</td>
<td>${countsText(s.counts)}${s.error ? html`<pre class="error-text">${s.error.split('\n')[0]}</pre>` : ''}</td></tr>`,
  )}</tbody></table>`;
}

export function runsPage(frame: Omit<Frame, 'title'>, runs: Awaited<ReturnType<typeof recentRuns>>): string {
  return page(
    { ...frame, title: '运行记录', active: 'runs' },
    runs.length === 0
      ? html`<p class="empty">还没有运行过同步。运行 <code>gridlink sync --inbox DIR</code> 后这里会列出每一批次。</p>`
      : html`${runs.map(
          (r) => html`<section class="run status-${r.status}">
<h2><a href="/runs/${r.id}">批次 #${r.id}</a> <span class="badge status-${r.status}">${label(RUN_STATUS_ZH, r.status)}</span></h2>
<p class="meta">开始 ${shanghaiTime(r.started_at)} · 用时 ${seconds(r.started_at, r.finished_at)} · 数据截至 ${r.as_of} · 读入文件 ${r.filesLoaded} · 隔离文件 ${r.filesQuarantined} · 拒收行 ${count(r.rejects)}</p>
${r.error ? html`<p class="alert">错误：${r.error}</p>` : ''}
${stageTable(r.stages)}
</section>`,
        )}`,
  );
}

export function runPage(frame: Omit<Frame, 'title'>, detail: NonNullable<Awaited<ReturnType<typeof runDetail>>>): string {
  const { run, stages, files, rejects, rejectTotal } = detail;
  const quarantined = files.filter((f) => f.status === 'quarantined');
  return page(
    { ...frame, title: `批次 #${run.id}`, active: 'runs' },
    html`<p class="meta">${label(RUN_STATUS_ZH, run.status)} · 开始 ${shanghaiTime(run.started_at)} · 用时 ${seconds(run.started_at, run.finished_at)} · 数据截至 ${run.as_of} · 收件箱 <code>${run.inbox}</code></p>
${run.error ? html`<p class="alert">错误：${run.error}</p>` : ''}
<h2>各阶段</h2>
${stageTable(stages)}
<h2>读入的文件（${files.length}）</h2>
${files.length === 0 ? html`<p class="empty">本批次没有新文件。</p>` : html`<table class="data" id="files">
<thead><tr><th>部门</th><th>文件</th><th>类别</th><th>状态</th><th>格式 / 编码</th><th>名录日期</th><th class="n">读入行</th><th class="n">拒收行</th></tr></thead>
<tbody>${files.map((f) => html`<tr class="status-${f.status}"><td>${label(AGENCY_ZH, f.agency)}</td><td>${f.file_name}</td><td>${f.kind}</td><td>${label(FILE_STATUS_ZH, f.status)}</td><td>${f.format} ${f.encoding}</td><td>${f.snapshot_date}</td><td class="n">${count(f.row_count)}</td><td class="n">${count(f.reject_count)}</td></tr>`)}</tbody>
</table>`}
<h2>隔离的文件（${quarantined.length}）</h2>
${quarantined.length === 0 ? html`<p class="empty">没有文件被隔离。</p>` : html`<table class="data" id="quarantined">
<thead><tr><th>部门</th><th>文件</th><th>原因（已移到收件箱的 _quarantine 目录）</th></tr></thead>
<tbody>${quarantined.map((f) => html`<tr><td>${label(AGENCY_ZH, f.agency)}</td><td>${f.file_name}</td><td>${f.reason}</td></tr>`)}</tbody>
</table>`}
<h2>拒收的行（${count(rejectTotal)}）</h2>
${rejects.length === 0 ? html`<p class="empty">没有拒收的行。</p>` : html`${rejectTotal > rejects.length ? html`<p class="muted">只列出前 ${rejects.length} 行；全部拒收行可用 <code>gridlink export rejects --out rejects.xlsx</code> 导出。</p>` : ''}<table class="data" id="rejects">
<thead><tr><th>部门</th><th>文件</th><th class="n">行号</th><th>原因</th><th>原始内容</th></tr></thead>
<tbody>${rejects.map((j) => html`<tr><td>${label(AGENCY_ZH, j.agency)}</td><td>${j.file_name}</td><td class="n">${j.row}</td><td>${j.reason}</td><td><code class="raw">${j.raw_text}</code></td></tr>`)}</tbody>
</table>`}`,
  );
}
