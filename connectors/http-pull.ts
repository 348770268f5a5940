import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Database } from '../db/connect.ts';
import type { Logger } from '../pipelines/logger.ts';
import { AGENCIES, isAgency, type Agency } from '../schemas/feeds.ts';
import { readPullState, savePullState, type PullState } from './pull/pull-state.ts';
import { redactUrl, requestUrl } from './pull/pull-url.ts';
import { defaultFileName, fileNameFromDisposition, safeFileName } from './pull/response-file-name.ts';
import { backoffDelay, isRetryableStatus, MAX_RETRY_AFTER_MS, parseRetryAfter } from './pull/retry-policy.ts';

/**
 * One agency's export served over HTTP. What the server answers is a full register of the agency,
 * like a file dropped in the inbox; the pull only spares downloading it again when nothing changed.
 *
 * Conventions with the server (see pull/pull-url.ts): the ETag and Last-Modified of the last file
 * come back as If-None-Match and If-Modified-Since; an `X-Next-Cursor` header is stored and sent
 * back as `?cursor=`, or else the Last-Modified instant as `?since=`. 304 or 204 means "nothing
 * newer"; 200 is a new file, named by Content-Disposition, else `fileName`, else `<agency>-<YYYYMMDD>.csv`.
 */
export interface PullConfig {
  agency: Agency;
  url: string;
  headers?: Record<string, string>;
  cron?: string;
  fileName?: string;
}

export interface PullResult {
  agency: Agency;
  status: 'new_file' | 'not_modified';
  /** Path of the new file in inbox/<agency>/. */
  file?: string;
  bytes?: number;
}

export interface PullOptions {
  /** Attempts after the first one, on network errors, 429 and 5xx (default 3). */
  retries?: number;
  /** Wait before the first retry, doubled for each further one (default 1,000 ms). */
  backoffMs?: number;
  fetchImpl?: typeof fetch;
}

// Until the response headers arrive; the body then streams for as long as it keeps coming.
const HEADERS_TIMEOUT_MS = 60_000;

class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

interface Fetched {
  result: PullResult;
  headers: Headers;
}

/**
 * Fetches the agency's export into `inbox/<agency>/` if the server has something newer than the
 * last pull, streaming it to a `.part` file that is renamed when complete, so ingest never sees half
 * a file. Network errors, 429 and 5xx are retried with exponential backoff (Retry-After honoured);
 * after the last attempt the error names the agency, the URL (without credentials) and the cause,
 * and is recorded in staging.pull_state.
 */
