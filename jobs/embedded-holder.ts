import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LockHolder } from './lock-holder.ts';

// An embedded (PGlite) data folder can be open in one process only (db/data-dir-lock.ts writes its pid to
// gridlink.pid). Another process cannot read the database to learn which run is going on, so the holder
// of the run lock also writes the run to a file beside it.
const PID_FILE = 'gridlink.pid';
const RUN_FILE = 'gridlink-run.json';

interface RunFile {
  pid: number;
  host: string;
  runId: number | null;
  runStartedAt: string | null;
  acquiredAt: string;
}

export function writeEmbeddedRun(dataDir: string, holder: LockHolder): void {
  const body: RunFile = {
    pid: holder.pid,
    host: holder.host,
    runId: holder.runId,
    runStartedAt: holder.runStartedAt?.toISOString() ?? null,
    acquiredAt: holder.acquiredAt.toISOString(),
  };
  const file = path.join(dataDir, RUN_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(body)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

export function clearEmbeddedRun(dataDir: string): void {
  fs.rmSync(path.join(dataDir, RUN_FILE), { force: true });
}

/**
 * The live process that has the embedded data folder open, with the run it is doing if any; null when the
 * folder is free (no pid file, or the process that wrote it is gone).
 */
export function embeddedHolder(dataDir: string): LockHolder | null {
  let pid: number;
  let since: Date;
  try {
    const pidFile = path.join(dataDir, PID_FILE);
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    since = fs.statSync(pidFile).mtime;
  } catch {
    return null;
  }
  if (!pid || pid === process.pid || !isAlive(pid)) return null;
  const holder: LockHolder = { runId: null, runStartedAt: null, pid, host: os.hostname(), acquiredAt: since };
  try {
    const run = JSON.parse(fs.readFileSync(path.join(dataDir, RUN_FILE), 'utf8')) as RunFile;
    // A run file left by a killed process names a run that is over; only the live holder's counts.
    if (run.pid === pid) {
      holder.runId = run.runId;
      holder.runStartedAt = run.runStartedAt ? new Date(run.runStartedAt) : null;
      holder.acquiredAt = new Date(run.acquiredAt);
    }
  } catch {
    // No run file: the folder is open (a scheduler or web server between runs), but no run holds the lock.
  }
  return holder;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
