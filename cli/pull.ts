import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { pullAgency } from '../connectors/http-pull.ts';
import { forgetPullState } from '../connectors/pull/pull-state.ts';
import { redactUrl } from '../connectors/pull/pull-url.ts';
import { createLogger } from '../pipelines/logger.ts';
import { AGENCIES, isAgency, type Agency } from '../schemas/feeds.ts';
import { positiveInt, withDatabase, type CommandEnv } from './shared.ts';

function agency(value: string): Agency {
  if (!isAgency(value)) throw new InvalidArgumentError(`expected one of ${AGENCIES.join(', ')}`);
  return value;
}

function header(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('expected "Name: value", e.g. "Authorization: Bearer …"');
  return { ...previous, [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() };
}

function nonNegativeInt(value: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 0 || String(n) !== value.trim()) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}

interface PullOptions {
  agency: Agency;
  url: string;
  inbox: string;
  header?: Record<string, string>;
  fileName?: string;
  retries: number;
  backoffMs: number;
  force?: boolean;
}

/** `gridlink pull`: one agency's export over HTTP into the inbox; `gridlink pull-state`: what each pull last got. */
export function registerPullCommands(program: Command, env: CommandEnv): void {
  program
    .command('pull')
    .description("download an agency's export over HTTP into INBOX/<agency>/ when the server has a newer one")
    .requiredOption('--agency <agency>', `agency folder to fill (${AGENCIES.join(', ')})`, agency)
    .requiredOption('--url <url>', 'http(s) address of the export; user:password@ becomes Basic authentication')
    .requiredOption('--inbox <dir>', 'inbox folder with one sub-folder per agency')
    .option('-H, --header <"Name: value">', 'request header, repeatable', header)
    .option('--file-name <name>', 'file name when the server sends none (default <agency>-<YYYYMMDD>.csv)')
    .option('--retries <n>', 'retries on network errors, 429 and 5xx', nonNegativeInt, 3)
    .option('--backoff-ms <ms>', 'wait before the first retry, doubled each time', positiveInt, 1000)
    .option('--force', 'forget the stored ETag, Last-Modified and cursor and download the file again')
    .action(async (opts: PullOptions) => {
      const log = createLogger();
      const inbox = path.resolve(opts.inbox);
      const result = await withDatabase(async (database) => {
        if (opts.force) await forgetPullState(database.db, opts.agency, redactUrl(opts.url));
        return pullAgency(
          database,
          { agency: opts.agency, url: opts.url, ...(opts.header ? { headers: opts.header } : {}), ...(opts.fileName ? { fileName: opts.fileName } : {}) },
          inbox,
          log,
          { retries: opts.retries, backoffMs: opts.backoffMs },
        );
      });
      env.out.write(
        result.status === 'new_file'
          ? `${result.agency}: new file ${result.file} (${result.bytes} bytes); run "gridlink sync --inbox ${opts.inbox}" to load it\n`
          : `${result.agency}: not modified since the last pull\n`,
      );
    });

  program
    .command('pull-state')
    .description('what each HTTP pull last got: validators, cursor, outcome, last error')
    .action(async () => {
      const rows = await withDatabase((database) => database.db.selectFrom('staging.pull_state').selectAll().orderBy('agency').orderBy('url').execute());
      if (rows.length === 0) {
        env.out.write('no HTTP pull has run yet\n');
        return;
      }
      for (const r of rows) {
        const when = r.last_success_at ? r.last_success_at.toISOString() : 'never';
        env.out.write(`${r.agency}  ${r.url}\n  last: ${r.last_status ?? '-'} after ${r.attempts} attempt(s); last success ${when}\n`);
        if (r.last_file) env.out.write(`  file: ${r.last_file} (${r.last_bytes} bytes)\n`);
        if (r.etag || r.last_modified || r.cursor) env.out.write(`  etag: ${r.etag ?? '-'}  last-modified: ${r.last_modified ?? '-'}  cursor: ${r.cursor ?? '-'}\n`);
        if (r.last_status === 'failed' && r.last_error) env.out.write(`  error: ${r.last_error}\n`);
      }
    });
}
