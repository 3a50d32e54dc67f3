import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { OutboxWorkerDeps } from '../notify/outbox-worker.js';
import type { SchedulerEvents } from '../scheduler/events.js';
import { observeScheduler } from '../scheduler/metrics.js';
import { countPendingOutbox } from '../store/outbox.js';

/** What the outbox worker reports to /metrics. */
export type AlertMetrics = Required<Pick<OutboxWorkerDeps, 'onAttempt' | 'onDead'>>;

/**
 * The registry behind `/metrics`: process defaults, the scheduler's figures, alert deliveries, and the
 * outbox's backlog read from the database when Prometheus scrapes (shared by every replica).
 */
export function createServiceMetrics(deps: {
  events: SchedulerEvents;
  /** The HTTP role's pool: a scrape never takes a connection from the scheduler. */
  pool: pg.Pool;
  /** Alerts given up, in every replica (0 when this replica delivers none). */
  deadAlerts: () => Promise<number>;
}): { registry: Registry; alertMetrics: AlertMetrics } {
  const registry = new Registry();
  // prom-client samples event-loop delay every 10 ms by default: 100 wake-ups a second, most of an
  // idle replica's CPU (measured: docs/BENCHMARKS.md, "Idle"). Once a second is plenty for a gauge.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });
  observeScheduler(registry, deps.events);
  const attempts = new Counter({
    name: 'chronops_outbox_deliveries_total',
    help: 'Alert delivery attempts to Slack by outcome (failed: 429 excluded, retried with backoff).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const dead = new Counter({
    name: 'chronops_outbox_dead_total',
    help: 'Alerts given up by this replica, by reason: permanent (Slack refused them for good), retry_window (transient failures outlasted ALERT_RETRY_FOR_MINUTES), no_channel (nowhere to send them).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'chronops_outbox_backlog',
    help: 'Alerts waiting for delivery to Slack.',
    registers: [registry],
    collect: async function collect() {
      this.set(await countPendingOutbox(deps.pool));
    },
  });
  new Gauge({
    name: 'chronops_outbox_undeliverable',
    help: 'Alerts given up (status dead), in every replica: listed by /tasks alerts and on the App Home, where operators redeliver them.',
    registers: [registry],
    collect: async function collect() {
      this.set(await deps.deadAlerts());
    },
  });
  return {
    registry,
    alertMetrics: {
      onAttempt: (outcome) => attempts.inc({ outcome }),
      onDead: (reason) => dead.inc({ reason }),
    },
  };
}
