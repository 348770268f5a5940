import type { Hono } from 'hono';
import { listUnplaced, placeBySteward, type StewardPlacement } from '../../pipelines/grid/unplaced-queue.ts';
import { recordAudit } from '../audit.ts';
import { clientIp, type AppContext, type AppEnv, type WebDeps } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { unplacedPage } from '../pages/unplaced.ts';

const PAGE_SIZE = 30;
const UNIT_ID = /^[A-Za-z0-9_-]{1,40}$/;

function optionalInt(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `门牌号“${String(value)}”不是整数，请改正后重试。`);
  return n;
}

function text(value: unknown, max = 200): string | null {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;
}

/** Reads a placement from the page's form or the API's JSON into the grid module's input. */
function placementInput(unitId: string, by: string, body: Record<string, unknown>): StewardPlacement {
  const grid = body.use_other === '1' ? text(body.grid_other, 60) : text(body.grid, 60);
  if (!grid) throw new HttpError(400, '请选择候选网格，或输入网格编码后再点“放入该网格”。');
  const rule = body.rule as Record<string, unknown> | undefined;
  const wantsRule = body.save_rule === '1' || body.save_rule === true || (rule !== undefined && rule !== null);
  return {
    unitId,
    gridCode: grid,
    by,
    note: text(body.note),
    rule: wantsRule
      ? {
          pattern: text(rule?.pattern ?? body.rule_pattern, 100) ?? '',
          numberFrom: optionalInt(rule?.numberFrom ?? body.rule_from),
          numberTo: optionalInt(rule?.numberTo ?? body.rule_to),
          scopeCode: text(rule?.scopeCode ?? body.rule_scope, 12),
        }
      : null,
  };
}

/** Local paths only: the form's "back" goes to the queue page it came from. */
function backTo(value: unknown): string {
  return typeof value === 'string' && /^\/unplaced(\?[\w=&%.-]*)?$/.test(value) ? value : '/unplaced';
}

/** Unplaced units (stewards only, guarded in app.ts), over the grid module's queue and placement functions. */
export function registerUnplacedRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  const place = async (c: AppContext, body: Record<string, unknown>) => {
    const unitId = c.req.param('unit') ?? '';
    if (!UNIT_ID.test(unitId)) throw new HttpError(404, '单位编号格式不正确。');
    const viewer = c.get('viewer');
    const input = placementInput(unitId, viewer.username, body);
    let result;
    try {
      result = await placeBySteward(db, input);
    } catch (err) {
      throw new HttpError(400, `定位未完成：${(err as Error).message}`);
    }
    await recordAudit(db, viewer, { action: 'place_unit', target: `unit:${unitId}`, detail: { grid: input.gridCode, grid_l1: result.gridL1, grid_l2: result.gridL2, from: result.from, rule_id: result.ruleId, note: input.note } }, clientIp(c, deps.options));
    return result;
  };

  app.get('/unplaced', async (c) => {
    const reason = c.req.query('reason') || null;
    const pageNo = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const queue = await listUnplaced(db, { reason, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE });
    const grids = (await db.selectFrom('grid.grid').select(['code', 'name', 'level', 'parent_code']).where('active', '=', true).orderBy('code').execute()).map((g) => ({ code: g.code, name: g.name, level: g.level, parentCode: g.parent_code }));
    const placedId = c.req.query('placed');
    let placed = null;
    if (placedId && UNIT_ID.test(placedId)) {
      const p = await db
        .selectFrom('grid.placement as p')
        .innerJoin('registry.unit as u', 'u.id', 'p.unit_id')
        .leftJoin('grid.grid as g', (j) => j.on((eb) => eb('g.code', '=', eb.fn.coalesce('p.grid_l2', 'p.grid_l1'))))
        .select(['u.id', 'u.name', 'p.grid_l1', 'p.grid_l2', 'g.name as grid_name'])
        .where('p.unit_id', '=', placedId)
        .executeTakeFirst();
      if (p && (p.grid_l2 ?? p.grid_l1)) placed = { unitId: p.id, name: p.name, grid: (p.grid_l2 ?? p.grid_l1)!, gridName: p.grid_name };
    }
    return c.html(unplacedPage({ viewer: c.get('viewer'), csrf: c.get('csrf') }, { queue, reason, grids, placed, page: pageNo, pageSize: PAGE_SIZE }));
  });

  app.post('/unplaced/:unit/place', async (c) => {
    const form = (await c.req.parseBody()) as Record<string, unknown>;
    const result = await place(c, form);
    const back = new URL(backTo(form.back), 'http://x');
    back.searchParams.set('placed', result.unitId);
    return c.redirect(`${back.pathname}${back.search}`, 303);
  });

  app.get('/api/unplaced', async (c) => {
    const limit = Math.min(500, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0);
    return c.json(await listUnplaced(db, { reason: c.req.query('reason') || null, grid: c.req.query('grid') || null, limit, offset }));
  });

  app.post('/api/unplaced/:unit/place', async (c) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body) throw new HttpError(400, '请求体应为 JSON，例如 {"grid":"YZ-GL-01-001"}。');
    return c.json(await place(c, body));
  });
}
