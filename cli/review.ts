import os from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import type { ReviewStatus, Verdict } from '../db/tables/matching.ts';
import { FEATURES } from '../pipelines/match/compare.ts';
import { EVENT_TEXT, FEATURE_TEXT, LEVEL_TEXT, RULE_TEXT, STATUS_TEXT as UNIT_STATUS_TEXT, VERDICT_TEXT, VETO_TEXT } from '../pipelines/match/labels.ts';
import { FIELD_AUTHORITY, type GoldenField } from '../pipelines/consolidate.ts';
import type { RecordView } from '../pipelines/match/record-view.ts';
import {
  decide, decisionHistory, listReview, REVIEW_REASON_TEXT, REVIEW_REASONS, showPair, undoDecision, VERDICTS,
  type DecisionView, type Marker, type PairRef, type PairView, type ReviewList,
} from '../pipelines/match/review-queue.ts';
import { loadUnitFile, type UnitFile } from '../pipelines/match/unit-file.ts';
import { positiveInt, withDatabase, type CommandEnv } from './shared.ts';

const STATUSES = ['open', 'decided', 'settled', 'all'] as const;
const STATUS_TEXT: Record<string, string> = { open: '待复核', decided: '已决定', settled: '已由其他证据解决' };
const MARK: Record<Marker, string> = { same: '＝', similar: '≈', different: '≠', one_side: '？', neither: ' ' };
const FIELD_TEXT: Record<string, string> = {
  name: '名称', uscc: '统一社会信用代码', org_code: '组织机构代码', reg_no: '注册号', address: '地址', division_code: '区划代码',
  legal_rep: '法定代表人', phone: '电话', established: '成立日期', status: '状态',
};

/** `N` (a queue item) or `A,B` (two record ids). */
export function pairRef(value: string): PairRef {
  const v = value.trim();
  if (/^\d+$/.test(v)) return { itemId: v };
  const m = /^(\d+)\s*[,，:]\s*(\d+)$/.exec(v);
  if (m) return { recordA: m[1]!, recordB: m[2]! };
  throw new InvalidArgumentError('expected a review item number (e.g. 17) or two record ids as A,B (e.g. 4659,12042)');
}

function verdictArg(value: string): Verdict {
  if (!(VERDICTS as string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${VERDICTS.join(', ')}`);
  return value as Verdict;
}

function statusArg(value: string): ReviewStatus | 'all' {
  if (!(STATUSES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}`);
  return value as ReviewStatus | 'all';
}

/** Who decides: --by, else $GRIDLINK_STEWARD, else the login name. */
function steward(by: string | undefined): string {
  return by ?? process.env.GRIDLINK_STEWARD ?? os.userInfo().username;
}

const recordLine = (r: RecordView) =>
  `记录 ${r.recordId}  ${r.agency} ${r.file} 第 ${r.row} 行${r.isCurrent ? '' : '（旧快照）'}  ${r.name ?? '（无名称）'}`;

export function formatReviewList(list: ReviewList): string {
  const lines = [`复核队列：${list.total} 对（${Object.entries(list.byReason).map(([r, n]) => `${REVIEW_REASON_TEXT[r] ?? r} ${n}`).join('，') || '无'}）`];
  for (const item of list.items) {
    lines.push('');
    lines.push(`#${item.id}  ${REVIEW_REASON_TEXT[item.reason] ?? item.reason}${item.score === null ? '' : `  得分 ${item.score.toFixed(1)}`}  ${STATUS_TEXT[item.status] ?? item.status}`);
    lines.push(`  A ${recordLine(item.a)}  → ${item.a.unitId ?? '未归属'}`);
    lines.push(`  B ${recordLine(item.b)}  → ${item.b.unitId ?? '未归属'}`);
  }
  if (list.items.length) lines.push('', '查看：gridlink review show ID    决定：gridlink review decide ID same|different|skip --note 说明');
  return lines.join('\n');
}

function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uffff]/.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

const decisionLine = (d: DecisionView) =>
  `决定 #${d.id}  ${VERDICT_TEXT[d.verdict] ?? d.verdict}  ${d.steward} ${d.decidedAt.toISOString().slice(0, 16).replace('T', ' ')}${d.note ? `  “${d.note}”` : ''}` +
  (d.undoneAt ? `  —— 已撤销（${d.undoneBy} ${d.undoneAt.toISOString().slice(0, 16).replace('T', ' ')}${d.undoNote ? `：${d.undoNote}` : ''}）` : '');

