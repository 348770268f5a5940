import type { Hono } from 'hono';
import type { Verdict } from '../../db/tables/matching.ts';
import { decide, decisionHistory, listReview, ReviewError, showPair, undoDecision, VERDICTS, type DecisionView, type PairRef } from '../../pipelines/match/review-queue.ts';
import { recordAudit } from '../audit.ts';
import { clientIp, type AppContext, type AppEnv, type WebDeps } from '../context.ts';
import { HttpError, notFound } from '../http-error.ts';
import { emptyQueue, pairFragment, recentFragment, reviewPage, VERDICT_ZH } from '../pages/review.ts';

const RECENT = 10;
const ID = /^\d{1,18}$/;

function idParam(c: AppContext, name: string): string {
  const id = c.req.param(name) ?? '';
  if (!ID.test(id)) throw notFound('编号格式不正确。');
  return id;
}

/** The matching module's errors say what is wrong with the request: a 400 with that message. */
async function reviewCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ReviewError) throw new HttpError(400, `操作未完成：${err.message}`);
    throw err;
  }
}

function reasonOf(value: unknown): string | null {
  return typeof value === 'string' && /^[a-z_]{1,40}$/.test(value) ? value : null;
}

/**
 * The match review queue (stewards only, guarded in app.ts) over pipelines/match/review-queue.ts:
 * pages for the browser (work without script too) and the JSON the keyboard script calls.
 */
