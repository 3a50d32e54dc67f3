import pg from 'pg';
import { AppError } from '../shared/errors.js';
import { abortError } from './abort.js';
import { sendCancelRequest } from './cancel-request.js';
import { type CappedResult, type ResultCaps, readCapped } from './capped-result.js';
import { transactionControlOf } from './sql-text.js';
import type { ExecutionLog } from './types.js';

/**
 * Where SQL written by a person runs (custom SQL tasks, custom notification queries): a connection of
 * its own that logs in as the restricted task login, one transaction, statements sent one at a time,
 * and the connection closed afterwards — never returned to a pool with whatever session state the SQL
 * left (advisory locks, settings, temporary objects). See docs/SECURITY.md.
 *
 * What holds the boundary:
 * - the login itself: checked at every connection to be no superuser, to hold none of PostgreSQL's
 *   server-file or signalling roles, and to have no right on chronops's own tables, so RESET ROLE,
 *   SET ROLE or COMMIT inside the SQL have nothing to regain;
 * - one transaction: a statement that would end or start it (COMMIT, ROLLBACK, BEGIN, END…) is refused
 *   before anything runs, and after every statement the connection must still be inside the
 *   transaction, so the statement timeout and read-only mode set on it cannot be left behind;
 * - the extended protocol per statement, which PostgreSQL refuses for a string of two statements.
 *
 * What bounds the replica's memory: each statement's result is read through a cursor and at most
 * `caps` of it kept (capped-result.ts); the rest is never fetched.
 */

export const TASK_SQL_UNAVAILABLE =
  'User SQL needs a restricted database login and none is configured: create one and set TASK_DATABASE_URL (README, "The restricted task login").';

/** PostgreSQL's predefined roles that reach past the database: server files, programs, signals. */
const DANGEROUS_ROLES = [
  'pg_execute_server_program',
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_read_all_data',
  'pg_write_all_data',
  'pg_signal_backend',
  'pg_checkpoint',
] as const;

export interface TaskSqlOptions {
  /** TASK_DATABASE_URL (or the embedded task login); undefined: user SQL is refused. */
  readonly url: string | undefined;
  /** chronops's own tables (unqualified or schema.table), on which the login must have no right. */
  readonly protectedTables: readonly string[];
  readonly readOnly: boolean;
  /** Bound of every statement's `statement_timeout` and `lock_timeout`, in milliseconds. */
  readonly timeoutMs: number;
  /** Rows and bytes of each statement's result kept (CUSTOM_RESULT_MAX_ROWS / _BYTES). */
  readonly caps: ResultCaps;
  readonly signal: AbortSignal;
  readonly log: ExecutionLog;
  readonly applicationName: string;
}

export interface TaskSqlTransaction {
  /** The backend serving the session (for logs and tests). */
  readonly pid: number;
  /** The role the session logged in as. */
  readonly login: string;
  /**
   * Runs one statement (extended protocol, through a cursor); refuses transaction control; stops on
   * abort. Keeps at most the session's `caps` of its result, saying so in `truncated`.
   */
  run<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<CappedResult<R>>;
}

/**
 * Opens a task-login session, runs `work` in one transaction and commits it when `commit` is true
 * (rolls back otherwise, and always on error). The connection is closed in every case.
 */