export function formatPair(v: PairView): string {
  const lines: string[] = [];
  if (v.item) lines.push(`复核 #${v.item.id}：${REVIEW_REASON_TEXT[v.item.reason] ?? v.item.reason}（${STATUS_TEXT[v.item.status] ?? v.item.status}，批次 #${v.item.firstRun} 起）`);
  else lines.push(`记录 ${v.a.recordId} 与记录 ${v.b.recordId}`);
  const labelWidth = Math.max(...v.fields.map((f) => width(f.label)));
  const aWidth = Math.min(46, Math.max(...v.fields.map((f) => width(f.a ?? '—'))));
  lines.push(`${pad('', labelWidth)}    ${pad('A', aWidth)}    B`);
  const shown = (field: string, value: string | null) => (value === null ? '—' : field === 'status' ? (UNIT_STATUS_TEXT[value] ?? value) : value);
  for (const f of v.fields) lines.push(`${pad(f.label, labelWidth)}  ${MARK[f.marker]} ${pad(shown(f.field, f.a), aWidth)}    ${shown(f.field, f.b)}`);
  lines.push(`（＝ 相同  ≈ 相似  ≠ 不同  ？ 仅一方有）`);
  lines.push('');
  lines.push(`证据（对数似然权重，正为同一单位的证据）：`);
  for (const f of FEATURES) {
    const level = v.comparison[f];
    if (v.weights[f] === 0 && (level === 'missing')) continue;
    const extra = f === 'name' ? `，相似度 ${v.comparison.nameSimilarity.toFixed(2)}` : f === 'address' ? `，相似度 ${v.comparison.addressSimilarity.toFixed(2)}` : '';
    lines.push(`  ${pad(FEATURE_TEXT[f], 12)} ${pad(`${LEVEL_TEXT[f][level] ?? level}${extra}`, 26)} ${v.weights[f] >= 0 ? '+' : ''}${v.weights[f].toFixed(1)}`);
  }
  lines.push(`  得分 ${v.score.toFixed(1)}（≥ ${v.thresholds.link} 自动关联，${v.thresholds.review}–${v.thresholds.link} 人工复核，低于 ${v.thresholds.review} 不关联）`);
  if (v.veto) lines.push(`  规则禁止关联：${VETO_TEXT[v.veto] ?? v.veto}`);
  if (v.decisions.length) {
    lines.push('', '决定记录：');
    for (const d of v.decisions) lines.push(`  ${decisionLine(d)}`);
  }
  lines.push('', `决定：gridlink review decide ${v.item ? v.item.id : `${v.a.recordId},${v.b.recordId}`} same|different|skip --note 说明（下次同步时生效）`);
  return lines.join('\n');
}

function evidenceText(link: { rule: string; score: number | null; evidence: unknown }): string {
  if (link.rule !== 'fuzzy') {
    const ev = (link.evidence ?? {}) as Record<string, unknown>;
    const value = ev[link.rule];
    return `${RULE_TEXT[link.rule] ?? link.rule}${typeof value === 'string' ? ` ${value}` : ''}${link.rule === 'steward' && ev.decision ? `（决定 #${ev.decision}）` : ''}`;
  }
  const ev = (link.evidence ?? {}) as Record<string, string> & { weights?: Record<string, number> };
  const parts = FEATURES.filter((f) => ev[f] && ev[f] !== 'missing').map((f) => `${FEATURE_TEXT[f]}${LEVEL_TEXT[f][ev[f]!] ?? ev[f]}${ev.weights?.[f] !== undefined ? `(${ev.weights[f]! >= 0 ? '+' : ''}${ev.weights[f]!.toFixed(1)})` : ''}`);
  return `相似度匹配 得分 ${link.score?.toFixed(1) ?? '?'}：${parts.join('，')}`;
}