export function registerReviewRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  /** The first open pair not among `exclude` (pairs on screen or being decided), as a ready fragment. */
  const nextPair = async (c: AppContext, reason: string | null, exclude: Set<string>) => {
    const list = await listReview(db, { reason, limit: exclude.size + 1 });
    const item = list.items.find((i) => !exclude.has(i.id)) ?? null;
    const pair = item ? await showPair(db, { itemId: item.id }) : null;
    return { item: item?.id ?? null, html: (pair ? pairFragment(pair, c.get('csrf'), reason) : emptyQueue()).value, remaining: list.total };
  };

  const recentHtml = async (c: AppContext) => recentFragment(await decisionHistory(db, { limit: RECENT }), c.get('csrf'), c.get('viewer').username).value;

  const decideItem = async (c: AppContext, itemId: string, verdictRaw: unknown, noteRaw: unknown) => {
    if (typeof verdictRaw !== 'string' || !(VERDICTS as readonly string[]).includes(verdictRaw)) throw new HttpError(400, '决定只能是 same（是同一单位）、different（不是）或 skip（跳过）。');
    const note = typeof noteRaw === 'string' ? noteRaw.slice(0, 500) : null;
    const viewer = c.get('viewer');
    const result = await reviewCall(() => decide(db, { itemId }, { verdict: verdictRaw as Verdict, steward: viewer.username, note }));
    const d = result.decision;
    await recordAudit(db, viewer, { action: 'review_decide', target: `pair:${d.recordA}-${d.recordB}`, detail: { item: itemId, decision: d.id, verdict: d.verdict, note: d.note, supersedes: result.supersedes?.id ?? null } }, clientIp(c, deps.options));
    return result;
  };

  const undo = async (c: AppContext, decisionId: string, noteRaw: unknown): Promise<DecisionView> => {
    const viewer = c.get('viewer');
    const note = typeof noteRaw === 'string' ? noteRaw.slice(0, 500) : null;
    const d = await reviewCall(() => undoDecision(db, decisionId, { steward: viewer.username, note }));
    await recordAudit(db, viewer, { action: 'review_undo', target: `pair:${d.recordA}-${d.recordB}`, detail: { decision: d.id, verdict: d.verdict, note } }, clientIp(c, deps.options));
    return d;
  };

  /** The queue item of an undone decision's pair, so the page can offer it for a new decision. */
  const itemOfPair = async (d: DecisionView): Promise<PairRef> => {
    const item = await db.selectFrom('registry.review_item').select('id').where('record_a', '=', d.recordA).where('record_b', '=', d.recordB).orderBy('id').executeTakeFirst();
    return item ? { itemId: item.id } : { recordA: d.recordA, recordB: d.recordB };
  };

  app.get('/review', async (c) => {
    const reason = reasonOf(c.req.query('reason'));
    const list = await listReview(db, { reason, limit: 1 });
    const wanted = c.req.query('item');
    const itemId = wanted && ID.test(wanted) ? wanted : list.items[0]?.id;
    const pair = itemId ? await reviewCall(() => showPair(db, { itemId })) : null;
    const done = c.req.query('done');
    const message = done && VERDICT_ZH[done] ? `已记录：${VERDICT_ZH[done]}。下一对已载入。` : c.req.query('undone') ? '已撤销该决定，这一对回到队列中。' : null;
    return c.html(reviewPage({ viewer: c.get('viewer'), csrf: c.get('csrf') }, { list, reason, pair, recent: await decisionHistory(db, { limit: RECENT }), message }));
  });

  app.post('/review/items/:id/decide', async (c) => {
    const form = await c.req.parseBody();
    const result = await decideItem(c, idParam(c, 'id'), form.verdict, form.note);
    const reason = reasonOf(form.reason);
    return c.redirect(`/review?${new URLSearchParams({ ...(reason ? { reason } : {}), done: result.decision.verdict })}`, 303);
  });

  app.post('/review/decisions/:id/undo', async (c) => {
    const form = await c.req.parseBody();
    const d = await undo(c, idParam(c, 'id'), form.note);
    const ref = await itemOfPair(d);
    return c.redirect(`/review?${new URLSearchParams({ undone: d.id, ...('itemId' in ref ? { item: ref.itemId } : {}) })}`, 303);
  });

  app.get('/api/review/queue', async (c) => {
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? 50) || 50));
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0);
    return c.json(await listReview(db, { reason: reasonOf(c.req.query('reason')), limit, offset }));
  });

  app.get('/api/review/next', async (c) => {
    const exclude = new Set((c.req.query('exclude') ?? '').split(',').filter((x) => ID.test(x)).slice(0, 50));
    return c.json(await nextPair(c, reasonOf(c.req.query('reason')), exclude));
  });

  app.get('/api/review/items/:id', async (c) => {
    const pair = await reviewCall(() => showPair(db, { itemId: idParam(c, 'id') }));
    return c.json({ pair, html: pairFragment(pair, c.get('csrf'), reasonOf(c.req.query('reason'))).value });
  });

  app.post('/api/review/items/:id/decision', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { verdict?: unknown; note?: unknown; reason?: unknown; exclude?: unknown } | null;
    if (!body) throw new HttpError(400, '请求体应为 JSON，例如 {"verdict":"same","note":"…"}。');
    const itemId = idParam(c, 'id');
    const result = await decideItem(c, itemId, body.verdict, body.note);
    const exclude = new Set([itemId, ...(Array.isArray(body.exclude) ? body.exclude.filter((x): x is string => typeof x === 'string' && ID.test(x)).slice(0, 50) : [])]);
    return c.json({ ...result, next: await nextPair(c, reasonOf(body.reason), exclude), recentHtml: await recentHtml(c) });
  });

  const undoResponse = async (c: AppContext, d: DecisionView, reason: string | null) => {
    const pair = await reviewCall(async () => showPair(db, await itemOfPair(d)));
    const list = await listReview(db, { reason, limit: 1 });
    return c.json({ decision: d, item: pair.item?.id ?? null, html: pairFragment(pair, c.get('csrf'), reason).value, remaining: list.total, recentHtml: await recentHtml(c) });
  };

  app.post('/api/review/decisions/:id/undo', async (c) => {
    const body = ((await c.req.json().catch(() => ({}))) ?? {}) as { note?: unknown; reason?: unknown };
    const d = await undo(c, idParam(c, 'id'), body.note);
    return undoResponse(c, d, reasonOf(body.reason));
  });

  // The "u" key: the signed-in steward's latest decision still in force.
  app.post('/api/review/undo-last', async (c) => {
    const body = ((await c.req.json().catch(() => ({}))) ?? {}) as { note?: unknown; reason?: unknown };
    const username = c.get('viewer').username;
    const last = (await decisionHistory(db, { limit: 200 })).find((d) => d.steward === username && d.undoneAt === null);
    if (!last) throw new HttpError(409, '没有可以撤销的决定。');
    const d = await undo(c, last.id, body.note);
    return undoResponse(c, d, reasonOf(body.reason));
  });
}
