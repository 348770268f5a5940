import { InvalidArgumentError, type Command } from 'commander';
import { exportNotices } from '../pipelines/publish/exports.ts';
import { REASON_TEXT } from '../pipelines/grid/place-unit.ts';
import { addRule, listRules, removeRule } from '../pipelines/grid/rules.ts';
import { listUnplaced, placeBySteward } from '../pipelines/grid/unplaced-queue.ts';
import { formatGridStatus } from './status.ts';
import { positiveInt, withDatabase, type CommandEnv } from './shared.ts';

/** `A-B` or `N` house numbers. */
function numberRange(value: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:[-–~]\s*(\d+))?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected house numbers as N or A-B, e.g. 200-260');
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : from;
  if (from > to) throw new InvalidArgumentError('the first house number must not be larger than the second');
  return [from, to];
}

const ruleText = (r: { id: number; pattern: string; numberFrom: number | null; numberTo: number | null; scopeCode: string | null; gridL1: string; gridL2: string | null }) =>
  `#${r.id}  “${r.pattern}”${r.numberFrom !== null ? ` ${r.numberFrom}–${r.numberTo ?? ''}号` : ''}${r.scopeCode ? `（限 ${r.scopeCode}）` : ''} → ${r.gridL2 ?? r.gridL1}`;

