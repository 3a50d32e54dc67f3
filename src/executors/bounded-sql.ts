import pg from 'pg';
import { AppError } from '../shared/errors.js';
import { abortError, throwIfAborted } from './abort.js';
import type { ExecutionContext } from './types.js';

/** How long a cancelled statement may take to stop before its backend is terminated. */
export const CANCEL_GRACE_MS = 3000;

/** A pool's `query`, run on one dedicated connection whose every statement is bounded (see below). */
export type BoundedQueryable = Pick<pg.Pool, 'query'> & {
  /** The backend serving the connection (for logs and tests). */
  readonly pid: number;
};

/**
 * Runs `work` with chronops's built-in SQL (clean-ups, reports, the low-quota notification) bounded by
 * the task's time (docs/ENGINE.md, "Timeouts stop the work"): one connection taken from `pool` for the
 * run; before each statement its `statement_timeout` and `lock_timeout` are set to the time left before
 * the task's deadline, so a statement waiting on a lock gives up at the timeout
 * instead of waiting on in PostgreSQL; and when the run is aborted (timeout, cancel, shutdown) the
 * statement in flight is cancelled (`pg_cancel_backend`), then its backend terminated if it has not
 * stopped within {@link CANCEL_GRACE_MS}. An aborted or failed connection is closed, never returned to
 * the pool; a clean one goes back with its settings reset.
 *
 * The cancel goes through a new connection with the pool's settings (the same login, which PostgreSQL
 * allows without any extra privilege), not through the pool, which the stopped runs may exhaust.
 */
export async function withBoundedSql<T>(
  pool: pg.Pool,
  context: Pick<ExecutionContext, 'signal' | 'log' | 'now' | 'task'> & { deadline?: Date | undefined },
  work: (db: BoundedQueryable) => Promise<T>,
): Promise<T> {
  throwIfAborted(context.signal);
  const deadlineMs =
    context.deadline?.getTime() ?? context.now().getTime() + context.task.timeoutSeconds * 1000;
  const client = await pool.connect();
  let discard = false;
  let inFlight: Promise<unknown> | undefined;
  let pid = 0;
  const stop = async () => {
    const running = inFlight;
    if (!running || pid === 0) return;
    const settled = running.then(
      () => true,
      () => true,
    );
    discard = true;
    await signalBackend(pool, 'pg_cancel_backend', pid);
    const stopped = await Promise.race([settled, delay(CANCEL_GRACE_MS).then(() => false)]);
    if (!stopped) {
      context.log.warn(
        `the statement did not stop within ${CANCEL_GRACE_MS / 1000} s of its cancel; terminating backend ${pid}`,
      );
      await signalBackend(pool, 'pg_terminate_backend', pid);
    }
  };
  const onAbort = () => void stop();
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid ?? 0;
    const query = async (text: string, values?: unknown[]) => {
      throwIfAborted(context.signal);
      const remainingMs = Math.floor(deadlineMs - context.now().getTime());
      if (remainingMs <= 0) throw timedOut(context);
      await client.query(
        "select set_config('statement_timeout', $1, false), set_config('lock_timeout', $2, false)",
        [`${remainingMs}ms`, `${Math.max(1, Math.floor(remainingMs * 0.9))}ms`],
      );
      const running = client.query(text, values);
      inFlight = running;
      try {
        return await running;
      } catch (error) {
        if (context.signal.aborted) throw abortError(context.signal);
        const state = (error as { code?: unknown }).code;
        // 57014: canceled by statement_timeout; 55P03: lock_timeout. Both mean the task ran out of time.
        if (state === '57014' || state === '55P03') {
          discard = true;
          throw timedOut(context, error);
        }
        throw error;
      } finally {
        inFlight = undefined;
      }
    };
    return await work({ pid, query: query as BoundedQueryable['query'] });
  } catch (error) {
    discard = true;
    throw error;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    if (!discard && !context.signal.aborted) {
      try {
        await client.query('reset statement_timeout; reset lock_timeout');
      } catch {
        discard = true;
      }
    }
    client.release(discard || context.signal.aborted);
  }
}

function timedOut(context: Pick<ExecutionContext, 'task'>, cause?: unknown): AppError {
  return new AppError(
    'timed_out',
    `Timed out after ${context.task.timeoutSeconds} s: PostgreSQL stopped the statement at the task's timeout.`,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Cancels or terminates a backend from a connection of its own, opened with the pool's settings: the
 * pool may be exhausted by the very runs being stopped, and a cancel must not queue behind them.
 */
async function signalBackend(
  pool: pg.Pool,
  fn: 'pg_cancel_backend' | 'pg_terminate_backend',
  pid: number,
): Promise<void> {
  const options = (pool as pg.Pool & { options: pg.ClientConfig }).options;
  const client = new pg.Client({ ...options, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`select ${fn}($1)`, [pid]);
  } catch {
    // Best effort: the statement timeout still stops the statement at the deadline.
  } finally {
    await client.end().catch(() => undefined);
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
