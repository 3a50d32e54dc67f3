import { EventEmitter } from 'node:events';
import type { MissedSummary } from '../domain/slot-planning.js';
import type { SettledExecution } from '../store/execution-settlement.js';
import type { OverdueTask } from '../store/overdue.js';

/**
 * The engine's typed event stream. Tests await these instead of sleeping; metrics and logs subscribe.
 * Alert-worthy events are also written to notification_outbox in the transaction that caused them —
 * events are for observers in this process, the outbox is what reaches Slack.
 */
export interface SchedulerEventMap {
  'execution.started': [
    {
      id: string;
      taskId: string;
      taskName: string;
      taskType: string;
      scheduledFor: Date | null;
      latenessMs: number | null;
      trigger: string;
    },
  ];
  'execution.finished': [SettledExecution];
  'execution.skipped': [{ id: string; taskId: string; scheduledFor: Date | null; reason: string | null }];
  'retry.scheduled': [{ executionId: string; retryId: string; attempt: number; runAfter: Date }];
  'worker.lost': [{ execution: SettledExecution; workerId: string | null }];
  overdue: [OverdueTask];
  'runs.missed': [{ taskId: string; taskName: string; summary: MissedSummary }];
  tick: [{ at: Date; planned: number; started: number; durationMs: number }];
  error: [{ phase: string; error: Error }];
}

export class SchedulerEvents extends EventEmitter<SchedulerEventMap> {
  /** Resolves with the first event of `name` matching `predicate` (tests, graceful flows). */
  waitFor<K extends keyof SchedulerEventMap>(
    name: K,
    predicate: (...args: SchedulerEventMap[K]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<SchedulerEventMap[K]> {
    return new Promise((resolve, reject) => {
      const listener = (...args: SchedulerEventMap[K]) => {
        if (!predicate(...args)) return;
        clearTimeout(timer);
        this.off(name, listener as never);
        resolve(args);
      };
      const timer = setTimeout(() => {
        this.off(name, listener as never);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for scheduler event "${String(name)}"`));
      }, timeoutMs);
      this.on(name, listener as never);
    });
  }
}
