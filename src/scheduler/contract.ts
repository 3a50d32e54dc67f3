import type pg from 'pg';
import type { RetryBackoffOptions } from '../domain/retry-backoff.js';
import type { TaskType } from '../domain/task-types.js';
import type { Executor } from '../executors/types.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import type { WorkerLiveness } from '../store/worker-liveness.js';
import type { SchedulerEvents } from './events.js';

/** The scheduler's options, dependencies and interface, with the defaults and why they are what they are. */

export interface SchedulerOptions {
  workerId: string;
  leaseSeconds: number;
  heartbeatSeconds: number;
  pollIntervalMs: number;
  claimBatchSize: number;
  maxConcurrentExecutions: number;
  shutdownGraceSeconds: number;
  catchupWindowSeconds: number;
  maxCatchupRuns: number;
  /** Occurrences up to this far ahead are claimed early; an idle task's slot is then recorded running
   * by the claim and its executor invoked by a local timer at the instant. */
  lookaheadMs?: number;
  /** A task claimed (due within the look-ahead) gets its occurrences planned up to look-ahead + this. */
  planAheadMs?: number;
  /** A queued execution is recorded running up to this long before its instant and its executor invoked
   * at the instant, so the start transaction's time (and a burst's queueing) is not added to its
   * lateness. Only executions of idle tasks start early; the others are decided at their instant. A
   * task whose run is in progress is claimed at the latest this long before its slot. */
  startLeadMs?: number;
  /** An occurrence later than this when planned counts as missed (misfire policy applies). */
  misfireThresholdMs?: number;
  backoff?: RetryBackoffOptions;
  /** How often lost runs are looked for; default a fifth of the lease, at most 1 s. */
  reapIntervalMs?: number;
  /** How often the overdue watch runs; default 10 s (grace periods are at least a minute). */
  overdueIntervalMs?: number;
}

export interface SchedulerDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** The executor of each task type (the registry). */
  executorFor: (type: TaskType) => Executor;
  /** Jitter source for retry backoff; injected so tests are deterministic. */
  random: () => number;
  options: SchedulerOptions;
  /**
   * Applied to every execution's log, error and result before they are stored (and so before Slack
   * shows them): known secrets and URL passwords become `***` (shared/redact.ts).
   */
  redact?: Redactor;
  /**
   * This replica's liveness lock (store/worker-liveness.ts). With it, runs of replicas that exited are
   * recovered within about two heartbeats instead of a lease; without it, by their leases alone.
   */
  liveness?: Pick<WorkerLiveness, 'heldSinceMs'>;
}

export interface TickReport {
  planned: number;
  claimed: number;
  started: number;
  skipped: number;
  reaped: number;
  overdue: number;
}

export interface Scheduler {
  readonly events: SchedulerEvents;
  readonly workerId: string;
  /** One pass at `now`: reap, plan, claim, start what is due, watch for overdue tasks. */
  tick(now?: Date): Promise<TickReport>;
  /**
   * Starts the loop with real timers: it sleeps until the next due instant, a running execution's
   * deadline, a wake-up (NOTIFY, Slack) or the poll interval (a safety net), whichever is first. The
   * lease reaper and the overdue watch run on a timer of their own, each a single cheap query while
   * there is nothing to do, so an idle replica costs next to nothing (docs/ENGINE.md, "Idle").
   */
  start(): void;
  /** Wakes the loop now (NOTIFY from execute_task_now, a Slack "run now"). */
  wake(): void;
  /**
   * NOTIFY chronops_cancel named this execution: if it runs here and its row says a cancel was requested
   * (cancel_requested_at, set by cancelExecution), abort it. Any session can send the NOTIFY, so it is
   * only a hint; without the request it is ignored with a warning. Resolves true when it aborted; never
   * rejects.
   */
  cancelLocal(executionId: string): Promise<boolean>;
  /**
   * Graceful shutdown (docs/ARCHITECTURE.md §5.12, docs/ENGINE.md "Shutdown"): from the call on, nothing
   * is claimed or started any more — not even by a tick in progress, whose remaining phases are
   * skipped; then unstarted claims are handed back, running executions get what is left of
   * `shutdownGraceSeconds` (counted from the call) to finish, and those still running are aborted and
   * settled (failed, retry policy applies). A second call returns the first one's promise.
   */
  stop(): Promise<void>;
  /** Resolves when nothing is running or waiting to be settled in this process. */
  idle(): Promise<void>;
  runningCount(): number;
  /** What this replica keeps in memory besides running executions (bounded; for diagnostics and tests). */
  cacheSizes(): { schedules: number; startContexts: number };
  lastTickAt(): Date | null;
  /** When the loop means to tick next (null when it is not running or ticking now). */
  nextWakeAt(): Date | null;
}

// Not a whole number of seconds: claiming the next occurrences of every-minute (every-hour, …) tasks
// then happens half a second away from the instants at which other executions start (measured at 1,000
// every-second tasks when claims were made at the look-ahead: p99 lateness 16 ms with 1.5 s, 20–28 ms
// with 1 s). An idle task's slot is started at its claim, so it may show as running this early.
export const DEFAULT_LOOKAHEAD_MS = 1500;
// Measured (docs/BENCHMARKS.md): a start transaction for a second's executions on a loaded replica
// takes 20–200 ms; started that much early, the executors still run at their instant. A task whose run
// is in progress is claimed at the latest this long before its slot.
export const DEFAULT_START_LEAD_MS = 250;
// Off by default. With it, a claim plans a task's occurrences up to look-ahead + this, so a task firing
// every second is claimed once for two occurrences (measured before slots were started at the claim:
// 14 % less PostgreSQL CPU per execution, but occasional late seconds for 1,000 every-second tasks on 3
// replicas; docs/BENCHMARKS.md).
export const DEFAULT_PLAN_AHEAD_MS = 0;
export const DEFAULT_MISFIRE_THRESHOLD_MS = 60_000;
export const DEFAULT_OVERDUE_INTERVAL_MS = 10_000;
export const DEFAULT_REAP_INTERVAL_MS = 1000;
// Tasks without a next run (created by SQL, or whose schedule was fixed) are looked for this often.
export const BACKFILL_INTERVAL_MS = 10_000;
