import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { notFound } from '../http-error.ts';
import { runPage, runsPage } from '../pages/runs.ts';
import { recentRuns, runDetail } from '../queries/run-history.ts';

const RUNS_SHOWN = 20;

/** Run history (stewards only, guarded in app.ts): stages with counts and times, rejects, quarantined files. */
export function registerRunRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;
  const runId = (raw: string | undefined) => {
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1 || id > 2 ** 31 - 1) throw notFound('批次编号不正确。');
    return id;
  };
  app.get('/runs', async (c) => c.html(runsPage({ viewer: c.get('viewer'), csrf: c.get('csrf') }, await recentRuns(db, RUNS_SHOWN))));
  app.get('/runs/:id', async (c) => {
    const detail = await runDetail(db, runId(c.req.param('id')));
    if (!detail) throw notFound('没有这个批次。');
    return c.html(runPage({ viewer: c.get('viewer'), csrf: c.get('csrf') }, detail));
  });
  app.get('/api/runs', async (c) => c.json({ runs: await recentRuns(db, RUNS_SHOWN) }));
  app.get('/api/runs/:id', async (c) => {
    const detail = await runDetail(db, runId(c.req.param('id')));
    if (!detail) throw notFound('没有这个批次。');
    return c.json(detail);
  });
}
