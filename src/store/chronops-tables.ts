import { getTableName, isTable } from 'drizzle-orm';
import * as schema from './schema.js';

/**
 * chronops's own tables, read from the schema so a table added later is covered without a list to
 * keep in step: task SQL must have no right on them, and maintenance tasks must never target them.
 * Unqualified names (resolved through the search_path), plus drizzle's migration journal.
 */
export const CHRONOPS_TABLES: readonly string[] = Object.freeze([
  ...Object.values(schema)
    .filter((value) => isTable(value))
    .map((table) => getTableName(table)),
  'drizzle.__drizzle_migrations',
]);
