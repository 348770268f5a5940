/**
 * A cookie-keeping HTTP client for the web tests: real requests to a real server on 127.0.0.1,
 * redirects not followed, so a test sees each 302/303 and its cookies.
 */
export class WebClient {
  readonly cookies = new Map<string, string>();
  /** Raw Set-Cookie headers of the last response, to check their attributes. */
  lastSetCookies: string[] = [];

  constructor(
    readonly base: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {}

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.base + path, { ...init, redirect: 'manual', headers: { ...this.extraHeaders, ...(cookie ? { cookie } : {}), ...init.headers } });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const c of this.lastSetCookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GET a page as a browser would (Accept: text/html). */
  page(path: string): Promise<Response> {
    return this.fetch(path, { headers: { accept: 'text/html' } });
  }

  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers } });
  }

  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } });
  }

  /** Fills and posts the sign-in form the way a browser does: its hidden token and the cookie that pairs with it. */
  async signIn(username: string, password: string): Promise<Response> {
    const form = await (await this.page('/login')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(form)?.[1];
    if (!token) throw new Error('no CSRF token on the login page');
    return this.postForm('/login', { _csrf: token, username, password, next: '/' });
  }

  /** The session's CSRF token, as pages carry it in <meta name="csrf-token">. */
  async csrfToken(): Promise<string> {
    const page = await (await this.page('/grids')).text();
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
    if (!token) throw new Error('no CSRF token on the page: not signed in?');
    return token;
  }
}
