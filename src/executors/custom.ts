import type pg from 'pg';
import { type CustomParams, requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { runCustomScript } from './custom-script.js';
import type { ExecutorDeps } from './deps.js';
import { splitStatements } from './sql-text.js';
import { assertNoTransactionControl, withTaskSql } from './task-sql-session.js';
import type { ExecutionContext, ExecutionResult, Executor } from './types.js';

/** Rows kept in the result (task_executions.result must stay small). */
const RESULT_ROWS = 20;
/** Longest text kept per value in those rows. */
const RESULT_VALUE_CHARS = 500;

/**
 * custom: the task's own SQL, or a script from SCRIPTS_DIR (see custom-script.ts). A task carrying
 * either needs another admin's approval before it runs (src/domain/user-code.ts).
 *
 * SQL runs on the restricted task login (task-sql-session.ts), never as chronops's own login: one
 * transaction with statement and lock timeouts bounded by the task timeout, READ ONLY when `readOnly`,
 * each statement sent on its own, transaction control refused, the connection closed afterwards.
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
  const statements = splitStatements(params.sql);
  if (statements.length === 0) throw new AppError('invalid_params', 'sql: is empty.', 'sql');
  assertNoTransactionControl(statements);
  const results = await withTaskSql(
    {
      url: deps.taskDatabaseUrl,
      protectedTables: deps.protectedTables ?? [],
      readOnly: params.readOnly,
      timeoutMs: context.task.timeoutSeconds * 1000,
      signal: context.signal,
      log: context.log,
      applicationName: 'chronops:custom-sql',
    },
    true,
    async (transaction) => {
      const done: pg.QueryResult[] = [];
      for (const statement of statements) {
        const result = await transaction.run(statement);
        context.log.info(`${result.command ?? 'statement'}: ${result.rowCount ?? 0} rows`);
        done.push(result);
      }
      return done;
    },
  );
  const rowCount = results.reduce((sum, result) => sum + (result.rowCount ?? 0), 0);
  const last = results.findLast((result) => result.fields.length > 0);
  const rows = (last?.rows ?? []).slice(0, RESULT_ROWS).map(boundRow);
  return {
    summary: `${results.length} statement${results.length === 1 ? '' : 's'}, ${rowCount} rows`,
    data: { kind: 'sql', statements: results.length, rowCount, rows },
  };
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
