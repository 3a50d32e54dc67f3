import { AppError } from '../shared/errors.js';

/**
 * The error an executor throws when its signal aborts. The engine aborts with a reason it chose
 * (an AppError('timed_out') on timeout, 'cancelled' on a user's cancel or at shutdown); that reason is
 * rethrown as is so the engine can tell which one ended the run. Any other reason becomes 'cancelled'.
 */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof AppError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new AppError('timed_out', 'The task ran past its timeout and was stopped.', undefined, {
      cause: reason,
    });
  }
  return new AppError('cancelled', 'The run was cancelled before it finished.', undefined, { cause: reason });
}

/** Throws {@link abortError} when the signal has aborted; called between batches and steps. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}
