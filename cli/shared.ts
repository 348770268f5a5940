import { InvalidArgumentError } from 'commander';
import { openDatabase, type Database } from '../db/connect.ts';

/** Where commands write their results; stderr carries logs. */
export interface CommandEnv {
  out: NodeJS.WritableStream;
}

export function isoDate(value: string): string {
  const time = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD, e.g. 2026-11-27');
  }
  return value;
}

export function positiveInt(value: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n <= 0 || String(n) !== value.trim()) throw new InvalidArgumentError('expected a whole number greater than 0');
  return n;
}

/** Opens the database of this environment (DATABASE_URL or the embedded folder), runs fn, always closes. */
export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
