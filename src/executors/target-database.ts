import pg from 'pg';
import { AppError } from '../shared/errors.js';

/**
 * The executors' only way to name things in the target database: identifiers from params (already
 * syntax-checked by domain/task-params.ts) are looked up in the catalog, and SQL is built from the
 * catalog's own spelling, quoted with pg.escapeIdentifier. Values always travel as bound parameters.
 */

/** Anything that runs a query: a pool, a pooled client or a dedicated client. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.ClientBase, 'query'>;

export interface TableRef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** `"schema"."name"`, safe to splice into SQL. */
  readonly quoted: string;
}

export interface ColumnRef {
  readonly name: string;
  readonly quoted: string;
  /** pg_type.typname: `timestamptz`, `timestamp`, `date`, `int8`… */
  readonly type: string;
}

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);
const TIME_TYPES = new Set(['timestamptz', 'timestamp', 'date']);

export function quoteTable(schema: string, name: string): string {
  return `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
}

/**
 * Finds an ordinary or partitioned table by (optionally schema-qualified, lower-case) name, resolving
 * unqualified names through the search_path like PostgreSQL would. Throws AppError('invalid_params')
 * naming `field` when there is no such table, or when it is a view or a system catalog.
 */
export async function resolveTable(db: Queryable, name: string, field: string): Promise<TableRef> {
  const quotedInput = name
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');
  const { rows } = await db.query<{ oid: number; schema: string; name: string; kind: string }>(
    `select c.oid::int4 as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass($1)`,
    [quotedInput],
  );
  const row = rows[0];
  if (!row)
    throw new AppError(
      'invalid_params',
      `${field}: there is no table "${name}" in the target database.`,
      field,
    );
  if (SYSTEM_SCHEMAS.has(row.schema)) {
    throw new AppError(
      'invalid_params',
      `${field}: "${name}" is a system catalog; it cannot be used here.`,
      field,
    );
  }
  if (row.kind !== 'r' && row.kind !== 'p') {
    throw new AppError(
      'invalid_params',
      `${field}: "${name}" is not a table (views and other relations are refused).`,
      field,
    );
  }
  return { oid: row.oid, schema: row.schema, name: row.name, quoted: quoteTable(row.schema, row.name) };
}

/**
 * Finds a column of `table`. With `requireTime`, it must be a timestamp, timestamptz or date column, so
 * a retention comparison means what it says. Throws AppError('invalid_params') naming `field`.
 */
export async function resolveColumn(
  db: Queryable,
  table: TableRef,
  column: string,
  field: string,
  options: { requireTime?: boolean } = {},
): Promise<ColumnRef> {
  const { rows } = await db.query<{ name: string; type: string }>(
    `select a.attname as name, t.typname as type
       from pg_attribute a join pg_type t on t.oid = a.atttypid
      where a.attrelid = $1 and a.attname = $2 and a.attnum > 0 and not a.attisdropped`,
    [table.oid, column],
  );
  const row = rows[0];
  if (!row) {
    throw new AppError('invalid_params', `${field}: table "${table.name}" has no column "${column}".`, field);
  }
  if (options.requireTime && !TIME_TYPES.has(row.type)) {
    throw new AppError(
      'invalid_params',
      `${field}: column "${column}" of "${table.name}" is ${row.type}, not a timestamp or date column.`,
      field,
    );
  }
  return { name: row.name, quoted: pg.escapeIdentifier(row.name), type: row.type };
}

/** True when every named (unqualified: search_path) relation exists. */
export async function tablesExist(db: Queryable, names: readonly string[]): Promise<boolean> {
  const { rows } = await db.query<{ missing: number }>(
    'select count(*)::int4 as missing from unnest($1::text[]) as name where to_regclass(name) is null',
    [names],
  );
  return rows[0]?.missing === 0;
}

export interface ConnectionParts {
  /** The URL without its password: safe for argv and logs. */
  readonly urlWithoutPassword: string;
  readonly password: string | undefined;
  readonly database: string;
}

/** Splits a postgres:// URL so the password can travel in PGPASSWORD instead of a command line. */
export function splitConnectionUrl(url: string): ConnectionParts {
  const parsed = new URL(url);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  parsed.password = '';
  const database =
    decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username);
  return { urlWithoutPassword: parsed.toString(), password, database };
}
