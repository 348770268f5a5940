/**
 * Bulk writes with their foreign keys checked by one query per key instead of one trigger call per row.
 *
 * PostgreSQL checks a foreign key with a trigger that runs a lookup for every row written: about 10 µs
 * a row and a key, so half a million memberships with three keys spend most of their write in these
 * lookups (measured: 28 s with the triggers, 6 s without, 1 s to check the same rows by anti-join).
 * Inside `work`, the transaction runs with `session_replication_role = replica`, under which
 * PostgreSQL fires no foreign-key triggers; afterwards every foreign key of the tables named is checked
 * over the rows in scope, and a row pointing at nothing fails the transaction with what it points at.
 *
 * Nothing is locked beyond what the writes lock (dropping and re-adding the constraints, the textbook
 * bulk-load recipe, would lock the referenced tables — runs.run among them — against every reader).
 * Setting the role needs a superuser (PGlite's user is one; so is the usual local PostgreSQL); for
 * any other role the triggers simply stay on: slower, equally correct.
 *
 * Under `replica` no ordinary trigger fires, only those marked ENABLE ALWAYS: gridlink's schema has no
 * triggers of its own, and a site adding one to a table written here must mark it so.
 *
 * `work` may insert and update, and delete only rows nothing refers to: with the triggers off, a deleted
 * row that other rows still point at would go unnoticed unless its referrers were in scope.
 */
import { CompiledQuery } from 'kysely';
import type { StagingConnection } from '../pipelines/ingest/staging-connection.ts';

export interface ForeignKeyScope {
  /** schema-qualified table whose foreign keys are checked */
  table: string;
  /** the rows the write may have touched, as a condition on alias `t` (all rows when absent) */
  where?: string;
  parameters?: unknown[];
}

interface ForeignKey {
  name: string;
  parent: string;
  columns: string[];
  parentColumns: string[];
}

const raw = (text: string, parameters: unknown[] = []) => CompiledQuery.raw(text, parameters);

/** Runs `work` in the connection's transaction with foreign keys checked by set afterwards (see above). */
export async function withForeignKeysCheckedBySet<T>(conn: StagingConnection, scopes: readonly ForeignKeyScope[], work: () => Promise<T>): Promise<T> {
  const [role] = await conn.run(raw(`select current_setting('is_superuser') = 'on' as superuser`));
  if (!(role as { superuser: boolean } | undefined)?.superuser) return work();
  // SET LOCAL: a rollback (work failing) or the commit puts the role back by itself.
  await conn.run(raw('set local session_replication_role = replica'));
  const result = await work();
  await conn.run(raw('set local session_replication_role = origin'));
  for (const scope of scopes) await checkForeignKeys(conn, scope);
  return result;
}

/** Throws if a row in scope refers to a row its foreign key's table does not hold. */
export async function checkForeignKeys(conn: StagingConnection, scope: ForeignKeyScope): Promise<void> {
  for (const key of await foreignKeysOf(conn, scope.table)) {
    const present = key.columns.map((c) => `t.${c} is not null`).join(' and ');
    const joined = key.columns.map((c, i) => `p.${key.parentColumns[i]} = t.${c}`).join(' and ');
    const orphans = await conn.run(
      raw(
        `select ${key.columns.map((c) => `t.${c}::text`).join(', ')} from only ${scope.table} t
         where ${present}${scope.where ? ` and (${scope.where})` : ''}
           and not exists (select 1 from only ${key.parent} p where ${joined})
         limit 3`,
        scope.parameters ?? [],
      ),
    );
    if (orphans.length > 0) {
      const examples = orphans.map((o) => Object.values(o as Record<string, unknown>).join('/')).join(', ');
      throw new Error(
        `Foreign key ${key.name} broken: ${scope.table} (${key.columns.join(', ')}) refers to rows ${key.parent} does not hold ` +
          `(for example ${examples}); the write was rolled back. This is a bug in the stage that wrote them — report it with the run's log.`,
      );
    }
  }
}

async function foreignKeysOf(conn: StagingConnection, table: string): Promise<ForeignKey[]> {
  const rows = await conn.run(
    raw(
      `select c.conname as name, c.confrelid::regclass::text as parent,
              array(select quote_ident(a.attname) from unnest(c.conkey) with ordinality k(n, i)
                    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as columns,
              array(select quote_ident(a.attname) from unnest(c.confkey) with ordinality k(n, i)
                    join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as parent_columns
         from pg_constraint c
        where c.contype = 'f' and c.conrelid = $1::regclass
        order by c.conname`,
      [table],
    ),
  );
  return (rows as { name: string; parent: string; columns: string[]; parent_columns: string[] }[]).map((r) => ({
    name: r.name,
    parent: r.parent,
    columns: r.columns,
    parentColumns: r.parent_columns,
  }));
}
