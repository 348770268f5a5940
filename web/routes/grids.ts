import type { Hono } from 'hono';
import { REASONS } from '../../pipelines/supervise.ts';
import { recordAudit } from '../audit.ts';
import { clientIp, type AppContext, type AppEnv, type WebDeps } from '../context.ts';
import { gridDownload, type DownloadFormat, type DownloadKind } from '../downloads.ts';
import { forbidden, HttpError, notFound } from '../http-error.ts';
import { gridPage, gridsOverviewPage } from '../pages/grids.ts';
import { gridOverview, unplacedCounts } from '../queries/grid-overview.ts';
import { gridOpenReports, gridRegister, gridWithChildren } from '../queries/grid-register.ts';
import { canSeeGrid, visibleGrids } from '../security/grid-access.ts';
import { canSteward } from '../security/viewer.ts';

const PAGE_SIZE = 200;
const GRID_CODE = /^[A-Za-z0-9_.-]{1,60}$/;

function reasonParam(c: AppContext): string | null {
  const r = c.req.query('reason');
  if (!r) return null;
  if (r === 'any' || (REASONS as readonly string[]).includes(r)) return r;
  throw new HttpError(400, `未知的筛选原因“${r}”。可选：any、${REASONS.join('、')}。`);
}

function pageParam(c: AppContext): number {
  const n = Number.parseInt(c.req.query('page') ?? '1', 10);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/**
 * The grid's code from the path, after the access check: an inspector asking for a grid that is not
 * theirs gets 403 whether or not it exists, so codes cannot be probed.
 */
async function allowedGrid(c: AppContext, deps: WebDeps): Promise<string> {
  const code = c.req.param('code') ?? '';
  if (!(await canSeeGrid(deps.db, c.get('viewer'), code))) throw forbidden();
  if (!GRID_CODE.test(code)) throw notFound('网格编码格式不正确。');
  return code;
}

export function registerGridRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;
  const frame = (c: AppContext) => ({ viewer: c.get('viewer'), csrf: c.get('csrf') });

  app.get('/grids', async (c) => {
    const viewer = c.get('viewer');
    const grids = await gridOverview(db, await visibleGrids(db, viewer));
    return c.html(gridsOverviewPage(frame(c), grids, canSteward(viewer) ? await unplacedCounts(db) : null));
  });

  app.get('/grids/:code', async (c) => {
    const code = await allowedGrid(c, deps);
    const grid = await gridWithChildren(db, code);
    if (!grid) throw notFound(`没有编码为 ${code} 的网格。`);
    const reason = reasonParam(c);
    const pageNo = pageParam(c);
    const summaries = await gridOverview(db, new Set([code, ...grid.children.map((g) => g.code)]));
    const summary = summaries.find((g) => g.code === code);
    const children = summaries.filter((g) => g.code !== code);
    const register = await gridRegister(db, { grid: code, reason, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE });
    const reports = await gridOpenReports(db, code, reason);
    return c.html(gridPage(frame(c), { grid, summary, children, parentVisible: grid.parent_code !== null && (await canSeeGrid(db, c.get('viewer'), grid.parent_code)), reason, register, reports, page: pageNo, pageSize: PAGE_SIZE }));
  });

  app.get('/api/grids', async (c) => c.json({ grids: await gridOverview(db, await visibleGrids(db, c.get('viewer'))) }));

  const download = (kind: DownloadKind) => async (c: AppContext) => {
    const code = await allowedGrid(c, deps);
    const format = c.req.query('format') ?? 'json';
    if (format === 'json') {
      if (!(await gridWithChildren(db, code))) throw notFound(`没有编码为 ${code} 的网格。`);
      if (kind === 'reports') return c.json({ grid: code, reports: await gridOpenReports(db, code, reasonParam(c), 100_000) });
      const register = await gridRegister(db, { grid: code, reason: reasonParam(c), limit: 100_000, offset: 0 });
      return c.json({ grid: code, total: register.total, units: register.rows });
    }
    if (format !== 'csv' && format !== 'xlsx') throw new HttpError(400, 'format 只能是 json、csv 或 xlsx。');
    let file;
    try {
      file = await gridDownload(db, kind, code, format as DownloadFormat);
    } catch (err) {
      if (/No grid with code/.test((err as Error).message)) throw notFound(`没有编码为 ${code} 的网格。`);
      throw err;
    }
    await recordAudit(db, c.get('viewer'), { action: `download_${kind}`, target: `grid:${code}`, detail: { format, rows: file.rows } }, clientIp(c, deps.options));
    c.header('Content-Type', file.contentType);
    c.header('Content-Disposition', file.disposition);
    return c.body(new Uint8Array(file.body));
  };
  app.get('/api/grids/:code/register', download('register'));
  app.get('/api/grids/:code/reports', download('reports'));
}
