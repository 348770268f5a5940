import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths.ts';

/** One pino JSON line of a child's stderr. */
export interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface GridlinkProcess {
  child: ChildProcess;
  /** The first log line (already written or still to come) that satisfies the predicate. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<Exit>;
}

/**
 * Runs `node bin/gridlink.js ARGS` as a real child process. `env` entries set to undefined are removed,
 * e.g. DATABASE_URL for a child that must use the embedded database. Logs are JSON on stderr (no TTY).
 */
export function spawnGridlink(args: string[], env: Record<string, string | undefined>): GridlinkProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, GRIDLINK_LOG_LEVEL: 'info' };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/gridlink.js'), ...args], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const lines: LogLine[] = [];
  const waiters: { predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    partial += d;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const text = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.predicate(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    exited,
    waitForLog(predicate, timeoutMs = 90_000) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr so far:\n${stderr.slice(-3000)}`)), timeoutMs);
        void exited.then((e) => {
          clearTimeout(timer);
          reject(new Error(`gridlink exited (code ${e.code}, signal ${e.signal}) before the awaited log line; stderr:\n${e.stderr.slice(-3000)}`));
        });
        waiters.push({
          predicate,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

/** Counts matching lines: resolves on the n-th one. */
export function nth(n: number, predicate: (line: LogLine) => boolean): (line: LogLine) => boolean {
  let seen = 0;
  return (line) => predicate(line) && ++seen === n;
}
