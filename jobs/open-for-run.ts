import { defaultDataDir, openDatabase, type Database } from '../db/connect.ts';
import type { Logger } from '../pipelines/logger.ts';
import { embeddedHolder } from './embedded-holder.ts';
import { RunLockBusyError } from './lock-holder.ts';
import { sleep } from './retry.ts';

export interface OpenForRunOptions {
  wait?: boolean;
  pollMs?: number;
  signal?: AbortSignal;
  log?: Logger;
}

/**
 * Opens the database for a run. On PostgreSQL the run lock decides later who runs. An embedded folder can
 * be open in one process only, so a second process cannot even reach the lock: it reads who holds the
 * folder (and which run) from the files beside it, then refuses naming that run, or waits for it.
 */
export async function openDatabaseForRun(options: OpenForRunOptions = {}): Promise<Database> {
  if (process.env.DATABASE_URL) return openDatabase();
  const dataDir = defaultDataDir();
  let told = false;
  for (;;) {
    const holder = embeddedHolder(dataDir);
    if (!holder) {
      try {
        return await openDatabase();
      } catch (err) {
        // Another process took the folder between the look and the open: treat it as busy.
        if (!embeddedHolder(dataDir)) throw err;
        continue;
      }
    }
    const where = `embedded database ${dataDir}` + (holder.runId === null ? ' (a "gridlink schedule" or "gridlink serve" process keeps it open; with the embedded database they must run the sync themselves, or use PostgreSQL via DATABASE_URL)' : '');
    if (!options.wait) throw new RunLockBusyError(holder, where);
    if (options.signal?.aborted) throw new Error(`Stopped while waiting for process ${holder.pid} to release ${dataDir}; nothing was done.`);
    if (!told) {
      options.log?.info({ holder }, holder.runId ? `waiting for run #${holder.runId} (process ${holder.pid}) to finish` : `waiting for process ${holder.pid} to release ${dataDir}`);
      told = true;
    }
    await sleep(options.pollMs ?? 1000, options.signal);
  }
}
