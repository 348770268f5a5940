// Query parameters whose values are secrets by their name: kept out of logs, errors and the database.
const SECRET_PARAM = /token|key|secret|pass|sig|auth|credential/i;

/** The URL as it may be shown and stored: no user name or password, secret-looking parameters masked. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  u.username = '';
  u.password = '';
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) u.searchParams.set(name, '***');
  }
  return u.toString();
}

/**
 * The URL of the next request. Convention with the agencies' servers: a server that sends an
 * `X-Next-Cursor` header gets it back as `cursor=<value>`; otherwise a server that sent
 * `Last-Modified` gets `since=<that instant, ISO 8601>`. Either way the conditional headers
 * (If-None-Match, If-Modified-Since) go too, and an answer of 304 or 204 means "nothing newer".
 */
export function requestUrl(url: string, state: { cursor: string | null; last_modified: string | null } | undefined): URL {
  const u = new URL(url);
  if (state?.cursor) {
    u.searchParams.set('cursor', state.cursor);
  } else if (state?.last_modified) {
    const time = Date.parse(state.last_modified);
    if (!Number.isNaN(time)) u.searchParams.set('since', new Date(time).toISOString());
  }
  return u;
}
