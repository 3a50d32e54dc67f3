import { detectDurationAnomaly } from '../domain/duration-anomaly.js';
import type { MissedSummary } from '../domain/slot-planning.js';
import type { SettledExecution } from '../store/execution-settlement.js';
import type { OutboxEntry } from '../store/outbox.js';
import type { OverdueTask } from '../store/overdue.js';

/**
 * Outbox entries for the engine's alert-worthy events. The payload is data, not Block Kit: the notifier
 * renders it (in the configured language) when it delivers. Dedupe keys make each alert unique per
 * occurrence or execution, so a retried transaction or a second replica cannot raise it twice.
 */
const ERROR_EXCERPT_CHARS = 500;

export function executionAlerts(
  settled: readonly SettledExecution[],
  /** The task's alert settings as they were when this execution started. */
  context: (
    execution: SettledExecution,
  ) => { alertChannel: string | null; notifyOnSuccess: boolean } | undefined,
): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const execution of settled) {
    const task = context(execution);
    const base = {
      taskId: execution.taskId,
      taskName: execution.taskName,
      executionId: execution.id,
      attempt: execution.attempt,
      maxAttempts: execution.maxRetries + 1,
      status: execution.status,
      durationMs: execution.durationMs,
      scheduledFor: execution.scheduledFor?.toISOString() ?? null,
      errorCode: execution.errorCode,
    };
    if (execution.status === 'failed' || execution.status === 'timed_out') {
      entries.push({
        ...envelope('execution_failed', execution, task?.alertChannel ?? null),
        payload: {
          ...base,
          error: excerpt(execution.error),
          retry: retryOf(execution),
        },
      });
    } else if (execution.status === 'success' && (task?.notifyOnSuccess || execution.attempt > 1)) {
      // A success after failed attempts resolves the failure alert (updated in place by the notifier).
      entries.push({
        ...envelope('execution_succeeded', execution, task?.alertChannel ?? null),
        payload: { ...base, notify: Boolean(task?.notifyOnSuccess), recovered: execution.attempt > 1 },
      });
    }
    if (execution.status === 'success' && execution.recentSuccessDurationsMs) {
      const anomaly = detectDurationAnomaly(execution.durationMs, execution.recentSuccessDurationsMs);
      if (anomaly) {
        entries.push({
          ...envelope('duration_anomaly', execution, task?.alertChannel ?? null),
          payload: {
            taskId: execution.taskId,
            taskName: execution.taskName,
            executionId: execution.id,
            durationMs: anomaly.durationMs,
            medianMs: anomaly.medianMs,
            samples: anomaly.samples,
            direction: anomaly.direction,
            ratio: Math.round(anomaly.ratio * 100) / 100,
          },
        });
      }
    }
  }
  return entries;
}

export function workerLostAlerts(
  lost: readonly SettledExecution[],
  workers: Map<string, string | null>,
): OutboxEntry[] {
  return lost.map((execution) => ({
    ...envelope('worker_lost', execution, null),
    payload: {
      taskId: execution.taskId,
      taskName: execution.taskName,
      executionId: execution.id,
      workerId: workers.get(execution.id) ?? null,
      attempt: execution.attempt,
      maxAttempts: execution.maxRetries + 1,
      error: excerpt(execution.error),
      errorCode: execution.errorCode ?? 'worker_lost',
      retry: retryOf(execution),
    },
  }));
}

export function overdueAlert(task: OverdueTask): OutboxEntry {
  return {
    kind: 'overdue',
    dedupeKey: `overdue:${task.taskId}:${task.occurrence.toISOString()}`,
    channel: task.alertChannel,
    taskId: task.taskId,
    payload: {
      taskId: task.taskId,
      taskName: task.taskName,
      occurrence: task.occurrence.toISOString(),
      lateByMs: task.lateByMs,
      graceSeconds: task.graceSeconds,
      // Likely causes from the guide: a stuck run, a previous error, or no worker claiming.
      isRunning: task.isRunning,
      lastStatus: task.lastStatus,
    },
  };
}

export function missedRunsAlert(
  items: ReadonlyArray<{ taskId: string; taskName: string; summary: MissedSummary }>,
  key: string,
): OutboxEntry | undefined {
  if (items.length === 0) return undefined;
  return {
    kind: 'missed_runs',
    dedupeKey: `missed_runs:${key}`,
    channel: null,
    payload: {
      tasks: items.map((item) => ({
        taskId: item.taskId,
        taskName: item.taskName,
        policy: item.summary.policy,
        missedCount: item.summary.missedCount,
        truncated: item.summary.truncated,
        firstMissedFor: item.summary.firstMissedFor.toISOString(),
        lastMissedFor: item.summary.lastMissedFor.toISOString(),
        ran: item.summary.ran.map((at) => at.toISOString()),
        skippedCount: item.summary.skippedCount,
      })),
    },
  };
}

/** The fields every execution alert shares: kind, one alert per execution, channel, links. */
function envelope(kind: OutboxEntry['kind'], execution: SettledExecution, channel: string | null) {
  return {
    kind,
    dedupeKey: `${kind}:${execution.id}`,
    channel,
    taskId: execution.taskId,
    executionId: execution.id,
  };
}

function retryOf(execution: SettledExecution) {
  return execution.retry
    ? {
        executionId: execution.retry.id,
        attempt: execution.retry.attempt,
        runAfter: execution.retry.runAfter.toISOString(),
      }
    : null;
}

function excerpt(text: string | null): string | null {
  if (text === null) return null;
  return text.length > ERROR_EXCERPT_CHARS ? `${text.slice(0, ERROR_EXCERPT_CHARS - 1)}…` : text;
}
