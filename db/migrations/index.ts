import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';

// Migrations are imported, not read from a folder at run time, so the same list runs under tsx and
// vitest (kysely's folder provider imports .ts files outside both). Add a file, then a line here.
export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
};
