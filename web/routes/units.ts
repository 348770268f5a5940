import type { Hono } from 'hono';
import { decisionHistory } from '../../pipelines/match/review-queue.ts';
import { auditFor } from '../audit.ts';
import type { AppContext, AppEnv, WebDeps } from '../context.ts';
import { forbidden, notFound } from '../http-error.ts';
import { unitPage } from '../pages/unit.ts';
import { unitFile } from '../queries/unit-file.ts';
import { canSeeUnit } from '../security/grid-access.ts';

const UNIT_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** The unit file (一企一档): inspectors only for units placed in their grids. */
export function registerUnitRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;
  const load = async (c: AppContext) => {
    const id = c.req.param('id') ?? '';
    if (!UNIT_ID.test(id)) throw notFound('单位编号格式不正确。');
    if (!(await canSeeUnit(db, c.get('viewer'), id))) throw forbidden('无权查看该单位：它不在您负责的网格内。');
    const file = await unitFile(db, id);
    if (!file) throw notFound(`没有编号为 ${id} 的单位。`);
    return { id, file, audit: await auditFor(db, [`unit:${id}`]), decisions: await decisionHistory(db, { unitId: id, limit: 50 }) };
  };
  app.get('/units/:id', async (c) => {
    const { file, audit, decisions } = await load(c);
    return c.html(unitPage({ viewer: c.get('viewer'), csrf: c.get('csrf') }, file, audit, decisions));
  });
  app.get('/api/units/:id', async (c) => {
    const { file, audit, decisions } = await load(c);
    return c.json({ ...file, audit, decisions });
  });
}
