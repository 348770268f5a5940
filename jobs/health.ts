/** What the scheduler process knows about itself, kept in memory so /healthz never waits on the database. */
export interface HealthState {
  startedAt: Date;
  lastSuccess: { runId: number; finishedAt: Date } | null;
  running: { job: string; runId: number | null; startedAt: Date } | null;
  /** Jobs whose last execution failed, with the error and since when they fail. */
  failing: Map<string, { error: string; since: Date }>;
}

export interface HealthReport {
  ok: boolean;
  body: {
    status: 'ok' | 'stale' | 'no_successful_run';
    last_success: { run_id: number; finished_at: string; age_seconds: number } | null;
    max_age_seconds: number;
    running: { job: string; run_id: number | null; started_at: string } | null;
    failing: { job: string; error: string; since: string }[];
    scheduler: { pid: number; started_at: string };
  };
}

export function newHealthState(): HealthState {
  return { startedAt: new Date(), lastSuccess: null, running: null, failing: new Map() };
}

/**
 * Healthy while the last successful run is younger than the allowed age: an outside monitor alerts on 503
 * when the nightly sync stopped happening. A failing agency shows in `failing` but does not make it 503,
 * since the rest of the data still flows (the run was partial, not missing).
 */
export function healthReport(state: HealthState, maxAgeSeconds: number, now: Date = new Date()): HealthReport {
  const age = state.lastSuccess ? Math.max(0, Math.round((now.getTime() - state.lastSuccess.finishedAt.getTime()) / 1000)) : null;
  const status = age === null ? 'no_successful_run' : age > maxAgeSeconds ? 'stale' : 'ok';
  return {
    ok: status === 'ok',
    body: {
      status,
      last_success: state.lastSuccess && age !== null ? { run_id: state.lastSuccess.runId, finished_at: state.lastSuccess.finishedAt.toISOString(), age_seconds: age } : null,
      max_age_seconds: maxAgeSeconds,
      running: state.running ? { job: state.running.job, run_id: state.running.runId, started_at: state.running.startedAt.toISOString() } : null,
      failing: [...state.failing].map(([job, f]) => ({ job, error: f.error, since: f.since.toISOString() })),
      scheduler: { pid: process.pid, started_at: state.startedAt.toISOString() },
    },
  };
}
