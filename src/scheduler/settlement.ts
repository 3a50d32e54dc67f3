import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import type { OutboundMessage } from '../executors/types.js';
import type { Clock } from '../shared/clock.js';
import { RECENT_SUCCESSES, type SettleInput, settleExecutions } from '../store/execution-settlement.js';
import type { StartedExecution } from '../store/execution-start.js';
import type { OutboxEntry } from '../store/outbox.js';
import { executionAlerts } from './alerts.js';
import type { SchedulerEvents } from './events.js';
import { createRecentDurations } from './recent-durations.js';

const SETTLE_BATCH_SIZE = 500;
/** Far above what one replica runs at once (MAX_CONCURRENT_EXECUTIONS is in the tens). */
export const START_CONTEXT_MAX = 10_000;

/**
 * Recording what finished in this replica (docs/ARCHITECTURE.md §5.3, §5.11): outcomes are batched — executions
 * finishing together are recorded in one transaction, with their alerts and the messages the executors
 * asked to send. A failed batch is kept and tried again (the lease keeps other replicas away meanwhile).
 */
export interface Settlement {
  /** Remembers where a started task's alerts go (read when its executions settle). */
  remember(execution: StartedExecution): void;
  /** An execution finished here: record it with the next batch. */
  finished(result: SettleInput): void;
  /** Finished here but not yet recorded: their leases must still be renewed, or our own reaper would
   * take a finished execution for a lost one when settling is slow. */
  unsettledIds(): Iterable<string>;
  /** The batches being recorded right now, if any. */
  inProgress(): Promise<void> | undefined;
  /** Outcomes are waiting to be recorded. */
  hasPending(): boolean;
  /** Started executions whose alert settings are kept until they settle. */
  trackedExecutions(): number;
  /** Records what is waiting, unless that is already under way. */
  flush(): void;
}

// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createSettlement(deps: {
  pool: pg.Pool;
  clock: Clock;
  workerId: string;
  events: SchedulerEvents;
  retryAt: (attempt: number) => Date;
  /** Keeps the work visible to the scheduler's idle() and stop(). */
  track: <T>(promise: Promise<T>) => Promise<T>;
  report: (phase: string, error: unknown) => void;
  /** A retry was queued: the loop should look for it. */
  wake: () => void;
  /** Shut down: stop retrying a batch that keeps failing. */
  givenUp: () => boolean;
}): Settlement {
  const { pool, clock, workerId, events } = deps;
  const queue: SettleInput[] = [];
  const unsettled = new Set<string>();
  const messagesByExecution = new Map<string, OutboundMessage[]>();
  // The alert settings of each execution started here, read when it settles, then dropped: bounded by
  // what runs at once. The LRU bound only guards against executions that never settle here (a lease
  // lost to another replica), which would otherwise be kept for the life of the process.
  const startContext = new LRUCache<string, { alertChannel: string | null; notifyOnSuccess: boolean }>({
    max: START_CONTEXT_MAX,
  });
  // Recent success durations for the anomaly check, so frequent tasks do not re-read their history on
  // every settle; re-read after a minute to take other replicas' runs into account.
  const recentDurations = createRecentDurations(clock, {
    window: RECENT_SUCCESSES,
    ttlMs: 60_000,
    maxTasks: 20_000,
  });
  let settling: Promise<void> | undefined;

  function flush(): void {
    if (settling) return;
    settling = deps.track(
      (async () => {
        await new Promise((resolve) => setImmediate(resolve));
        while (queue.length > 0) {
          const batch = queue.splice(0, SETTLE_BATCH_SIZE);
          try {
            await settleBatch(batch);
          } catch (error) {
            deps.report('settle', error);
            // Keep the outcomes: the next attempt records them (the lease keeps others away meanwhile).
            queue.unshift(...batch);
            await new Promise((resolve) => setTimeout(resolve, 500));
            if (deps.givenUp()) break;
          }
        }
      })().finally(() => {
        settling = undefined;
        if (queue.length > 0 && !deps.givenUp()) flush();
      }),
    );
  }

  async function settleBatch(batch: SettleInput[]): Promise<void> {
    const settled = await settleExecutions(pool, {
      outcomes: batch,
      now: clock.now(),
      workerId,
      retryAt: deps.retryAt,
      alerts: (rows) => [
        ...executionAlerts(rows, (row) => startContext.get(row.id)),
        ...rows.flatMap((row) => messageEntries(row.id, row.taskId)),
      ],
      durations: recentDurations,
    });
    for (const input of batch) unsettled.delete(input.id);
    for (const row of settled) {
      if (row.status === 'success' && row.durationMs !== null)
        recentDurations.record(row.taskId, row.durationMs);
      messagesByExecution.delete(row.id);
      startContext.delete(row.id);
      events.emit('execution.finished', row);
      if (row.retry) {
        events.emit('retry.scheduled', {
          executionId: row.id,
          retryId: row.retry.id,
          attempt: row.retry.attempt,
          runAfter: row.retry.runAfter,
        });
      }
    }
    if (settled.some((row) => row.retry)) deps.wake();
  }

  function extractMessages(result: SettleInput): OutboundMessage[] {
    const messages = result.result?.messages;
    if (!Array.isArray(messages)) return [];
    delete result.result?.messages;
    return messages as OutboundMessage[];
  }

  function messageEntries(executionId: string, taskId: string): OutboxEntry[] {
    const messages = messagesByExecution.get(executionId) ?? [];
    const channel = startContext.get(executionId)?.alertChannel ?? null;
    return messages.map((message, index) => ({
      kind: 'task_message' as const,
      dedupeKey: `task_message:${executionId}:${index}`,
      channel: message.channel ?? channel,
      taskId,
      executionId,
      payload: { text: message.text, blocks: message.blocks ?? null, file: message.file ?? null },
    }));
  }

  return {
    remember: (execution) =>
      startContext.set(execution.id, {
        alertChannel: execution.task.alertChannel,
        notifyOnSuccess: execution.task.notifyOnSuccess,
      }),
    finished: (result) => {
      unsettled.add(result.id);
      const messages = extractMessages(result);
      if (messages.length > 0) messagesByExecution.set(result.id, messages);
      queue.push(result);
      flush();
    },
    unsettledIds: () => unsettled,
    inProgress: () => settling,
    hasPending: () => queue.length > 0,
    trackedExecutions: () => startContext.size,
    flush,
  };
}
