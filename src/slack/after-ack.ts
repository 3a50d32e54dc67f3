import pLimit from 'p-limit';

/**
 * Runs the work listeners do after acknowledging a request (queries, rendering, the answer to Slack) at
 * most `concurrency` at a time, in arrival order.
 *
 * Why: Slack needs the acknowledgement within 3 s, the answer can come later (a response_url stays valid
 * for 30 minutes). In one Node process both share one event loop, and a new request is read and
 * acknowledged only when the loop gets to it: under a burst, every handler already started adds its
 * callbacks (query results, Block Kit rendering, HTTP answers) to each turn of the loop, so the
 * acknowledgements wait behind the answers. Holding the surplus here keeps each turn short: acks stay
 * fast, the answers run in order at the same total throughput (the work waited for a pooled database
 * connection anyway).
 */
export interface AfterAckQueue {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Work started and not finished. */
  readonly running: number;
  /** Work waiting for a slot. */
  readonly waiting: number;
}

export function createAfterAckQueue(concurrency: number): AfterAckQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`createAfterAckQueue: concurrency must be a positive integer, got ${concurrency}`);
  // p-limit: first in, first out, a slot freed whether the work resolves or throws.
  const limit = pLimit(concurrency);
  return {
    run: (work) => limit(work),
    get running() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount;
    },
  };
}
