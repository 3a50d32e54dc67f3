import { type CustomParams, requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { type CappedResult, DEFAULT_RESULT_CAPS, type ResultCaps } from './capped-result.js';
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
 * Each statement's result is read through a cursor, at most CUSTOM_RESULT_MAX_ROWS rows and
 * CUSTOM_RESULT_MAX_BYTES bytes of it (capped-result.ts); past that the rest is never fetched and the
 * log and the result say so.
 *
 * Result data (sql): { kind, statements, rowCount, rows (first 20 of the last statement returning
 * rows, values cut at 500 chars), truncated? (what was not kept, when a result passed a cap) }.
 * rowCount adds up the statements' counts; a statement cut at a cap counts the rows kept.
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
  const caps = deps.resultCaps ?? DEFAULT_RESULT_CAPS;
  const outcome = await withTaskSql(
    {
      url: deps.taskDatabaseUrl,
      protectedTables: deps.protectedTables ?? [],
      readOnly: params.readOnly,
      timeoutMs: context.task.timeoutSeconds * 1000,
      caps,
      signal: context.signal,
      log: context.log,
      applicationName: 'chronops:custom-sql',
    },
    true,
    async (transaction) => {
      let rowCount = 0;
      const notes: string[] = [];
      // Only the last row-returning statement's rows are shown: earlier ones are let go.
      let last: CappedResult<Record<string, unknown>> | undefined;
      for (const [index, statement] of statements.entries()) {
        const result = await transaction.run(statement);
        if (result.truncated) {
          const note = truncationNote(result.truncated.by, result.truncated.keptRows, caps);
          context.log.warn(`statement ${index + 1}: ${note}; the rest was not read`);
          notes.push(statements.length > 1 ? `statement ${index + 1}: ${note}` : note);
          rowCount += result.rows.length;
        } else {
          context.log.info(`${result.command ?? 'statement'}: ${result.rowCount ?? 0} rows`);
          rowCount += result.rowCount ?? 0;
        }
        if (result.fields.length > 0) last = result;
      }
      return { rowCount, notes, rows: (last?.rows ?? []).slice(0, RESULT_ROWS).map(boundRow) };
    },
  );
  const { rowCount, notes, rows } = outcome;
  const counted = `${rowCount}${notes.length > 0 ? '+' : ''} rows`;
  return {
    summary: `${statements.length} statement${statements.length === 1 ? '' : 's'}, ${counted}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    data: {
      kind: 'sql',
      statements: statements.length,
      rowCount,
      rows,
      ...(notes.length > 0 ? { truncated: notes.join('; ') } : {}),
    },
  };
}

/** "first 1,000 of more rows kept", or the same for a result cut at its byte cap. */
export function truncationNote(by: 'rows' | 'bytes', keptRows: number, caps: ResultCaps): string {
  const kept = keptRows.toLocaleString('en-US');
  return by === 'rows'
    ? `first ${kept} of more rows kept (CUSTOM_RESULT_MAX_ROWS)`
    : `first ${kept} row${keptRows === 1 ? '' : 's'} kept, cut at ${formatBytes(caps.maxBytes)} (CUSTOM_RESULT_MAX_BYTES)`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
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
