import fs from 'node:fs';
import path from 'node:path';
import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { AGENCIES } from './feeds.ts';

/** The bureau works on Beijing time; a server set to UTC must still sync at 02:00 local. */
export const TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_SYNC_CRON = '0 2 * * *';
export const DEFAULT_POLL_CRON = '*/5 * * * *';

const CRON_EXAMPLES = '"0 2 * * *" (02:00 every day) or "*/5 * * * *" (every 5 minutes); fields: minute hour day-of-month month day-of-week';

/** Why a cron expression is wrong, in words that say what a right one looks like; null when it is valid. */
export function cronProblem(expression: string): string | null {
  const check = validateDetailed(expression);
  if (check.valid) return null;
  const why = check.errors.map((e) => e.message).join('; ');
  return `"${expression}" is not a valid cron expression (${why}). A valid one looks like ${CRON_EXAMPLES}`;
}

const cron = () =>
  z.string().trim().superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `${NAME}` in a header value is read from the environment, so tokens stay out of the config file. */
const headerValue = z.string().transform((value, ctx) =>
  value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = process.env[name];
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: `environment variable ${name} is not set (the header refers to \${${name}}); set it in the service's environment` });
      return '';
    }
    return v;
  }),
);

export const pullConfigSchema = z.strictObject({
  agency: z.enum(AGENCIES, { error: `agency must be one of ${AGENCIES.join(', ')}` }),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// address' }),
  headers: z.record(z.string(), headerValue).optional(),
  /** Its own schedule; without one the agency is pulled only before the nightly sync. */
  cron: cron().optional(),
  /** Name of the file in inbox/<agency>/ (default: taken from the response). */
  fileName: z.string().min(1).optional(),
});

export const schedulerConfigSchema = z.strictObject({
  inbox: z.string().min(1, 'inbox: the folder with one sub-folder per agency'),
  /** Move loaded files to _archive/ (the default), as `gridlink sync` does. */
  archive: z.boolean().default(true),
  timezone: z.literal(TIMEZONE, { error: `timezone is fixed to ${TIMEZONE}: the grid works on Beijing time` }).default(TIMEZONE),
  sync: z.strictObject({ cron: cron().default(DEFAULT_SYNC_CRON) }).prefault({}),
  poll: z.strictObject({ cron: cron().default(DEFAULT_POLL_CRON), enabled: z.boolean().default(true) }).prefault({}),
  pulls: z.array(pullConfigSchema).default([]),
  /** How many agencies are pulled at once. */
  pullConcurrency: z.int().min(1).max(16).default(3),
  /**
   * Retries of a whole pull after the transport's own retries gave up: an agency's server that is down
   * for minutes, not a dropped packet.
   */
  pullRetry: z
    .strictObject({ attempts: z.int().min(1).max(10).default(2), delaySeconds: z.number().min(0).max(3600).default(60) })
    .prefault({}),
  health: z
    .strictObject({
      /** null turns the endpoint off; 0 takes any free port (logged at start). */
      port: z.int().min(0).max(65535).nullable().default(8081),
      host: z.string().default('127.0.0.1'),
      /** /healthz answers 503 when the last successful run is older than this. */
      maxAgeHours: z.number().positive().default(26),
    })
    .prefault({}),
});

export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;
export type PullConfig = z.infer<typeof pullConfigSchema>;
export type SchedulerConfigInput = z.input<typeof schedulerConfigSchema>;

/** Thrown for a config that cannot be used; the message names the file, the entry and what to write instead. */
export class ConfigError extends Error {}

export function parseSchedulerConfig(input: unknown, source = 'the scheduler config'): SchedulerConfig {
  const parsed = schedulerConfigSchema.safeParse(input);
  if (parsed.success) {
    const duplicate = parsed.data.pulls.map((p) => p.agency).find((a, i, all) => all.indexOf(a) !== i);
    if (duplicate) throw new ConfigError(`${source}: pulls lists agency "${duplicate}" twice; keep one entry per agency`);
    return parsed.data;
  }
  const lines = parsed.error.issues.map((issue) => `  ${entryName(issue.path, input)}: ${issue.message}`);
  throw new ConfigError(`${source} is not valid:\n${lines.join('\n')}`);
}

/** `pulls[1] (tax).cron` rather than `pulls.1.cron`: the entry a person has to find in the file. */
function entryName(at: PropertyKey[], input: unknown): string {
  if (at.length === 0) return '(top level)';
  let name = '';
  at.forEach((part, i) => {
    name += typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`;
    if (i === 1 && at[0] === 'pulls' && typeof part === 'number') {
      const agency = (input as { pulls?: { agency?: unknown }[] })?.pulls?.[part]?.agency;
      if (typeof agency === 'string') name += ` (${agency})`;
    }
  });
  return name;
}

/** Reads a JSON config file; relative inbox paths are taken from the file's folder. */
export function loadSchedulerConfig(file: string, overrides: Partial<SchedulerConfigInput> = {}): SchedulerConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the scheduler config ${file}: ${(err as Error).message}. Copy deploy/gridlink.example.json there and edit it.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const merged = { ...(raw as Record<string, unknown>), ...stripUndefined(overrides) };
  const config = parseSchedulerConfig(merged, file);
  return { ...config, inbox: path.resolve(path.dirname(path.resolve(file)), config.inbox) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
