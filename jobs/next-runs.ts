import { createTask } from 'node-cron';
import { TIMEZONE } from '../schemas/config.ts';

/** The next times a cron expression fires, in real instants (the expression is read on Beijing time). */
export function nextRuns(expression: string, count = 1, timezone = TIMEZONE): Date[] {
  // A task that is never started only answers the question; destroying it takes it out of node-cron's registry.
  const task = createTask(expression, () => undefined, { timezone });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}