export async function pullAgency(database: Database, config: PullConfig, inbox: string, log: Logger, options: PullOptions = {}): Promise<PullResult> {
  const { db } = database;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const fetchImpl = options.fetchImpl ?? fetch;
  if (!isAgency(config.agency)) {
    throw new Error(`Unknown agency "${config.agency}" in a pull configuration: use one of ${AGENCIES.join(', ')}.`);
  }
  const shownUrl = redactUrl(config.url);
  if (!/^https?:$/.test(safeProtocol(config.url))) {
    throw new Error(`The pull URL of ${config.agency} (${shownUrl}) is not an http:// or https:// URL: fix it in the pull configuration.`);
  }
  const state = await readPullState(db, config.agency, shownUrl);
  const pullLog = log.child({ agency: config.agency, url: shownUrl });

  for (let attempt = 1; ; attempt++) {
    const attemptAt = new Date();
    let fetched: Fetched;
    try {
      fetched = await fetchOnce(config, inbox, state, fetchImpl);
    } catch (err) {
      const failure = err instanceof AttemptFailure ? err : new AttemptFailure(describeError(err), false);
      const wait = failure.retryAfterMs ?? backoffDelay(attempt, backoffMs);
      let cause = failure.message;
      let retry = failure.retryable && attempt <= retries;
      if (retry && wait > MAX_RETRY_AFTER_MS) {
        cause += ` (the server asks to come back in ${Math.round(wait / 1000)} s, longer than a pull waits)`;
        retry = false;
      }
      if (!retry) {
        const message = `Pull of ${config.agency} from ${shownUrl} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${cause}. ${advice(failure)}`;
        await savePullState(db, config.agency, shownUrl, { last_status: 'failed', last_error: message, attempts: attempt, last_attempt_at: attemptAt });
        pullLog.error({ attempts: attempt }, message);
        throw new Error(message, { cause: err });
      }
      pullLog.warn({ attempt, cause, retry_in_ms: wait }, 'pull attempt failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, wait));
      continue;
    }
    const { result, headers } = fetched;
    await savePullState(db, config.agency, shownUrl, {
      ...validators(headers, state, result.status),
      last_status: result.status,
      last_error: null,
      ...(result.status === 'new_file' ? { last_file: path.basename(result.file!), last_bytes: result.bytes! } : {}),
      attempts: attempt,
      last_attempt_at: attemptAt,
      last_success_at: new Date(),
    });
    pullLog.info({ status: result.status, file: result.file, bytes: result.bytes, attempts: attempt }, result.status === 'new_file' ? 'pulled a new file' : 'nothing new to pull');
    return result;
  }
}

async function fetchOnce(config: PullConfig, inbox: string, state: PullState | undefined, fetchImpl: typeof fetch): Promise<Fetched> {
  const url = requestUrl(config.url, state);
  const headers = new Headers(config.headers);
  // fetch refuses URLs with user:password@; they become the Basic credentials they stand for.
  if (url.username || url.password) {
    if (!headers.has('authorization')) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.set('Authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`);
    }
    url.username = '';
    url.password = '';
  }
  if (state?.etag) headers.set('If-None-Match', state.etag);
  if (state?.last_modified) headers.set('If-Modified-Since', state.last_modified);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no response within ${HEADERS_TIMEOUT_MS / 1000} s`)), HEADERS_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    throw new AttemptFailure(`network error: ${describeError(err)}`, true);
  } finally {
    clearTimeout(timer);
  }

  if (response.status === 304 || response.status === 204) {
    await response.body?.cancel().catch(() => {});
    return { result: { agency: config.agency, status: 'not_modified' }, headers: response.headers };
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    throw new AttemptFailure(status, isRetryableStatus(response.status), parseRetryAfter(response.headers.get('retry-after')), response.status);
  }

  const dir = path.join(inbox, config.agency);
  fs.mkdirSync(dir, { recursive: true });
  const name =
    fileNameFromDisposition(response.headers.get('content-disposition')) ??
    (config.fileName ? safeFileName(config.fileName) : null) ??
    defaultFileName(config.agency, response.headers.get('content-type'));
  const target = freePath(dir, name);
  // The inbox skips *.part names: the file appears under its own name only once complete.
  const part = `${target}.part`;
  try {
    const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    await pipeline(body, fs.createWriteStream(part));
  } catch (err) {
    fs.rmSync(part, { force: true });
    throw new AttemptFailure(`download interrupted: ${describeError(err)}`, true);
  }
  const bytes = fs.statSync(part).size;
  const expected = response.headers.get('content-length');
  if (expected !== null && !response.headers.get('content-encoding') && Number(expected) !== bytes) {
    fs.rmSync(part, { force: true });
    throw new AttemptFailure(`download incomplete: ${bytes} of ${expected} bytes`, true);
  }
  fs.renameSync(part, target);
  return { result: { agency: config.agency, status: 'new_file', file: target, bytes }, headers: response.headers };
}

/** The validators to send next time: what this answer carried, else (on 304) what we had. */
function validators(headers: Headers, state: PullState | undefined, status: PullResult['status']) {
  const keep = status === 'not_modified';
  return {
    etag: headers.get('etag') ?? (keep ? (state?.etag ?? null) : null),
    last_modified: headers.get('last-modified') ?? (keep ? (state?.last_modified ?? null) : null),
    cursor: headers.get('x-next-cursor') ?? (keep ? (state?.cursor ?? null) : null),
  };
}

/** `name`, or `name-2.ext`, `name-3.ext`, … when a file of that name still waits in the inbox. */
function freePath(dir: string, name: string): string {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let candidate = path.join(dir, name);
  for (let n = 2; fs.existsSync(candidate); n++) candidate = path.join(dir, `${stem}-${n}${ext}`);
  return candidate;
}

function advice(failure: AttemptFailure): string {
  if (failure.status === 401 || failure.status === 403) return 'Check the credentials in the pull headers with the agency.';
  if (failure.status === 404 || failure.status === 410) return 'Check the URL with the agency: the export is not there.';
  if (failure.status !== null && failure.status < 500 && failure.status !== 429) return 'The server refused the request: check the URL and headers with the agency.';
  if (failure.retryable) return "The next scheduled pull tries again; if it keeps failing, check the network and the agency's server.";
  return 'Check the pull configuration and the inbox folder.';
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  if (cause && typeof cause === 'object') {
    const detail = [cause.code, cause.message].filter(Boolean).join(' ');
    if (detail) return detail;
  }
  return err.message;
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
