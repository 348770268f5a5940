import crypto from 'node:crypto';

/** 32 random bytes, base64url: session ids and CSRF tokens. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What is stored for a session id: its SHA-256, so the table alone cannot sign anyone in. */
export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of two tokens (different lengths are simply unequal). */
export function tokensEqual(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
