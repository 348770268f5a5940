import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Logs go to stderr so stdout stays for results (summaries, JSON lines). Pretty on a terminal,
 * JSON lines otherwise (cron, systemd, CI) so machines can read them.
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.GRIDLINK_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } },
    });
  }
  // Written synchronously: a run killed mid-stage (kill -9, OOM) must leave its last lines in the journal.
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}

/** For tests and library use: nothing is written. */
export const silentLogger: Logger = pino({ level: 'silent' });
