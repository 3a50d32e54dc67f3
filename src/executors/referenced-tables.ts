import { AppError } from '../shared/errors.js';
import type { Queryable, TableRef } from './target-database.js';

/**
 * Refuses a table that a foreign key points at (from another table, or from itself): deleting its rows
 * would delete the referencing rows too (ON DELETE CASCADE), null them (SET NULL), or fail halfway
 * (RESTRICT, NO ACTION) — and archiving copies only this table, so children would be lost, not archived.
 * The sentence names the referencing tables. Partitions count: a key on a partitioned table covers all
 * its partitions, and is named by its partitioned table.
 */
export async function refuseReferencedTable(db: Queryable, table: TableRef, field: string): Promise<void> {
  const { rows } = await db.query<{ schema: string; name: string }>(
    `select distinct n.nspname as schema, r.relname as name
       from pg_constraint f
       join pg_class r on r.oid = coalesce(pg_partition_root(f.conrelid), f.conrelid)
       join pg_namespace n on n.oid = r.relnamespace
      where f.contype = 'f'
        and (f.confrelid = $1 or f.confrelid in (select relid from pg_partition_tree($1::oid::regclass)))
      order by 1, 2`,
    [table.oid],
  );
  if (rows.length === 0) return;
  const children = rows.map((row) => `${row.schema}.${row.name}`).join(', ');
  throw new AppError(
    'invalid_params',
    `${field}: "${table.name}" is referenced by foreign keys of ${children}; deleting its rows would also delete, empty or block rows there, so clean-ups refuse it; a custom SQL task can delete from both tables explicitly.`,
    field,
  );
}
