import { Hono } from 'hono';
import type { Database } from '../db/connect.ts';
import { DEFAULT_OPTIONS, isApi, type AppContext, type AppEnv, type WebDeps, type WebOptions } from './context.ts';
import { HttpError, notFound } from './http-error.ts';
import { barePage, errorContent, page } from './pages/layout.ts';
import { registerLoginRoutes, registerLogoutRoute, SESSION_COOKIE } from './routes/auth.ts';
import { registerGridRoutes } from './routes/grids.ts';
import { registerHomeRoute } from './routes/home.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerUnitRoutes } from './routes/units.ts';
import { registerReviewRoutes } from './routes/review.ts';
import { registerUnplacedRoutes } from './routes/unplaced.ts';
import { requireCsrf, requireSession, requireSteward } from './security/guards.ts';
import { registerStaticFiles } from './static-files.ts';

const SECURITY_HEADERS: Record<string, string> = {
  // Only our own script and styles run; nothing may frame the pages.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/**
 * The stewards' and inspectors' pages and their JSON API over the one shared database. Order matters:
 * static files and sign-in first, then the session check, the CSRF check, the stewards-only areas.
 */
export function createApp(database: Database, options: Partial<WebOptions> = {}): Hono<AppEnv> {
  const deps: WebDeps = { database, db: database.db, options: { ...DEFAULT_OPTIONS, ...options } };
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    if (deps.options.secureCookies) c.res.headers.set('Strict-Transport-Security', 'max-age=31536000');
    if (!c.req.path.startsWith('/static/')) c.res.headers.set('Cache-Control', 'no-store');
  });

  app.onError((err, c) => {
    if (err instanceof HttpError) return renderError(c, err);
    console.error(err);
    return renderError(c, new HttpError(500, '服务器内部错误，操作未完成。请稍后重试；如果反复出现，请把时间告诉系统管理员。'));
  });
  app.notFound((c) => renderError(c, notFound()));

  registerStaticFiles(app);
  registerLoginRoutes(app, deps);

  app.use('*', requireSession(deps, SESSION_COOKIE));
  app.use('*', requireCsrf(deps));
  for (const area of ['/review', '/unplaced', '/runs']) {
    app.use(area, requireSteward());
    app.use(`${area}/*`, requireSteward());
    app.use(`/api${area}`, requireSteward());
    app.use(`/api${area}/*`, requireSteward());
  }

  registerLogoutRoute(app, deps);
  registerHomeRoute(app);
  registerGridRoutes(app, deps);
  registerUnitRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerReviewRoutes(app, deps);
  registerUnplacedRoutes(app, deps);
  return app;
}

/** JSON for the API and scripts, a page in the site's frame (or a bare one before sign-in) for browsers. */
function renderError(c: AppContext, err: HttpError): Response {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  if (isApi(c) || c.req.header('accept')?.includes('application/json')) return c.json({ error: err.message }, err.status);
  const viewer = c.get('viewer');
  const content = errorContent(err.status, err.message);
  return c.html(viewer ? page({ viewer, csrf: c.get('csrf'), title: '无法完成' }, content) : barePage('无法完成', content), err.status);
}
