import { EXECUTION_LOG_MAX_BYTES } from '../domain/task-types.js';
import type { ExecutionResult, Executor } from '../executors/types.js';
import { createBoundedLog } from '../shared/bounded-log.js';
import type { Clock } from '../shared/clock.js';
import { AppError, errorCodeOf, isAppError, toError } from '../shared/errors.js';
import { type Redactor, redactDeep } from '../shared/redact.js';
import type { SettleInput } from '../store/execution-settlement.js';
import type { StartedExecution } from '../store/execution-start.js';

export type AbortCause = 'timeout' | 'cancelled' | 'shutdown' | 'lease_lost';

/** One execution in flight in this process. */
export interface RunningExecution {
  readonly execution: StartedExecution;
  readonly deadlineMs: number;
  abort(cause: AbortCause): void;
  /** Resolves with the outcome to settle, or null when ownership was lost (another replica settled it). */
  readonly done: Promise<SettleInput | null>;
}

export interface RunOptions {
  /** An early start: the executor is invoked when this resolves (at the instant), not before. Executions
   * of one instant share one gate, so all of them are invoked before any of their results is handled. */
  gate?: Promise<void>;
  /** Called as the executor is invoked (lateness is measured there, not when the row was written);
   * without a gate that is within this call, before the caller could register the execution. */
  onInvoke?: (invokedAtMs: number) => void;
  /** Scrubs secrets from the log, error and result before they are settled (stored). */
  redact?: Redactor;
}

/**
 * Runs one execution (docs/ARCHITECTURE.md §5.4): the executor gets an AbortSignal; on timeout, cancellation or
 * shutdown the signal fires and the execution settles at once as timed_out / cancelled / failed — even
 * when the executor ignores the signal (its late result is then discarded). An execution recorded
 * early waits for its instant (execution.startedAt); aborted before it, the executor is never called.
 *
 * Stays whole: the abort, the deadline, the executor and the outcome share one controller and cause.
 */
export function runExecution(
  execution: StartedExecution,
  executor: Executor,
  clock: Clock,
  options: RunOptions = {},
): RunningExecution {
  const controller = new AbortController();
  const startedMs = execution.startedAt.getTime();
  const deadlineMs = startedMs + execution.task.timeoutSeconds * 1000;
  const log = createBoundedLog(EXECUTION_LOG_MAX_BYTES, () => clock.now());
  let abortCause: AbortCause | undefined;
  // Whichever comes first, the executor's outcome or an abort, decides how the execution settles.
  // (One promise resolved by either side instead of a Promise.race of derived promises: this runs
  // thousands of times a second under load, and each derived promise is garbage.)
  type Outcome =
    | { kind: 'result'; result: ExecutionResult }
    | { kind: 'error'; error: Error }
    | { kind: 'aborted'; cause: AbortCause };
  let decide: (outcome: Outcome) => void = () => {};
  const decided = new Promise<Outcome>((resolve) => {
    decide = resolve;
  });

  const abort = (cause: AbortCause) => {
    if (abortCause) return;
    abortCause = cause;
    const reason =
      cause === 'timeout'
        ? new AppError('timed_out', `Timed out after ${execution.task.timeoutSeconds} s.`, undefined, {
            params: { seconds: execution.task.timeoutSeconds },
          })
        : new AppError('cancelled', cause === 'cancelled' ? 'Cancelled by a user.' : `Aborted (${cause}).`);
    controller.abort(reason);
    decide({ kind: 'aborted', cause });
  };
  const cancelTimer = clock.after(deadlineMs - clock.nowMs(), () => abort('timeout'));

  const work = (async (): Promise<ExecutionResult> => {
    if (options.gate) {
      await options.gate;
      // Aborted while waiting for its instant (cancelled, shutdown): the executor is never called.
      if (abortCause) throw controller.signal.reason;
    }
    options.onInvoke?.(clock.nowMs());
    log.info(
      `starting ${execution.task.type} task "${execution.task.name}" (attempt ${execution.attempt}, trigger ${execution.trigger})`,
    );
    return executor({
      task: execution.task,
      execution: {
        id: execution.id,
        attempt: execution.attempt,
        trigger: execution.trigger,
        scheduledFor: execution.scheduledFor,
      },
      signal: controller.signal,
      deadline: new Date(deadlineMs),
      log,
      now: () => clock.now(),
    });
  })();
  // The executor may settle after we gave up on it: its outcome is then ignored (a promise resolves
  // once), and a rejection never surfaces as an unhandled one.
  work.then(
    (result) => decide({ kind: 'result', result }),
    (error: unknown) => decide({ kind: 'error', error: toError(error) }),
  );

  const settled = (async (): Promise<SettleInput | null> => {
    const outcome = await decided;
    cancelTimer();
    const finishedAt = clock.now();
    const durationMs = Math.max(0, finishedAt.getTime() - startedMs);
    // An abort that raced with the executor's own rejection is still reported as the abort.
    const cause = outcome.kind === 'aborted' ? outcome.cause : abortCause;
    if (cause === 'lease_lost') return null;
    if (cause) {
      const status = cause === 'timeout' ? 'timed_out' : cause === 'cancelled' ? 'cancelled' : 'failed';
      const message =
        cause === 'timeout'
          ? `Timed out after ${execution.task.timeoutSeconds} s; the executor was aborted.`
          : cause === 'cancelled'
            ? 'Cancelled by a user while running.'
            : 'Aborted: the replica running it was shutting down and the grace period ran out.';
      log.error(message);
      return {
        id: execution.id,
        status,
        finishedAt,
        durationMs,
        logs: log.text(),
        error: message,
        errorCode:
          cause === 'timeout' ? 'timed_out' : cause === 'cancelled' ? 'cancelled' : 'shutdown_aborted',
        result: null,
      };
    }
    if (outcome.kind === 'result') {
      log.info(`finished: ${outcome.result.summary}`);
      return {
        id: execution.id,
        status: 'success',
        finishedAt,
        durationMs,
        logs: log.text(),
        error: null,
        errorCode: null,
        result: {
          summary: outcome.result.summary,
          ...outcome.result.data,
          ...(outcome.result.messages ? { messages: outcome.result.messages } : {}),
        },
      };
    }
    const error = outcome.kind === 'error' ? outcome.error : new Error('unknown failure');
    log.error(error.message);
    return {
      id: execution.id,
      // PostgreSQL stopping a statement at the task's timeout (bounded-sql.ts) is a time-out too.
      status: isAppError(error, 'timed_out') ? 'timed_out' : 'failed',
      finishedAt,
      durationMs,
      logs: log.text(),
      error: error.message,
      errorCode: errorCodeOf(error),
      result: null,
    };
  })();

  const { redact } = options;
  const done = redact
    ? settled.then((input) =>
        input
          ? {
              ...input,
              logs: redact(input.logs),
              error: input.error === null ? null : redact(input.error),
              result: input.result === null ? null : redactDeep(input.result, redact),
            }
          : null,
      )
    : settled;
  return { execution, deadlineMs, abort, done };
}