/** `gridlink grid …`: the inspection grid, placement rules, the unplaced queue and notices. */
export function registerGridCommands(program: Command, { out }: CommandEnv): void {
  const grid = program.command('grid').description('the inspection grid: status, unplaced units, stewards\' placements and rules');
  grid
    .command('status')
    .description('units and reported units per grid, unplaced units by reason, open reports and notices, the last grid change')
    .action(async () => {
      out.write(`${await withDatabase((d) => formatGridStatus(d.db))}\n`);
    });

  grid
    .command('unplaced')
    .description('units without a level-2 grid: why, and the candidate grids')
    .option('--grid <code>', 'only units already placed in this level-1 grid')
    .option('--reason <reason>', `only this reason (${Object.keys(REASON_TEXT).filter((r) => r !== 'outside_grid').join(', ')})`)
    .option('--limit <n>', 'how many to list', positiveInt, 50)
    .option('--json', 'one JSON object per unit instead of text')
    .action(async (opts: { grid?: string; reason?: string; limit: number; json?: boolean }) => {
      const queue = await withDatabase((d) => listUnplaced(d.db, { grid: opts.grid ?? null, reason: opts.reason ?? null, limit: opts.limit }));
      if (opts.json) {
        for (const item of queue.items) out.write(`${JSON.stringify(item)}\n`);
        return;
      }
      out.write(`未定位到二级网格的单位：${queue.total}（${Object.entries(queue.byReason).map(([r, n]) => `${r} ${n}`).join('，') || '无'}）\n`);
      for (const u of queue.items) {
        out.write(`\n${u.unitId}  ${u.name ?? ''}\n  地址：${u.address ?? '（无）'}\n  ${u.gridL1 ? `一级网格：${u.gridL1} ${u.gridL1Name ?? ''}；` : ''}原因：${u.message ?? u.reason ?? u.method}\n`);
        for (const c of u.candidates) out.write(`  候选：${c.grid_l2 ?? c.grid_l1 ?? c.division_code ?? ''} ${c.grid_l2_name ?? c.grid_l1_name ?? ''}  ${c.why}\n`);
        if (u.openReasons.length) out.write(`  未关闭报告：${u.openReasons.join('、')}\n`);
      }
      if (queue.items.length) out.write(`\n指定网格：gridlink grid place UNIT --grid CODE [--rule-pattern 路名 --numbers A-B]\n`);
    });

  grid
    .command('place')
    .description("a steward places a unit on a grid (remembered; wins over automatic placement in later runs)")
    .argument('<unit>', 'unit id, e.g. U0001234')
    .requiredOption('--grid <code>', 'level-2 grid (its level-1 grid follows) or level-1 grid')
    .option('--by <name>', 'who decides (kept with the decision)')
    .option('--note <text>', 'why')
    .option('--rule-pattern <text>', 'also save a rule: addresses containing this text go to the same grid')
    .option('--numbers <range>', 'with --rule-pattern: only these house numbers after the pattern (N or A-B)', numberRange)
    .option('--scope <code>', 'with --rule-pattern: only addresses in this district (6 digits) or street/town (9 digits)')
    .action(async (unit: string, opts: { grid: string; by?: string; note?: string; rulePattern?: string; numbers?: [number, number]; scope?: string }) => {
      const rule = opts.rulePattern ? { pattern: opts.rulePattern, numberFrom: opts.numbers?.[0] ?? null, numberTo: opts.numbers?.[1] ?? null, scopeCode: opts.scope ?? null } : null;
      const r = await withDatabase((d) => placeBySteward(d.db, { unitId: unit, gridCode: opts.grid, by: opts.by ?? null, note: opts.note ?? null, rule }));
      out.write(`${r.unitId} → ${r.gridL2 ?? r.gridL1}（一级网格 ${r.gridL1}），原为 ${r.from.gridL2 ?? r.from.gridL1 ?? '未定位'}${r.ruleId ? `；已保存规则 #${r.ruleId}` : ''}\n`);
    });

  const rule = grid.command('rule').description("stewards' address rules, applied by the next sync to units the codes, names and road gazetteer could not place");
  rule
    .command('add')
    .description('addresses containing PATTERN belong to grid CODE')
    .requiredOption('--pattern <text>', 'address text, e.g. 扬子江南路 or 润扬科技园')
    .requiredOption('--grid <code>', 'level-2 grid (its level-1 grid follows) or level-1 grid')
    .option('--numbers <range>', 'only these house numbers right after the pattern (N or A-B)', numberRange)
    .option('--scope <code>', 'only addresses in this district (6 digits) or street/town (9 digits)')
    .option('--note <text>', 'why')
    .option('--by <name>', 'who adds it')
    .action(async (opts: { pattern: string; grid: string; numbers?: [number, number]; scope?: string; note?: string; by?: string }) => {
      const r = await withDatabase((d) =>
        addRule(d.db, { pattern: opts.pattern, gridCode: opts.grid, numberFrom: opts.numbers?.[0] ?? null, numberTo: opts.numbers?.[1] ?? null, scopeCode: opts.scope ?? null, note: opts.note ?? null, by: opts.by ?? null }),
      );
      out.write(`规则已保存：${ruleText(r)}（下次同步时生效）\n`);
    });
  rule
    .command('list')
    .description('the rules in use')
    .action(async () => {
      const rules = await withDatabase((d) => listRules(d.db));
      if (rules.length === 0) out.write('没有网格规则。添加：gridlink grid rule add --pattern 路名 --grid CODE\n');
      for (const r of rules) out.write(`${ruleText(r)}  ${r.createdBy ?? ''} ${r.createdAt.toISOString().slice(0, 10)}${r.note ? `  ${r.note}` : ''}\n`);
    });
  rule
    .command('remove')
    .description('stop using a rule (it stays in the history)')
    .argument('<id>', 'rule number from "gridlink grid rule list"', positiveInt)
    .option('--by <name>', 'who removes it')
    .action(async (id: number, opts: { by?: string }) => {
      await withDatabase((d) => removeRule(d.db, id, opts.by ?? null));
      out.write(`规则 #${id} 已停用（下次同步时生效）\n`);
    });

  grid
    .command('notices')
    .description('units a grid supervised that closed or are now placed in another grid')
    .option('--grid <code>', "one grid's notices (a level-1 grid includes its level-2 grids')")
    .requiredOption('--out <file>', 'output file, .csv or .xlsx')
    .action(async (opts: { grid?: string; out: string }) => {
      const rows = await withDatabase((d) => exportNotices(d.db, opts.out, opts.grid ?? null));
      out.write(`${rows} rows → ${opts.out}\n`);
    });
}
