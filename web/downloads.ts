import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { exportRegister, exportReports } from '../pipelines/publish/exports.ts';

export type DownloadKind = 'register' | 'reports';
export type DownloadFormat = 'csv' | 'xlsx';

const CONTENT_TYPES: Record<DownloadFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
const TITLES: Record<DownloadKind, string> = { register: '用人单位名册', reports: '重点监管报告' };

export interface Download {
  body: Buffer;
  contentType: string;
  /** RFC 6266 header with an ASCII fallback and the Chinese name for browsers that read filename*. */
  disposition: string;
  rows: number;
}

/**
 * A grid's register or report book, written by the same export functions as `gridlink export` (so the
 * page and the command give the same file), through a temporary file that is removed afterwards.
 */
export async function gridDownload(db: Kysely<DB>, kind: DownloadKind, grid: string | null, format: DownloadFormat): Promise<Download> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridlink-dl-'));
  const file = path.join(dir, `${kind}.${format}`);
  try {
    const rows = kind === 'register' ? await exportRegister(db, file, grid) : await exportReports(db, file, grid);
    const body = await fs.readFile(file);
    const ascii = `${kind}-${grid ?? 'all'}.${format}`;
    const chinese = `${grid ?? '全市'}-${TITLES[kind]}.${format}`;
    return { body, rows, contentType: CONTENT_TYPES[format], disposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(chinese)}` };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