export function formatUnitFile(f: UnitFile): string {
  const u = f.unit;
  const lines = [`单位 ${u.id}  ${u.name ?? '（无名称）'}  ${UNIT_STATUS_TEXT[u.status] ?? u.status}`];
  lines.push(`  建档于批次 #${u.createdRun}，最近变更批次 #${u.updatedRun}${u.retiredRun ? `；编号已于批次 #${u.retiredRun} 撤销${f.nowIn.length ? `，记录现属 ${f.nowIn.join('、')}` : ''}` : ''}`);
  lines.push('', '一企一档（字段 · 值 · 来源）：');
  const golden = (Object.keys(FIELD_AUTHORITY) as GoldenField[]).filter((field) => f.golden[field]);
  if (golden.length === 0) lines.push('  （尚未汇总：运行一次同步）');
  for (const field of golden) {
    const g = f.golden[field]!;
    const value = field === 'status' ? (UNIT_STATUS_TEXT[g.value] ?? g.value) : g.value;
    lines.push(`  ${pad(FIELD_TEXT[field] ?? field, 18)}${pad(value, 40)}  ${g.agency} ${g.file} 第 ${g.row} 行（记录 ${g.record_id}）`);
  }

  lines.push('', '网格：');
  const p = f.placement;
  if (!p) lines.push('  尚未定位');
  else {
    lines.push(`  一级 ${p.gridL1 ?? '—'} ${p.gridL1Name ?? ''}${p.inspector ? `（监察员 ${p.inspector}）` : ''}；二级 ${p.gridL2 ?? '—'} ${p.gridL2Name ?? ''}${p.assistant ? `（协理员 ${p.assistant}）` : ''}`);
    const reason = (p.evidence as { reason?: string; message?: string } | null)?.message ?? (p.evidence as { reason?: string } | null)?.reason;
    lines.push(`  定位方法 ${p.method}${p.divisionCode ? `，区划 ${p.divisionCode}` : ''}${reason && !p.gridL2 ? `；${reason}` : ''}`);
  }

  lines.push('', `报告（${f.reports.length}）：`);
  for (const r of f.reports) lines.push(`  ${r.reason}  批次 #${r.openedRun} 起（截至 ${r.asOf}）${r.closedRun ? `，批次 #${r.closedRun} 关闭${r.closeReason ? `：${r.closeReason}` : ''}` : '，未关闭'}`);

  lines.push('', `来源记录（${f.records.length}）：`);
  for (const r of f.records) {
    const codes = [r.uscc && `统一代码 ${r.uscc}${r.usccValid === false ? '(校验错)' : ''}`, r.orgCode && `机构代码 ${r.orgCode}${r.orgCodeValid === false ? '(校验错)' : ''}`, r.regNo && `注册号 ${r.regNo}`, r.taxId && !r.uscc && `税号 ${r.taxId}`].filter(Boolean).join(' ');
    lines.push(`  ${recordLine(r)}`);
    lines.push(`      ${codes || '无代码'} | ${r.address ?? '无地址'} | ${r.legalRep ?? '—'} | ${r.phone ?? '—'} | ${UNIT_STATUS_TEXT[r.status] ?? r.status}${r.isBranch ? ' | 分支机构' : ''}`);
  }

  lines.push('', `关联（${f.links.length}）：`);
  for (const l of f.links) lines.push(`  ${l.recordA} — ${l.recordB}  ${evidenceText(l)}  （批次 #${l.runId}）`);

  if (f.events.length) {
    lines.push('', '合并与拆分：');
    for (const e of f.events) {
      const d = (e.detail ?? {}) as { absorbed?: string[]; broke_away?: string[] };
      const what = d.absorbed ? `吸收 ${d.absorbed.join('、')}` : d.broke_away ? `分出 ${d.broke_away.join('、')}` : '';
      lines.push(`  批次 #${e.runId}  ${e.unitId} ${EVENT_TEXT[e.event] ?? e.event} ${what}`);
    }
  }
  if (f.review.length) {
    lines.push('', '复核：');
    for (const r of f.review) lines.push(`  #${r.id} ${REVIEW_REASON_TEXT[r.reason] ?? r.reason}  记录 ${r.recordA}/${r.recordB}  ${STATUS_TEXT[r.status] ?? r.status}`);
  }
  if (f.decisions.length) {
    lines.push('', '人工决定：');
    for (const d of f.decisions) lines.push(`  ${decisionLine(d)}  记录 ${d.recordA}/${d.recordB}`);
  }
  return lines.join('\n');
}

/** `gridlink review …` and `gridlink show UNIT`: the stewards' queue and the file of one unit (一企一档). */
export function registerReviewCommands(program: Command, { out }: CommandEnv): void {
  const review = program.command('review').description("the stewards' queue: pairs of records the matching rules could not settle");
  review
    .command('list')
    .description('pairs waiting for a steward (contradictions first, then by score)')
    .option('--status <status>', `open (default), decided, settled or all`, statusArg, 'open' as const)
    .option('--reason <reason>', `only one reason (${REVIEW_REASONS.join(', ')})`)
    .option('--unit <id>', 'only pairs with a record in this unit')
    .option('--limit <n>', 'how many to list', positiveInt, 50)
    .option('--json', 'one JSON object per pair instead of text')
    .action(async (opts: { status: ReviewStatus | 'all'; reason?: string; unit?: string; limit: number; json?: boolean }) => {
      if (opts.reason && !(REVIEW_REASONS as readonly string[]).includes(opts.reason)) throw new InvalidArgumentError(`--reason must be one of ${REVIEW_REASONS.join(', ')}`);
      const list = await withDatabase((d) => listReview(d.db, { status: opts.status, reason: opts.reason ?? null, unitId: opts.unit ?? null, limit: opts.limit }));
      if (opts.json) for (const item of list.items) out.write(`${JSON.stringify(item)}\n`);
      else out.write(`${formatReviewList(list)}\n`);
    });

  review
    .command('show')
    .description('two records side by side with their differences marked, the evidence and the score')
    .argument('<pair>', 'review item number, or two record ids as A,B', pairRef)
    .option('--json', 'the pair as one JSON object')
    .action(async (ref: PairRef, opts: { json?: boolean }) => {
      const view = await withDatabase((d) => showPair(d.db, ref));
      out.write(opts.json ? `${JSON.stringify(view)}\n` : `${formatPair(view)}\n`);
    });

  review
    .command('decide')
    .description('settle a pair: same (one unit), different (never one unit) or skip (off the queue); the next sync applies it')
    .argument('<pair>', 'review item number, or two record ids as A,B', pairRef)
    .argument('<verdict>', VERDICTS.join('|'), verdictArg)
    .option('--note <text>', 'why (kept with the decision)')
    .option('--by <name>', 'who decides (default: $GRIDLINK_STEWARD or the login name)')
    .action(async (ref: PairRef, verdict: Verdict, opts: { note?: string; by?: string }) => {
      const r = await withDatabase((d) => decide(d.db, ref, { verdict, steward: steward(opts.by), note: opts.note ?? null }));
      out.write(
        `决定 #${r.decision.id}：记录 ${r.decision.recordA} 与 ${r.decision.recordB} ${VERDICT_TEXT[verdict]}（${r.decision.steward}）` +
          `${r.supersedes ? `，取代决定 #${r.supersedes.id}（${VERDICT_TEXT[r.supersedes.verdict]}）` : ''}；下次同步时生效。撤销：gridlink review undo ${r.decision.id}\n`,
      );
    });

  review
    .command('undo')
    .description('undo a decision (it stays in the history); the next sync applies it')
    .argument('<decision>', 'decision number from "gridlink review history"')
    .option('--note <text>', 'why')
    .option('--by <name>', 'who undoes it (default: $GRIDLINK_STEWARD or the login name)')
    .action(async (id: string, opts: { note?: string; by?: string }) => {
      const d = await withDatabase((db) => undoDecision(db.db, id, { steward: steward(opts.by), note: opts.note ?? null }));
      out.write(`决定 #${d.id}（${VERDICT_TEXT[d.verdict]}，记录 ${d.recordA} 与 ${d.recordB}）已撤销；下次同步时生效。\n`);
    });

  review
    .command('history')
    .description("stewards' decisions, newest first, undone ones included")
    .option('--unit <id>', 'only decisions about records of this unit')
    .option('--limit <n>', 'how many', positiveInt, 50)
    .action(async (opts: { unit?: string; limit: number }) => {
      const decisions = await withDatabase((d) => decisionHistory(d.db, { unitId: opts.unit ?? null, limit: opts.limit }));
      if (decisions.length === 0) out.write('还没有人工决定。\n');
      for (const d of decisions) out.write(`${decisionLine(d)}  记录 ${d.recordA}/${d.recordB}\n`);
    });

  program
    .command('show')
    .description('the whole file of one unit (一企一档): fields with their sources, records, links with reasons, grid, reports')
    .argument('<unit>', 'unit id, e.g. U0001234')
    .option('--json', 'the file as one JSON object')
    .action(async (unitId: string, opts: { json?: boolean }) => {
      const file = await withDatabase((d) => loadUnitFile(d.db, unitId.trim().toUpperCase()));
      if (!file) throw new Error(`no unit ${unitId}: unit ids look like U0001234 (gridlink export register lists them)`);
      out.write(opts.json ? `${JSON.stringify(file)}\n` : `${formatUnitFile(file)}\n`);
    });
}