export async function withTaskSql<T>(
  options: TaskSqlOptions,
  commit: boolean,
  work: (transaction: TaskSqlTransaction) => Promise<T>,
): Promise<T> {
  if (!options.url) throw new AppError('task_sql_unavailable', TASK_SQL_UNAVAILABLE, 'sql');
  if (options.signal.aborted) throw abortError(options.signal);
  const client = new pg.Client({
    connectionString: options.url,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
  });
  // A terminated backend makes the client emit 'error'; unhandled, that would crash the process.
  client.on('error', (error) => options.log.warn(`connection error: ${error.message}`));
  await client.connect();
  try {
    const session = await checkLogin(client, options.protectedTables);
    await client.query(options.readOnly ? 'begin read only' : 'begin');
    const boundMs = Math.max(1, Math.round(options.timeoutMs));
    // A lock wait gives up a little before the statement timeout, so it is reported as what it is.
    const lockBoundMs = Math.max(1, Math.round(boundMs * 0.9));
    await client.query(
      "select set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true), set_config('idle_in_transaction_session_timeout', $1, true)",
      [String(boundMs), String(lockBoundMs)],
    );
    options.log.info(
      `running SQL as ${session.login} on backend ${session.pid}${options.readOnly ? ' (read only)' : ''}, statement_timeout ${formatSeconds(options.timeoutMs)}`,
    );
    const transaction: TaskSqlTransaction = {
      pid: session.pid,
      login: session.login,
      run: (text, values) => runStatement(client, options, session, text, values),
    };
    const result = await work(transaction);
    await client.query(commit ? 'commit' : 'rollback');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Throws AppError('invalid_params') naming the first statement that would end or start the task's
 * transaction (COMMIT, ROLLBACK, BEGIN…), so a script is refused before any of it runs.
 */
export function assertNoTransactionControl(statements: readonly string[]): void {
  for (const statement of statements) {
    const control = transactionControlOf(statement);
    if (control) {
      throw new AppError(
        'invalid_params',
        `sql: ${control} is not allowed: the task's SQL runs inside one transaction that chronops opens and commits (use SAVEPOINT / ROLLBACK TO for partial undo).`,
        'sql',
      );
    }
  }
}

interface Session {
  readonly pid: number;
  readonly login: string;
}

async function checkLogin(client: pg.Client, protectedTables: readonly string[]): Promise<Session> {
  const { rows } = await client.query<{
    login: string;
    pid: number;
    superuser: boolean;
    powers: string[];
    dangerous: string[];
    tables: string[];
  }>(
    `select current_user::text as login, pg_backend_pid() as pid, r.rolsuper as superuser,
            array_remove(array[
              case when r.rolcreaterole then 'CREATEROLE' end,
              case when r.rolcreatedb then 'CREATEDB' end,
              case when r.rolreplication then 'REPLICATION' end,
              case when r.rolbypassrls then 'BYPASSRLS' end], null) as powers,
            array(select d from unnest($1::text[]) as d where pg_has_role(current_user, d, 'usage')) as dangerous,
            array(select n.nspname || '.' || c.relname
                    from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where ((n.nspname || '.' || c.relname) = any ($2::text[])
                          or (c.relname = any ($2::text[]) and n.nspname = any (current_schemas(false))))
                     and has_table_privilege(c.oid, 'select, insert, update, delete, truncate')) as tables
       from pg_roles r where r.rolname = current_user`,
    [DANGEROUS_ROLES, protectedTables],
  );
  const row = rows[0];
  if (!row) throw new Error('the task login was not found in pg_roles');
  const problems = [
    ...(row.superuser ? ['is a superuser'] : []),
    ...(row.powers.length > 0 ? [`has ${row.powers.join(', ')}`] : []),
    ...(row.dangerous.length > 0 ? [`is a member of ${row.dangerous.join(', ')}`] : []),
    ...(row.tables.length > 0 ? [`has rights on chronops's own tables (${row.tables.join(', ')})`] : []),
  ];
  if (problems.length > 0) {
    throw new AppError(
      'task_sql_unsafe_login',
      `User SQL refused: the task login "${row.login}" ${problems.join(', ')}. It must be a restricted login (README, "The restricted task login").`,
      'sql',
    );
  }
  return { pid: row.pid, login: row.login };
}

async function runStatement<R extends pg.QueryResultRow>(
  client: pg.Client,
  options: TaskSqlOptions,
  session: Session,
  text: string,
  values: readonly unknown[] | undefined,
): Promise<CappedResult<R>> {
  assertNoTransactionControl([text]);
  const { signal } = options;
  if (signal.aborted) throw abortError(signal);
  const timers: NodeJS.Timeout[] = [];
  const onAbort = () => {
    void sendCancelRequest(client);
    // A backend deaf to the cancel (rare) is terminated by the same login, which may signal its own
    // backends; as a last resort the socket is destroyed so this promise always settles.
    timers.push(
      setTimeout(() => void terminateBackend(options, session.pid), 2000),
      setTimeout(() => (client as Partial<pg.Client>).connection?.stream.destroy(), 4000),
    );
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // A cursor is a portal of the extended protocol: one statement only, as before. PostgreSQL starts
    // statement_timeout afresh at each fetch of a portal, so the statement's time over all its fetches
    // is checked here too (the engine's deadline aborts the run in any case).
    const startedMs = performance.now();
    const result = await readCapped<R>(client, text, values ?? [], options.caps, () => {
      if (signal.aborted) throw abortError(signal);
      if (performance.now() - startedMs > options.timeoutMs) throw statementTimedOut();
    });
    const status = (client as pg.Client & { getTransactionStatus(): string | null }).getTransactionStatus();
    if (status !== 'T') {
      throw new AppError(
        'invalid_params',
        "sql: a statement left chronops's transaction; the rest of the SQL was not run.",
        'sql',
      );
    }
    return result;
  } catch (error) {
    if (signal.aborted) throw abortError(signal);
    if (isServerTimeout(error, 'statement timeout')) throw statementTimedOut(error);
    if (isServerTimeout(error, 'lock timeout')) {
      throw new AppError(
        'timed_out',
        'The query waited for a lock past the task timeout (lock_timeout) and was cancelled.',
        undefined,
        { cause: error },
      );
    }
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const timer of timers) clearTimeout(timer);
  }
}

function statementTimedOut(cause?: unknown): AppError {
  return new AppError(
    'timed_out',
    'The query ran past the task timeout (statement_timeout) and was cancelled.',
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

async function terminateBackend(options: TaskSqlOptions, pid: number): Promise<void> {
  const killer = new pg.Client({
    connectionString: options.url,
    application_name: `${options.applicationName}:terminate`,
    connectionTimeoutMillis: 5000,
  });
  killer.on('error', () => {});
  try {
    await killer.connect();
    await killer.query('select pg_terminate_backend($1)', [pid]);
  } catch (error) {
    options.log.warn(`could not terminate backend ${pid}: ${(error as Error).message}`);
  } finally {
    await killer.end().catch(() => {});
  }
}

function isServerTimeout(error: unknown, kind: 'statement timeout' | 'lock timeout'): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const expected = kind === 'statement timeout' ? '57014' : '55P03';
  return code === expected && typeof message === 'string' && message.includes(kind);
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
