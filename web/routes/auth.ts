import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { recordAudit } from '../audit.ts';
import { clientIp, type AppContext, type AppEnv, type WebDeps } from '../context.ts';
import { loginPage } from '../pages/login.ts';
import { loginRetryAfter, recordLoginAttempt } from '../security/login-limit.ts';
import { dummyHash, verifyPassword } from '../security/passwords.ts';
import { createSession, deleteSession } from '../security/sessions.ts';
import { randomToken, tokensEqual } from '../security/tokens.ts';
import { findUserForLogin, normalizeUsername } from '../users.ts';

export const SESSION_COOKIE = 'gridlink_session';
// Before sign-in there is no session to bind a CSRF token to, so the login form uses a
// double-submit token: a cookie the page cannot be forged to carry, repeated in the form.
const LOGIN_COOKIE = 'gridlink_login';

/** Only a path on this site: "//evil.example" and "https://…" would leave it after sign-in. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

/** The sign-in form and its post: the only pages answered without a session. */
export function registerLoginRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db, options } = deps;
  const cookieBase = { httpOnly: true, sameSite: 'Lax' as const, secure: options.secureCookies };

  const showLogin = (c: AppContext, view: { next: string; username?: string; error?: string }, status: 200 | 401 | 403 | 429 = 200) => {
    // Reuse the browser's pending token: a second login page (another tab, a favicon redirect)
    // must not invalidate the form already on screen.
    const pending = getCookie(c, LOGIN_COOKIE);
    const formToken = pending && /^[A-Za-z0-9_-]{43}$/.test(pending) ? pending : randomToken();
    setCookie(c, LOGIN_COOKIE, formToken, { ...cookieBase, path: '/login', maxAge: 30 * 60 });
    c.header('Cache-Control', 'no-store');
    return c.html(loginPage({ formToken, ...view }), status);
  };

  app.get('/login', (c) => showLogin(c, { next: safeNext(c.req.query('next')) }));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const username = normalizeUsername(typeof form.username === 'string' ? form.username : '').slice(0, 100);
    const password = typeof form.password === 'string' ? form.password : '';
    if (!tokensEqual(getCookie(c, LOGIN_COOKIE), typeof form._csrf === 'string' ? form._csrf : undefined)) {
      return showLogin(c, { next, username, error: '登录页面已过期或来源不明，请重新输入用户名和密码。' }, 403);
    }
    const ip = clientIp(c, options);
    const wait = await loginRetryAfter(db, ip, username);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return showLogin(c, { next, username, error: `登录失败次数过多，请 ${Math.ceil(wait / 60)} 分钟后再试。如忘记密码，请联系管理员重置。` }, 429);
    }
    const user = username ? await findUserForLogin(db, username) : null;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    await recordLoginAttempt(db, ip, username, ok && user !== null);
    if (!ok || !user) return showLogin(c, { next, username, error: '用户名或密码错误。' }, 401);

    const session = await createSession(db, user.id, { ttlMinutes: options.sessionMinutes, ip, userAgent: c.req.header('user-agent') ?? null });
    await recordAudit(db, { id: user.id, username }, { action: 'login', target: `user:${username}` }, ip);
    deleteCookie(c, LOGIN_COOKIE, { path: '/login', secure: options.secureCookies });
    setCookie(c, SESSION_COOKIE, session.token, { ...cookieBase, path: '/', maxAge: options.sessionMinutes * 60 });
    return c.redirect(next, 303);
  });
}

/** Registered after the session and CSRF checks in app.ts, so signing out needs both. */
export function registerLogoutRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db, options } = deps;
  app.post('/logout', async (c) => {
    const viewer = c.get('viewer');
    await deleteSession(db, getCookie(c, SESSION_COOKIE));
    await recordAudit(db, viewer, { action: 'logout', target: `user:${viewer.username}` }, clientIp(c, options));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: options.secureCookies });
    return c.redirect('/login', 303);
  });
}
