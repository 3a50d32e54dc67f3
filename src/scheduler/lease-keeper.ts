import type pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { isCancelRequested } from '../store/execution-commands.js';
import { reapExpiredLeases, renewLeases } from '../store/execution-leases.js';
import type { WorkerLiveness } from '../store/worker-liveness.js';
import { workerLostAlerts } from './alerts.js';
import type { SchedulerEvents } from './events.js';
import type { RunningExecution } from './execution-runner.js';

export interface LeaseKeeper {
  /** Heartbeat: renews the leases of what runs (or waits to be recorded) here; aborts lost or cancelled runs. */
  renew(now: Date): Promise<void>;
  /** A chronops_cancel notification for this execution: honoured only when its row asks for it. */
  cancelLocal(executionId: string): Promise<boolean>;
  /** Recovers other replicas' lost runs; returns how many. */
  reap(now: Date): Promise<number>;
  /** A heartbeat or a reap failed to reach the database at `now` (the reaper then waits). */
  noteDatabaseTrouble(now: Date): void;
}

/** Leases (docs/ENGINE.md, "Crash recovery"): renewing ours, honouring cancels, recovering others'. */
// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createLeaseKeeper(deps: {
  pool: pg.Pool;
  logger: Logger;
  workerId: string;
  events: SchedulerEvents;
  heartbeatSeconds: number;
  leaseUntil: (now: Date) => Date;
  running: ReadonlyMap<string, RunningExecution>;
  /** Finished here but not yet recorded: their leases must be renewed too. */
  unsettledIds: () => Iterable<string>;
  liveness?: Pick<WorkerLiveness, 'heldSinceMs'>;
  report: (phase: string, error: unknown) => void;
}): LeaseKeeper {
  const { pool, logger, workerId, events, running } = deps;
  const heartbeatMs = deps.heartbeatSeconds * 1000;
  let databaseTroubleAtMs = Number.NEGATIVE_INFINITY;

  async function renew(now: Date): Promise<void> {
    const ids = [...running.keys(), ...deps.unsettledIds()];
    if (ids.length === 0) return;
    let renewed: Awaited<ReturnType<typeof renewLeases>>;
    try {
      renewed = await renewLeases(pool, { ids, now, leaseUntil: deps.leaseUntil(now), workerId });
    } catch (error) {
      databaseTroubleAtMs = now.getTime();
      throw error;
    }
    const { alive, cancelRequested } = renewed;
    for (const id of ids) {
      const runner = running.get(id);
      if (!runner) continue;
      if (!alive.has(id)) {
        logger.warn(
          { executionId: id },
          'lost the lease of a running execution (reaped by another replica); abandoning it',
        );
        runner.abort('lease_lost');
      } else if (cancelRequested.has(id)) runner.abort('cancelled');
    }
  }

  async function cancelLocal(executionId: string): Promise<boolean> {
    // Not ours (or not an execution id at all): nothing to look up.
    if (!running.has(executionId)) return false;
    try {
      if (!(await isCancelRequested(pool, executionId))) {
        logger.warn(
          { executionId },
          'ignored a chronops_cancel notification: nobody asked to cancel this execution (cancel_requested_at is not set)',
        );
        return false;
      }
    } catch (error) {
      // The next heartbeat reads cancel_requested_at anyway (renewLeases).
      deps.report('cancel', error);
      return false;
    }
    const runner = running.get(executionId);
    runner?.abort('cancelled');
    return runner !== undefined;
  }

  /**
   * The heartbeat age past which a run of a worker that has exited (no liveness lock) is recovered:
   * one and a half heartbeat intervals, so a heartbeat in flight at the check is not mistaken for none.
   * Only while this replica's own lock has been held for two intervals: after a database restart every
   * lock was dropped at once, and the other replicas need that long to take theirs again.
   */
  function orphanCutoff(now: Date): { orphanedHeartbeatBefore?: Date } {
    const heldSince = deps.liveness?.heldSinceMs() ?? null;
    if (heldSince === null || now.getTime() - heldSince < 2 * heartbeatMs) return {};
    return { orphanedHeartbeatBefore: new Date(now.getTime() - 1.5 * heartbeatMs) };
  }

  async function reap(now: Date): Promise<number> {
    // Coming back from a database outage, every replica's leases may have lapsed meanwhile: give the
    // others two heartbeats to renew theirs before judging them (this one failed to reach it too).
    if (now.getTime() - databaseTroubleAtMs < 2 * heartbeatMs) return 0;
    let outcome: Awaited<ReturnType<typeof reapExpiredLeases>>;
    try {
      outcome = await reapExpiredLeases(pool, {
        now,
        limit: 1000,
        // Losing its worker is not the task's fault: the retry starts now, without the failure backoff
        // (it still counts as an attempt, so a task that kills its replica cannot loop forever).
        retryAt: () => now,
        ...orphanCutoff(now),
        alerts: (rows, byExecution) => workerLostAlerts(rows, byExecution),
      });
    } catch (error) {
      databaseTroubleAtMs = now.getTime();
      throw error;
    }
    const { lost, workers } = outcome;
    for (const execution of lost) {
      events.emit('worker.lost', { execution, workerId: workers.get(execution.id) ?? null });
      if (execution.retry) {
        events.emit('retry.scheduled', {
          executionId: execution.id,
          retryId: execution.retry.id,
          attempt: execution.retry.attempt,
          runAfter: execution.retry.runAfter,
        });
      }
    }
    return lost.length;
  }

  return {
    renew,
    cancelLocal,
    reap,
    noteDatabaseTrouble: (now) => {
      databaseTroubleAtMs = now.getTime();
    },
  };
}
