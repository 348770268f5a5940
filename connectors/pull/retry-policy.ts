/** 429 and 5xx are the server's trouble and may pass; any other 4xx will not change by asking again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Longest Retry-After a pull waits for; a server asking for more is told "later" by failing now. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Retry-After as milliseconds to wait (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : Math.max(0, time - now);
}

/** Exponential backoff: backoffMs, 2×, 4×, … for the 1st, 2nd, 3rd retry. */
export function backoffDelay(retry: number, backoffMs: number): number {
  return backoffMs * 2 ** (retry - 1);
}
