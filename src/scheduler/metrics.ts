import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SchedulerEvents } from './events.js';

/**
 * Prometheus metrics of the engine, fed by its event stream (so the engine itself stays free of
 * instrumentation code). Served on /metrics by main.ts.
 *
 * Stays whole: the metric definitions and the events that feed them, side by side.
 */
export function observeScheduler(registry: Registry, events: SchedulerEvents): void {
  const executions = new Counter({
    name: 'chronops_executions_total',
    help: 'Executions that reached a terminal state, by status and task type.',
    labelNames: ['status', 'type'] as const,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'chronops_slots_skipped_total',
    help: 'Occurrences recorded as skipped, by reason (overlap, misfire, not approved).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'chronops_execution_lateness_seconds',
    help: 'Start instant minus scheduled instant, for scheduled occurrences.',
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'chronops_execution_duration_seconds',
    help: 'Execution durations, by task type.',
    labelNames: ['type'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const reaped = new Counter({
    name: 'chronops_leases_reaped_total',
    help: 'Running executions recovered from a lost worker (lease expired).',
    registers: [registry],
  });
  const retries = new Counter({
    name: 'chronops_retries_scheduled_total',
    help: 'Automatic retries queued after a failure.',
    registers: [registry],
  });
  const overdue = new Counter({
    name: 'chronops_overdue_total',
    help: 'Overdue occurrences detected (one per occurrence).',
    registers: [registry],
  });
  const missed = new Counter({
    name: 'chronops_missed_occurrences_total',
    help: 'Occurrences missed while no scheduler ran, handled by the misfire policy.',
    labelNames: ['policy'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'chronops_scheduler_errors_total',
    help: 'Errors in a scheduler phase (the loop keeps running).',
    labelNames: ['phase'] as const,
    registers: [registry],
  });
  const lastTick = new Gauge({
    name: 'chronops_scheduler_last_tick_timestamp_seconds',
    help: 'Instant of the last completed scheduler tick (database time).',
    registers: [registry],
  });
  const tickDuration = new Histogram({
    name: 'chronops_scheduler_tick_duration_seconds',
    help: 'Duration of one scheduler tick.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });

  // The finished event does not repeat the type: remember it from the start (bounded by running count).
  const typeOf = new Map<string, string>();
  events.on('execution.started', (started) => {
    typeOf.set(started.id, started.taskType);
    if (started.latenessMs !== null && (started.trigger === 'schedule' || started.trigger === 'catchup')) {
      lateness.observe(Math.max(0, started.latenessMs) / 1000);
    }
  });
  events.on('execution.finished', (finished) => {
    const type = typeOf.get(finished.id) ?? 'unknown';
    typeOf.delete(finished.id);
    executions.inc({ status: finished.status, type });
    duration.observe({ type }, finished.durationMs / 1000);
  });
  events.on('execution.skipped', (slot) => skipped.inc({ reason: slot.reason ?? 'unknown' }));
  events.on('worker.lost', ({ execution }) => {
    reaped.inc();
    executions.inc({ status: execution.status, type: 'unknown' });
  });
  events.on('retry.scheduled', () => retries.inc());
  events.on('overdue', () => overdue.inc());
  events.on('runs.missed', ({ summary }) => missed.inc({ policy: summary.policy }, summary.missedCount));
  events.on('error', ({ phase }) => errors.inc({ phase }));
  events.on('tick', ({ at, durationMs }) => {
    lastTick.set(at.getTime() / 1000);
    tickDuration.observe(durationMs / 1000);
  });
}
