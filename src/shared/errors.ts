/**
 * Every error the application raises on purpose carries a `code` from this union, so callers
 * (Slack listeners, the CLI, the scheduler) can map it to a sentence without parsing messages.
 */
export type AppErrorCode =
  | 'invalid_config'
  | 'invalid_cron'
  | 'unknown_timezone'
  | 'invalid_task'
  | 'invalid_params'
  | 'duplicate_task_name'
  | 'version_conflict'
  | 'forbidden'
  | 'task_not_found'
  | 'execution_not_found'
  | 'not_retryable'
  | 'system_task'
  | 'database_unavailable'
  | 'executor_failed'
  | 'timed_out'
  | 'cancelled'
  /** Stopped because the replica running it shut down past its grace period. */
  | 'shutdown_aborted'
  /** The replica running it stopped renewing its lease or exited (recorded by another replica). */
  | 'worker_lost'
  /** User SQL asked for, but no restricted task login is configured (TASK_DATABASE_URL). */
  | 'task_sql_unavailable'
  /** The configured task login could reach past its role (superuser, server files, chronops's tables). */
  | 'task_sql_unsafe_login'
  /** Another session held the migration lock past MIGRATION_LOCK_WAIT_SECONDS. */
  | 'migration_lock_timeout';

/** Values a localised sentence for a code may use (domain/error-text.ts): a task name, seconds… */
export type ErrorParams = Readonly<Record<string, string | number>>;

export class AppError extends Error {
  override readonly name = 'AppError';
  /** What the sentence for `code` in another language needs (the message is English). */
  readonly params: ErrorParams;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The input field the error is about (a modal block, a config variable, a cron field). */
    readonly field?: string,
    options?: { cause?: unknown; params?: ErrorParams },
  ) {
    super(message, options);
    this.params = options?.params ?? {};
  }
}

/** The code an execution's failure is recorded with: its AppError's, or the generic executor failure. */
export function errorCodeOf(error: unknown): AppErrorCode {
  return error instanceof AppError ? error.code : 'executor_failed';
}

export function isAppError(value: unknown, code?: AppErrorCode): value is AppError {
  return value instanceof AppError && (code === undefined || value.code === code);
}

/** Normalises anything thrown into an Error, for catch boundaries. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}
