import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';
import * as matching from './002-matching.ts';
import * as gridRules from './003-grid-rules.ts';
import * as operations from './004-operations.ts';
import * as pulls from './005-pulls.ts';
import * as web from './006-web.ts';
import * as carriedRows from './007-carried-rows.ts';
import * as roadPoints from './008-road-points.ts';
import * as rawHash from './009-raw-hash.ts';
import * as listLinkState from './010-list-link-state.ts';
import * as unitGolden from './011-unit-golden.ts';
import * as matchState from './012-match-state.ts';

// Migrations are imported, not read from a folder at run time, so the same list runs under tsx and
// vitest (kysely's folder provider imports .ts files outside both). Add a file, then a line here.
export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-matching': matching,
  '003-grid-rules': gridRules,
  '004-operations': operations,
  '005-pulls': pulls,
  '006-web': web,
  '007-carried-rows': carriedRows,
  '008-road-points': roadPoints,
  '009-raw-hash': rawHash,
  '010-list-link-state': listLinkState,
  '011-unit-golden': unitGolden,
  '012-match-state': matchState,
};
