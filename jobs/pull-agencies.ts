import pLimit from 'p-limit';
import type { Database } from '../db/connect.ts';
import type { Logger } from '../pipelines/logger.ts';
import type { PullConfig } from '../schemas/config.ts';
import type { Agency } from '../schemas/feeds.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

/** What a transport reports for one agency (connectors/http-pull.ts `pullAgency` has this shape). */
export interface PullOutcome {
  agency: Agency;
  status: 'new_file' | 'not_modified';
  file?: string;
  bytes?: number;
}

/** Downloads one agency's file into inbox/<agency>/ atomically; throws with a clear message when it cannot. */
export type PullFn = (database: Database, config: PullConfig, inbox: string, log: Logger) => Promise<PullOutcome>;

export type PullResult = PullOutcome | { agency: Agency; status: 'failed'; error: string; attempts: number };

export interface PullPlan {
  configs: PullConfig[];
  pull: PullFn;
  /** Agencies pulled at once (p-limit). */
  concurrency?: number;
  /** Retries of a whole pull, on top of the transport's own retries. */
  retry?: RetryPolicy;
}

/**
 * Pulls every configured agency, a few at a time. One agency failing never stops the others: its result
 * says why, and the run goes on with what did arrive.
 */
export async function pullAgencies(database: Database, plan: PullPlan, inbox: string, log: Logger, signal?: AbortSignal): Promise<PullResult[]> {
  const limit = pLimit(plan.concurrency ?? 3);
  const retry = plan.retry ?? { attempts: 1, initialDelayMs: 0 };
  return Promise.all(
    plan.configs.map((config) =>
      limit(async (): Promise<PullResult> => {
        const agencyLog = log.child({ agency: config.agency });
        let attempts = 0;
        try {
          const outcome = await withRetry(
            async (attempt) => {
              attempts = attempt;
              return plan.pull(database, config, inbox, agencyLog);
            },
            retry,
            {
              signal,
              onRetry: (err, attempt, delayMs) => agencyLog.warn({ err: err.message, attempt, delayMs }, `pull of ${config.agency} failed; trying again in ${Math.round(delayMs / 1000)} s`),
            },
          );
          agencyLog.info({ status: outcome.status, file: outcome.file, bytes: outcome.bytes }, `pull of ${config.agency}: ${outcome.status}`);
          return outcome;
        } catch (err) {
          const error = (err as Error).message;
          agencyLog.error({ err: error, attempts }, `pull of ${config.agency} failed`);
          return { agency: config.agency, status: 'failed', error, attempts };
        }
      }),
    ),
  );
}

/** One line per failed agency, for runs.stage.error and `gridlink status`. */
export function describePullFailures(results: PullResult[]): string | null {
  const failed = results.filter((r): r is Extract<PullResult, { status: 'failed' }> => r.status === 'failed');
  if (failed.length === 0) return null;
  return failed.map((f) => `${f.agency}: ${f.error}`).join('\n');
}
