import pg from 'pg';
import { AppError } from '../shared/errors.js';
import type { Queryable, TableRef } from './target-database.js';

/**
 * Refuses one of chronops's own tables (`protectedTables`: unqualified names resolve through the
 * search_path, like `audit_log`; qualified ones are taken as written, like `drizzle.__drizzle_migrations`).
 * Compared by catalog identity (schema + name), resolved in every database given — the target database
 * and chronops's own — so `public.audit_log`, `"audit_log"` or a search_path that leads there are all
 * refused, whichever database the table resolves in: a clean-up of audit_log would erase the audit trail.
 */
export async function refuseChronopsTable(
  databases: readonly Queryable[],
  table: TableRef,
  protectedTables: readonly string[],
  field: string,
): Promise<void> {
  if (protectedTables.length === 0) return;
  const identity = `${table.schema}.${table.name}`;
  if (!(await chronopsTableIdentities(databases, protectedTables)).has(identity)) return;
  const hint = table.name === 'task_executions' ? ' Use the execution_history mode to prune executions.' : '';
  throw new AppError(
    'invalid_params',
    `${field}: "${table.name}" is chronops' own table (${identity}); maintenance tasks may not delete from it.${hint}`,
    field,
  );
}

async function chronopsTableIdentities(
  databases: readonly Queryable[],
  protectedTables: readonly string[],
): Promise<Set<string>> {
  // A qualified name is its own identity, even where it does not exist (yet).
  const identities = new Set(protectedTables.filter((name) => name.includes('.')));
  const quoted = protectedTables.map((name) =>
    name
      .split('.')
      .map((part) => pg.escapeIdentifier(part))
      .join('.'),
  );
  for (const db of new Set(databases)) {
    const { rows } = await db.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name
         from unnest($1::text[]) as wanted (name)
         join pg_class c on c.oid = to_regclass(wanted.name)
         join pg_namespace n on n.oid = c.relnamespace`,
      [quoted],
    );
    for (const row of rows) identities.add(`${row.schema}.${row.name}`);
  }
  return identities;
}
