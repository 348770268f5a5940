import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isApi, type AppEnv, type WebDeps } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { findSession } from './sessions.ts';
import { tokensEqual } from './tokens.ts';
import { canSteward } from './viewer.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * No page or API answers without a live session: JSON callers get 401, a browser is sent to the
 * sign-in page and brought back afterwards.
 */
export function requireSession(deps: WebDeps, cookieName: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = await findSession(deps.db, getCookie(c, cookieName));
    if (!session) {
      const wantsPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
      if (isApi(c) || !wantsPage) throw new HttpError(401, '未登录或登录已过期，请先登录。');
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    c.set('viewer', session.viewer);
    c.set('csrf', session.csrfToken);
    await next();
  };
}

/**
 * Every write (POST/PUT/PATCH/DELETE) carries the session's CSRF token, in the X-CSRF-Token header
 * (scripts) or the _csrf form field (forms); a cross-site Origin is refused outright.
 */
export function requireCsrf(deps: WebDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin && origin !== 'null') {
      const host = (deps.options.trustProxy && c.req.header('x-forwarded-host')) || c.req.header('host');
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = null;
      }
      if (originHost !== host) throw new HttpError(403, '请求来源不是本站，已拒绝。请在本系统的页面上操作。');
    }
    let token = c.req.header('x-csrf-token');
    if (!token) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const field = (await c.req.parseBody())._csrf;
        token = typeof field === 'string' ? field : undefined;
      }
    }
    if (!tokensEqual(token, c.get('csrf'))) throw new HttpError(403, '表单已过期或缺少安全校验码，操作未执行。请刷新页面后重试。');
    await next();
  };
}

/** Match review, unplaced units and run history are stewards' work; inspectors get 403. */
export function requireSteward(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!canSteward(c.get('viewer'))) throw new HttpError(403, '此功能仅限数据管理员使用。');
    await next();
  };
}
