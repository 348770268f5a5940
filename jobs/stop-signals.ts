import type { Logger } from '../pipelines/logger.ts';

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * SIGTERM (systemd stop) or SIGINT (Ctrl-C) aborts the returned signal: the stage in progress finishes
 * (or its transaction rolls back) and the run stops at the next stage boundary. A second signal exits at
 * once, which is safe too: committed work stays and the next run completes the rest.
 * Returns the signal and a function that removes the handlers.
 */
export function stopOnSignals(log: Logger, what = 'the current stage'): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warn(`${name} again: exiting now; the next run completes the unfinished work`);
      process.exit(EXIT_CODES[name] ?? 1);
    }
    log.warn(`${name} received: finishing ${what}, then stopping (send ${name} again to stop at once)`);
    controller.abort(name);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  return { signal: controller.signal, dispose: () => signals.forEach((s) => process.off(s, onSignal)) };
}
