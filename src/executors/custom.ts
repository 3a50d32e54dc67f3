import pg from 'pg';
import { type CustomParams, requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { runCustomScript } from './custom-script.js';
import type { ExecutorDeps } from './deps.js';
import { singleStatement } from './sql-text.js';
import { cancellableQuery, openSession } from './target-database.js';
import type { ExecutionContext, ExecutionResult, Executor } from './types.js';

/** Rows kept in the result (task_executions.result must stay small). */
const RESULT_ROWS = 20;
/** Longest text kept per value in those rows. */
const RESULT_VALUE_CHARS = 500;

/**
 * custom: the task's own SQL, or a script from SCRIPTS_DIR (see custom-script.ts). Creating or editing
 * a custom task needs another admin's approval (DESIGN.md §6); these limits guard against accidents.
 *
 * SQL runs on a dedicated connection to the target database, in one transaction with
 * `statement_timeout` = the task timeout, `SET LOCAL ROLE` TASK_DB_ROLE when configured, and READ ONLY
 * when `readOnly` (then as a single statement, so `COMMIT; …` cannot leave the read-only transaction).
 * On abort the backend is cancelled from another connection, so the query stops at once. The
 * connection is closed afterwards, never reused: whatever session state the script changed dies with it.
 * A role set with SET ROLE can be reset by the SQL itself: it limits mistakes, it is not a sandbox.
 *
 * Result data (sql): { kind, statements, rowCount, rows (first 20, values cut at 500 chars) }.
 */
export function createCustomExecutor(deps: ExecutorDeps): Executor {
  return async (context) => {
    const params = requireTaskParams('custom', context.task.template, context.task.params);
    if (params.kind === 'script') return runCustomScript(deps, params, context);
    return runCustomSql(deps, params, context);
  };
}

async function runCustomSql(
  deps: ExecutorDeps,
  params: Extract<CustomParams, { kind: 'sql' }>,
  context: ExecutionContext,
): Promise<ExecutionResult> {
  if (params.readOnly) {
    const statement = singleStatement(params.sql);
    if (!statement.ok)
      throw new AppError(
        'invalid_params',
        `sql: ${statement.reason} Read-only SQL runs one statement.`,
        'sql',
      );
  }
  const client = new pg.Client({
    connectionString: deps.targetDatabaseUrl,
    application_name: 'chronops:custom-sql',
    connectionTimeoutMillis: 10_000,
  });
  // A terminated backend makes the client emit 'error'; unhandled, that would crash the process.
  client.on('error', (error) => context.log.warn(`connection error: ${error.message}`));
  await client.connect();
  try {
    const session = await openSession(client);
    await client.query(params.readOnly ? 'begin read only' : 'begin');
    await client.query("select set_config('statement_timeout', $1, true)", [
      String(context.task.timeoutSeconds * 1000),
    ]);
    if (deps.taskDbRole) await client.query(`set local role ${pg.escapeIdentifier(deps.taskDbRole)}`);
    context.log.info(
      `running SQL on backend ${session.pid}${params.readOnly ? ' (read only)' : ''}${deps.taskDbRole ? ` as role ${deps.taskDbRole}` : ''}, statement_timeout ${context.task.timeoutSeconds} s`,
    );
    const outcome = await cancellableQuery(
      deps.targetPool,
      session,
      params.readOnly ? { text: params.sql, queryMode: 'extended' } : { text: params.sql },
      context.signal,
    );
    await client.query('commit');
    const results = Array.isArray(outcome) ? outcome : [outcome];
    const rowCount = results.reduce((sum, result) => sum + (result.rowCount ?? 0), 0);
    const last = results.findLast((result) => result.fields.length > 0);
    const rows = (last?.rows ?? []).slice(0, RESULT_ROWS).map(boundRow);
    for (const result of results)
      context.log.info(`${result.command ?? 'statement'}: ${result.rowCount ?? 0} rows`);
    return {
      summary: `${results.length} statement${results.length === 1 ? '' : 's'}, ${rowCount} rows`,
      data: { kind: 'sql', statements: results.length, rowCount, rows },
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

function boundRow(row: Record<string, unknown>): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const text =
      typeof value === 'string'
        ? value
        : value !== null && typeof value === 'object'
          ? JSON.stringify(value)
          : undefined;
    bounded[key] =
      text !== undefined && text.length > RESULT_VALUE_CHARS
        ? `${text.slice(0, RESULT_VALUE_CHARS)}…`
        : value;
  }
  return bounded;
}
