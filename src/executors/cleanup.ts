import pg from 'pg';
import { type CleanupParams, requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { throwIfAborted } from './abort.js';
import { type BoundedQueryable, withBoundedSql } from './bounded-sql.js';
import { refuseChronopsTable } from './chronops-tables-guard.js';
import type { ExecutorDeps } from './deps.js';
import { refuseReferencedTable } from './referenced-tables.js';
import { type Queryable, resolveColumn, resolveTable, type TableRef } from './target-database.js';
import type { ExecutionContext, ExecutionResult, Executor } from './types.js';

const DAY_MS = 86_400_000;

export interface CleanupResultData extends Record<string, unknown> {
  mode: CleanupParams['mode'];
  table: string;
  deleted: number;
  archived: number;
  batches: number;
  /** Rows older than this instant (ISO-8601) were removed. */
  cutoff: string;
}

/**
 * cleanup: batched deletes in short, separate transactions (one statement each), so a large clean-up
 * never holds locks for long nor bloats one transaction; `signal` is checked between batches, and the
 * batches already committed stay done. Every identifier is resolved in the catalog first: nothing is
 * deleted when any of them is refused. Also refused before anything runs: chronops's own tables
 * (`deps.protectedTables`, by catalog identity; the execution_history mode prunes task_executions by
 * its own rules), and any table a foreign key points at (deleting would cascade to, empty or be blocked
 * by the referencing rows; archiving would not save them): chronops-tables-guard.ts, referenced-tables.ts.
 *
 * - older_than: rows whose `timestampColumn` is before now − olderThanDays.
 * - expired: rows whose `expiresColumn` is before now.
 * - archive: like older_than, but each batch moves its rows into `<table>_archive` (created when
 *   missing, `like <table> including all`) in the same statement as their deletion, so a row is
 *   always in exactly one of the two tables.
 * - execution_history: prunes chronops' task_executions, keeping failures (failed, timed_out) for
 *   failureDays and the rest (success, skipped, cancelled) for successDays. Queued and running rows are
 *   never touched.
 *
 * Result data: {@link CleanupResultData}.
 */
export function createCleanupExecutor(deps: ExecutorDeps): Executor {
  return async (context) => {
    const params = requireTaskParams('cleanup', context.task.template, context.task.params);
    const now = context.now();
    // Every statement bounded by the task's time, and cancelled on abort (bounded-sql.ts).
    const data =
      params.mode === 'execution_history'
        ? await withBoundedSql(deps.servicePool ?? deps.targetPool, context, (db) =>
            pruneExecutionHistory(db, params, now, context),
          )
        : await withBoundedSql(deps.targetPool, context, (db) => cleanTable(deps, db, params, now, context));
    const verb =
      data.mode === 'archive' ? `archived ${data.archived} rows of` : `deleted ${data.deleted} rows from`;
    return {
      summary: `${verb} ${data.table} in ${data.batches} batch${data.batches === 1 ? '' : 'es'}`,
      data,
    } satisfies ExecutionResult;
  };
}

type TableParams = Exclude<CleanupParams, { mode: 'execution_history' }>;

async function cleanTable(
  deps: ExecutorDeps,
  pool: BoundedQueryable,
  params: TableParams,
  now: Date,
  context: ExecutionContext,
): Promise<CleanupResultData> {
  const table = await resolveTable(pool, params.table, 'table');
  // chronops's own tables, wherever the name resolves (the target database may be chronops's own).
  // (The run's own connection when the service pool is the target one: a second connection from the
  // same pool, taken while holding this one, could wait for ever on a pool that busy runs exhaust.)
  const chronopsDatabases = [
    pool,
    deps.servicePool && deps.servicePool !== deps.targetPool ? deps.servicePool : pool,
  ];
  await refuseChronopsTable(chronopsDatabases, table, deps.protectedTables ?? [], 'table');
  const [columnName, columnField] =
    params.mode === 'expired'
      ? [params.expiresColumn, 'expiresColumn']
      : [params.timestampColumn, 'timestampColumn'];
  const column = await resolveColumn(pool, table, columnName, columnField, { requireTime: true });
  await refuseReferencedTable(pool, table, 'table');
  const cutoff = params.mode === 'expired' ? now : new Date(now.getTime() - params.olderThanDays * DAY_MS);
  // Re-checking the predicate in the outer DELETE matters for partitioned tables, where a ctid is only
  // unique within one partition; the ctid = any(array(...)) form is planned as a TID scan.
  const doomed = `ctid = any(array(select ctid from ${table.quoted} where ${column.quoted} < $1::timestamptz limit $2)) and ${column.quoted} < $1::timestamptz`;

  let statement = `delete from ${table.quoted} where ${doomed}`;
  if (params.mode === 'archive') {
    const archive = await ensureArchiveTable(pool, table, context);
    // Before the first batch: `<table>_archive` must not be one of chronops's tables either.
    await refuseChronopsTable(chronopsDatabases, archive.table, deps.protectedTables ?? [], 'table');
    const columns = archive.columns.map((name) => pg.escapeIdentifier(name)).join(', ');
    // One statement = one transaction: the copy and the delete commit or roll back together.
    statement = `with moved as (delete from ${table.quoted} where ${doomed} returning ${columns})
      insert into ${archive.quoted} (${columns}) overriding system value select ${columns} from moved`;
  }
  context.log.info(
    `${params.mode}: ${table.quoted} where ${column.quoted} < ${cutoff.toISOString()}, batches of ${params.batchSize}`,
  );
  const { total, batches } = await runBatches(
    pool,
    statement,
    [cutoff, params.batchSize],
    params.batchSize,
    context,
  );
  const archived = params.mode === 'archive' ? total : 0;
  return {
    mode: params.mode,
    table: `${table.schema}.${table.name}`,
    deleted: total,
    archived,
    batches,
    cutoff: cutoff.toISOString(),
  };
}

/** Runs `statement` until a batch affects fewer than `batchSize` rows; checks the signal in between. */
async function runBatches(
  db: Queryable,
  statement: string,
  values: unknown[],
  batchSize: number,
  context: ExecutionContext,
): Promise<{ total: number; batches: number }> {
  let total = 0;
  let batches = 0;
  for (;;) {
    throwIfAborted(context.signal);
    const result = await db.query(statement, values);
    const affected = result.rowCount ?? 0;
    batches += 1;
    total += affected;
    if (affected > 0) context.log.info(`batch ${batches}: ${affected} rows (total ${total})`);
    if (affected < batchSize) return { total, batches };
  }
}

/**
 * Creates `<table>_archive` in the table's schema when missing and returns the columns a batch copies:
 * the source's stored columns (generated ones are recomputed by the archive). Refuses an archive that
 * lacks a column of the source, instead of failing halfway through.
 */
async function ensureArchiveTable(
  pool: BoundedQueryable,
  table: TableRef,
  context: ExecutionContext,
): Promise<{ table: TableRef; quoted: string; columns: string[] }> {
  const archiveName = `${table.name}_archive`;
  const quoted = `${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(archiveName)}`;
  await pool.query(`create table if not exists ${quoted} (like ${table.quoted} including all)`);
  context.log.info(`archiving into ${quoted}`);
  const archive = await resolveTable(pool, `${table.schema}.${archiveName}`, 'table');
  const { rows } = await pool.query<{ name: string; in_archive: boolean }>(
    `select s.attname as name,
            exists (select 1 from pg_attribute a where a.attrelid = $2 and a.attname = s.attname
                      and a.attnum > 0 and not a.attisdropped) as in_archive
       from pg_attribute s
      where s.attrelid = $1 and s.attnum > 0 and not s.attisdropped and s.attgenerated = ''
      order by s.attnum`,
    [table.oid, archive.oid],
  );
  const missing = rows.filter((row) => !row.in_archive).map((row) => row.name);
  if (missing.length > 0) {
    throw new AppError(
      'executor_failed',
      `archive table ${archiveName} lacks column(s) ${missing.join(', ')} of ${table.name}; add them before archiving.`,
      'table',
    );
  }
  return { table: archive, quoted: archive.quoted, columns: rows.map((row) => row.name) };
}

async function pruneExecutionHistory(
  pool: BoundedQueryable,
  params: Extract<CleanupParams, { mode: 'execution_history' }>,
  now: Date,
  context: ExecutionContext,
): Promise<CleanupResultData> {
  const table = await resolveTable(pool, 'task_executions', 'table');
  // Nothing references task_executions today; a future foreign key must not turn pruning into a cascade.
  await refuseReferencedTable(pool, table, 'table');
  const successCutoff = new Date(now.getTime() - params.successDays * DAY_MS);
  const failureCutoff = new Date(now.getTime() - params.failureDays * DAY_MS);
  const statement = `delete from ${table.quoted} where id = any(array(
      select id from ${table.quoted}
       where (status in ('success', 'skipped', 'cancelled') and created_at < $1::timestamptz)
          or (status in ('failed', 'timed_out') and created_at < $2::timestamptz)
       limit $3))`;
  context.log.info(
    `execution_history: successes before ${successCutoff.toISOString()}, failures before ${failureCutoff.toISOString()}`,
  );
  const { total, batches } = await runBatches(
    pool,
    statement,
    [successCutoff, failureCutoff, params.batchSize],
    params.batchSize,
    context,
  );
  return {
    mode: 'execution_history',
    table: `${table.schema}.${table.name}`,
    deleted: total,
    archived: 0,
    batches,
    cutoff: successCutoff.toISOString(),
  };
}
