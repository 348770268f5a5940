import { formatShanghai } from './shanghai-time.ts';

/** Who holds the run lock, as far as another process can tell. */
export interface LockHolder {
  runId: number | null;
  runStartedAt: Date | null;
  pid: number;
  host: string;
  acquiredAt: Date;
}

/**
 * A second run was refused because another one holds the lock. The message names the run and says what
 * to do; `gridlink sync` exits non-zero with it.
 */
export class RunLockBusyError extends Error {
  constructor(
    readonly holder: LockHolder | null,
    where: string,
  ) {
    super(busyMessage(holder, where));
    this.name = 'RunLockBusyError';
  }
}

export function busyMessage(holder: LockHolder | null, where: string): string {
  const advice = 'Wait for it to finish ("gridlink status" shows it), or add --wait to start as soon as it ends.';
  if (!holder || holder.pid === 0) return `Another gridlink run holds the run lock on ${where}. ${advice}`;
  const who = `process ${holder.pid} on ${holder.host}`;
  if (holder.runId !== null) {
    return `Run #${holder.runId} is in progress (started ${formatShanghai(holder.runStartedAt ?? holder.acquiredAt)} Asia/Shanghai, ${who}) and holds the run lock on ${where}. ${advice}`;
  }
  return `The run lock on ${where} is held by ${who} since ${formatShanghai(holder.acquiredAt)} Asia/Shanghai (no run started yet). ${advice}`;
}
