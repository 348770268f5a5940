/** How often and how patiently to retry: delays grow by `factor` from `initialDelayMs` up to `maxDelayMs`. */
export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs?: number;
  factor?: number;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): exponential, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const delay = policy.initialDelayMs * (policy.factor ?? 2) ** (attempt - 1);
  return Math.min(delay, policy.maxDelayMs ?? Number.POSITIVE_INFINITY);
}

export interface RetryHooks {
  signal?: AbortSignal;
  onRetry?: (err: Error, attempt: number, delayMs: number) => void;
}

/** Thrown after the last attempt: says how many were made and what the last one ran into. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly last: Error,
  ) {
    super(attempts > 1 ? `${last.message} (gave up after ${attempts} attempts)` : last.message, { cause: last });
  }
}

/** Runs `work` until it succeeds or the attempts run out; an abort stops the waiting, not a running attempt. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (attempt >= policy.attempts || hooks.signal?.aborted) throw new RetriesExhaustedError(attempt, error);
      const delay = backoffDelay(attempt, policy);
      hooks.onRetry?.(error, attempt, delay);
      await sleep(delay, hooks.signal);
    }
  }
}

/** Resolves after `ms`, or at once when the signal aborts (the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
