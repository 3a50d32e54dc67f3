import type pg from 'pg';
import { nextRunAfter } from '../domain/cron.js';
import { decideOverlap } from '../domain/overlap.js';
import { DEFAULT_RETRY_BACKOFF, type RetryBackoffOptions, retryDelayMs } from '../domain/retry-backoff.js';
import type { TaskType } from '../domain/task-types.js';
import type { Executor } from '../executors/types.js';
import type { Clock } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import { isCancelRequested } from '../store/execution-commands.js';
import { reapExpiredLeases, releaseOwnedQueued, renewLeases } from '../store/execution-leases.js';
import { type StartedExecution, startExecutions } from '../store/execution-start.js';
import { detectOverdue } from '../store/overdue.js';
import {
  claimQueuedExecutions,
  listTasksWithoutNextRun,
  nextDueAt,
  type OwnedExecution,
  planDueOccurrences,
  setNextRuns,
} from '../store/planning.js';
import type { WorkerLiveness } from '../store/worker-liveness.js';
import { missedRunsAlert, overdueAlert, workerLostAlerts } from './alerts.js';
import { DueHeap } from './due-heap.js';
import { SchedulerEvents } from './events.js';
import { type RunningExecution, runExecution } from './execution-runner.js';
import { createInstantGates } from './instant-gates.js';
import { createOccurrencePlanner, type MissedRuns } from './occurrence-planner.js';
import { createSettlement } from './settlement.js';

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
const DEFAULT_LOOKAHEAD_MS = 1500;
// Measured (docs/BENCHMARKS.md): a start transaction for a second's executions on a loaded replica
// takes 20–200 ms; started that much early, the executors still run at their instant. A task whose run
// is in progress is claimed at the latest this long before its slot.
const DEFAULT_START_LEAD_MS = 250;
// Off by default. With it, a claim plans a task's occurrences up to look-ahead + this, so a task firing
// every second is claimed once for two occurrences (measured before slots were started at the claim:
// 14 % less PostgreSQL CPU per execution, but occasional late seconds for 1,000 every-second tasks on 3
// replicas; docs/BENCHMARKS.md).
const DEFAULT_PLAN_AHEAD_MS = 0;
const DEFAULT_MISFIRE_THRESHOLD_MS = 60_000;
// A deferred early start is tried again this much later (until its instant).
const EARLY_START_RETRY_MS = 100;
// How soon the loop looks again for tasks due within the look-ahead whose previous run was still in
// progress: their next slot is started at the claim once that run has ended.
const BUSY_RECHECK_MS = 50;
const MAX_PLAN_BATCHES_PER_TICK = 50;
const DEFAULT_OVERDUE_INTERVAL_MS = 10_000;
const DEFAULT_REAP_INTERVAL_MS = 1000;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { pool, clock, logger, options } = deps;
  const workerId = options.workerId;
  const events = new SchedulerEvents();
  events.on('error', () => {}); // an 'error' event without listener would throw
  const lookaheadMs = options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
  const startLeadMs = Math.min(options.startLeadMs ?? DEFAULT_START_LEAD_MS, lookaheadMs);
  const misfireThresholdMs = options.misfireThresholdMs ?? DEFAULT_MISFIRE_THRESHOLD_MS;
  const backoff = options.backoff ?? DEFAULT_RETRY_BACKOFF;
  const leaseMs = options.leaseSeconds * 1000;

  // Keyed by when to start (record running): the instant minus the lead, or the instant itself for an
  // execution whose early start was deferred.
  const heap = new DueHeap<OwnedExecution & { atMs: number }>();
  const running = new Map<string, RunningExecution>();
  const inFlight = new Set<Promise<unknown>>();
  const instantGate = createInstantGates(clock);
  const planner = createOccurrencePlanner({
    logger,
    planHorizonMs: lookaheadMs + (options.planAheadMs ?? DEFAULT_PLAN_AHEAD_MS),
    misfireThresholdMs,
    catchupWindowSeconds: options.catchupWindowSeconds,
    maxCatchupRuns: options.maxCatchupRuns,
  });

  let stopping = false;
  let loopRunning = false;
  let lastTick: Date | null = null;
  let lastReapMs = Number.NEGATIVE_INFINITY;
  let lastRenewMs = Number.NEGATIVE_INFINITY;
  let lastBackfillMs = Number.NEGATIVE_INFINITY;
  let lastOverdueMs = Number.NEGATIVE_INFINITY;
  // When a heartbeat or a reap last failed to reach the database (the reaper waits after it).
  let databaseTroubleAtMs = Number.NEGATIVE_INFINITY;
  let loopTimer: NodeJS.Timeout | undefined;
  let heapTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let maintenanceTimer: NodeJS.Timeout | undefined;
  let nextWakeMs: number | null = null;
  let wakeRequested = false;
  let wakeLoop: (() => void) | undefined;
  // The last plan stopped at its batch limit: more may be due now.
  let planBacklog = false;
  let loopDone: Promise<void> | undefined;

  const leaseUntil = (now: Date) => new Date(now.getTime() + leaseMs);
  const retryAt = (attempt: number) => new Date(clock.nowMs() + retryDelayMs(attempt, backoff, deps.random));
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    promise.then(
      () => inFlight.delete(promise),
      () => inFlight.delete(promise),
    );
    return promise;
  };
  const report = (phase: string, error: unknown) => {
    const err = toError(error);
    logger.error({ err, phase, workerId }, `scheduler ${phase} failed: ${err.message}`);
    events.emit('error', { phase, error: err });
  };

  const settlement = createSettlement({
    pool,
    clock,
    workerId,
    events,
    retryAt,
    track,
    report,
    wake: () => wake(),
    givenUp: () => stopping && !loopRunning,
  });

  // ---- planning -------------------------------------------------------------------------------

  const capacity = () => options.maxConcurrentExecutions - running.size - heap.size;

  const enqueueOwned = (owned: OwnedExecution[]) => {
    for (const item of owned) heap.push({ ...item, atMs: item.runAfter.getTime() - startLeadMs });
  };

  async function planDue(now: Date): Promise<{ planned: number; started: number; skipped: number }> {
    let planned = 0;
    let started = 0;
    let skipped = 0;
    planBacklog = false;
    for (let batch = 0; batch < MAX_PLAN_BATCHES_PER_TICK && !stopping; batch++) {
      const limit = Math.min(options.claimBatchSize, capacity());
      if (limit <= 0) break;
      const missed: MissedRuns[] = [];
      const horizon = new Date(now.getTime() + lookaheadMs);
      const outcome = await planDueOccurrences(pool, {
        now,
        horizon,
        // A task whose run is in progress is claimed once that run ends (its next slot is then
        // started at the claim), or at the latest within the start lead (queued, decided at its instant).
        busyHorizon: new Date(now.getTime() + startLeadMs),
        limit,
        workerId,
        leaseUntil: leaseUntil(now),
        plan: (task) => planner.planTask(task, now, missed),
        // Idle tasks' slots are started by the claim itself (docs/ENGINE.md, "Started at the claim").
        startBy: horizon,
        decide: (inputs) => decideOverlap(inputs),
        alerts: () => {
          const alert = missedRunsAlert(missed, `${workerId}:${now.toISOString()}:${batch}`);
          return alert ? [alert] : [];
        },
      });
      for (const item of missed) events.emit('runs.missed', item);
      for (const item of outcome.skipped) events.emit('execution.skipped', item);
      if (outcome.conflicts > 0) {
        logger.warn(
          { conflicts: outcome.conflicts },
          'occurrence rows already existed (refused by the unique index)',
        );
      }
      enqueueOwned(outcome.owned);
      for (const execution of outcome.started) launch(execution, now);
      planned += outcome.owned.length + outcome.started.length;
      started += outcome.started.length;
      skipped += outcome.skipped.length;
      if (outcome.tasksPlanned < limit) break;
      if (batch === MAX_PLAN_BATCHES_PER_TICK - 1) planBacklog = true;
    }
    return { planned, started, skipped };
  }

  async function claimQueued(now: Date): Promise<number> {
    const limit = Math.min(options.claimBatchSize, capacity());
    if (limit <= 0) return 0;
    const owned = await claimQueuedExecutions(pool, {
      horizon: new Date(now.getTime() + lookaheadMs),
      limit,
      workerId,
      leaseUntil: leaseUntil(now),
    });
    enqueueOwned(owned);
    return owned.length;
  }

  /** Fills in next_run_at for enabled tasks that have none, computing each distinct (cron, zone) once. */
  async function backfillNextRuns(now: Date): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const groups = await listTasksWithoutNextRun(pool, 10_000);
      if (groups.length === 0) return;
      await setNextRuns(
        pool,
        groups.map((group) => {
          const cron = planner.parsedCron(group.cron, group.timezone);
          return { ids: group.ids, nextRunAt: cron ? nextRunAfter(cron, now) : null };
        }),
      );
      // Tasks whose cron never fires again keep a null next run: stop when nothing changes.
      if (groups.every((group) => planner.parsedCron(group.cron, group.timezone) === null)) return;
    }
  }

  // ---- starting and running ----------------------------------------------------------------------

  // Start transactions in progress: shutdown waits for them before handing back what is still queued,
  // or the hand-back and a start would lock the same rows in opposite orders (a measured deadlock).
  const startsInFlight = new Set<Promise<unknown>>();

  function startDue(now: Date): Promise<{ started: number; skipped: number }> {
    const starting = startDueNow(now);
    startsInFlight.add(starting);
    const forget = () => startsInFlight.delete(starting);
    starting.then(forget, forget);
    return starting;
  }

  async function startDueNow(now: Date): Promise<{ started: number; skipped: number }> {
    // A heap timer that fired as stop began: its claims are handed back, not started.
    if (stopping) return { started: 0, skipped: 0 };
    const due = heap.popDue(now.getTime());
    if (due.length === 0) return { started: 0, skipped: 0 };
    let outcome: Awaited<ReturnType<typeof startExecutions>>;
    try {
      outcome = await startExecutions(pool, {
        executions: due,
        now,
        workerId,
        leaseUntil: leaseUntil(now),
        decide: (inputs) => decideOverlap(inputs),
      });
    } catch (error) {
      // Still ours in the database: put them back and try again at the next tick.
      for (const item of due) heap.push(item);
      throw error;
    }
    for (const item of outcome.skipped) events.emit('execution.skipped', item);
    if (outcome.deferred.length > 0) {
      // Their task was busy (its previous run not recorded yet, or its row locked by a claim): try
      // again shortly, still early, and at the latest decide at the instant itself, as the overlap
      // policy says. (Deferring straight to the instant piled a second's starts onto its instant under
      // load: measured, those seconds ran 0.4–0.8 s late and the next one was skipped.)
      const deferred = new Set(outcome.deferred);
      const retryAtMs = now.getTime() + EARLY_START_RETRY_MS;
      for (const item of due)
        if (deferred.has(item.id)) heap.push({ ...item, atMs: Math.min(item.runAfter.getTime(), retryAtMs) });
      // (the heap timer is re-armed by whoever called: the timer's own callback, or the loop after a tick)
    }
    for (const execution of outcome.started) launch(execution, now);
    return { started: outcome.started.length, skipped: outcome.skipped.length };
  }

  /** Runs an execution recorded running (by a start, or by the claim itself) whose start began at `now`. */
  function launch(execution: StartedExecution, now: Date): void {
    settlement.remember(execution);
    const emitStarted = (invokedAtMs: number) =>
      events.emit('execution.started', {
        id: execution.id,
        taskId: execution.taskId,
        taskName: execution.task.name,
        taskType: execution.task.type,
        scheduledFor: execution.scheduledFor,
        latenessMs: execution.scheduledFor ? invokedAtMs - execution.scheduledFor.getTime() : null,
        trigger: execution.trigger,
      });
    // Started early (recorded with its instant, after this start's `now`): invoke it at the instant,
    // and measure its lateness there. Otherwise the executor is invoked right away, within this call.
    const startAtMs = execution.startedAt.getTime();
    const gate = startAtMs > now.getTime() ? instantGate(startAtMs) : undefined;
    const runner = runExecution(execution, deps.executorFor(execution.task.type), clock, {
      ...(gate ? { gate, onInvoke: emitStarted } : {}),
      ...(deps.redact ? { redact: deps.redact } : {}),
    });
    running.set(execution.id, runner);
    if (!gate) emitStarted(Math.max(clock.nowMs(), now.getTime()));
    track(
      runner.done.then((result) => {
        running.delete(execution.id);
        if (result) settlement.finished(result);
      }),
    );
  }

  // ---- leases -------------------------------------------------------------------------------------

  async function renew(now: Date): Promise<void> {
    const ids = [...running.keys(), ...settlement.unsettledIds()];
    if (ids.length === 0) return;
    let renewed: Awaited<ReturnType<typeof renewLeases>>;
    try {
      renewed = await renewLeases(pool, { ids, now, leaseUntil: leaseUntil(now), workerId });
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
      report('cancel', error);
      return false;
    }
    const runner = running.get(executionId);
    runner?.abort('cancelled');
    return runner !== undefined;
  }

  async function reap(now: Date): Promise<number> {
    // Coming back from a database outage, every replica's leases may have lapsed meanwhile: give the
    // others two heartbeats to renew theirs before judging them (this one failed to reach it too).
    if (now.getTime() - databaseTroubleAtMs < 2 * options.heartbeatSeconds * 1000) return 0;
    const { lost, workers } = await reapExpiredLeases(pool, {
      now,
      limit: 1000,
      // Losing its worker is not the task's fault: the retry starts now, without the failure backoff
      // (it still counts as an attempt, so a task that kills its replica cannot loop forever).
      retryAt: () => now,
      ...orphanCutoff(now),
      alerts: (rows, byExecution) => workerLostAlerts(rows, byExecution),
    });
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

  /**
   * The heartbeat age past which a run of a worker that has exited (no liveness lock) is recovered:
   * one and a half heartbeat intervals, so a heartbeat in flight at the check is not mistaken for none.
   * Only while this replica's own lock has been held for two intervals: after a database restart every
   * lock was dropped at once, and the other replicas need that long to take theirs again.
   */
  function orphanCutoff(now: Date): { orphanedHeartbeatBefore?: Date } {
    const heldSince = deps.liveness?.heldSinceMs() ?? null;
    const heartbeatMs = options.heartbeatSeconds * 1000;
    if (heldSince === null || now.getTime() - heldSince < 2 * heartbeatMs) return {};
    return { orphanedHeartbeatBefore: new Date(now.getTime() - 1.5 * heartbeatMs) };
  }

  function enforceDeadlines(now: Date): void {
    for (const runner of running.values()) if (now.getTime() >= runner.deadlineMs) runner.abort('timeout');
  }

  // ---- maintenance: leases and the overdue watch ----------------------------------------------------

  type Phase = (name: string, work: () => Promise<void>) => Promise<void>;
  // A lost run is found at most this long after its lease lapses or its worker's lock is released;
  // each look is one indexed read of the few running rows (docs/ENGINE.md, "Crash recovery").
  const reapIntervalMs = options.reapIntervalMs ?? Math.min(leaseMs / 5, DEFAULT_REAP_INTERVAL_MS);
  const overdueIntervalMs = options.overdueIntervalMs ?? DEFAULT_OVERDUE_INTERVAL_MS;

  /** Recovers expired leases when the reap interval has passed; returns how many runs were lost. */
  async function maintainLeases(now: Date, phase: Phase): Promise<number> {
    if (now.getTime() - lastReapMs < reapIntervalMs) return 0;
    lastReapMs = now.getTime();
    let reaped = 0;
    await phase('reap', async () => {
      try {
        reaped = await reap(now);
      } catch (error) {
        databaseTroubleAtMs = now.getTime();
        throw error;
      }
    });
    return reaped;
  }

  /** Raises overdue alerts when the overdue interval has passed; returns how many were raised. */
  async function watchOverdue(now: Date, phase: Phase): Promise<number> {
    if (now.getTime() - lastOverdueMs < overdueIntervalMs) return 0;
    lastOverdueMs = now.getTime();
    let raised = 0;
    await phase('overdue', async () => {
      const overdue = await detectOverdue(pool, { now, alert: overdueAlert });
      raised = overdue.length;
      for (const task of overdue) events.emit('overdue', task);
    });
    return raised;
  }

  /** What the maintenance timer runs between ticks: no planning, no claim, one query per phase. */
  async function maintain(): Promise<void> {
    const now = clock.now();
    const phase: Phase = async (name, work) => {
      try {
        await work();
      } catch (error) {
        report(name, error);
      }
    };
    const reaped = await maintainLeases(now, phase);
    await watchOverdue(now, phase);
    // Recovered runs are retried at once (worker loss is not the task's fault): plan them now.
    if (reaped > 0) wake();
  }

  // ---- the tick --------------------------------------------------------------------------------------

  async function tick(at?: Date): Promise<TickReport> {
    const now = at ?? clock.now();
    const startedMs = performance.now();
    const result: TickReport = { planned: 0, claimed: 0, started: 0, skipped: 0, reaped: 0, overdue: 0 };
    enforceDeadlines(now);
    // Record what already finished first, so this tick plans against up-to-date rows.
    await settlement.inProgress()?.catch(() => {});
    const phase = async (name: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        report(name, error);
      }
    };
    if (now.getTime() - lastRenewMs >= options.heartbeatSeconds * 1000) {
      lastRenewMs = now.getTime();
      await phase('renew', () => renew(now));
    }
    result.reaped = await maintainLeases(now, phase);
    if (now.getTime() - lastBackfillMs >= 10_000) {
      lastBackfillMs = now.getTime();
      await phase('backfill', () => backfillNextRuns(now));
    }
    // `stopping` is read before each phase: a stop that began while this tick was awaiting the database
    // claims and starts nothing more (what the phase in flight claimed is handed back by stop).
    if (!stopping) {
      await phase('plan', async () => {
        const planned = await planDue(now);
        result.planned = planned.planned;
        result.started += planned.started;
        result.skipped += planned.skipped;
      });
    }
    if (!stopping) {
      await phase('claim', async () => {
        result.claimed = await claimQueued(now);
      });
    }
    if (!stopping) {
      // What was just claimed ahead must start on its instant even if the rest of this tick runs past
      // it (measured: a 10,000-task burst started 60–220 ms late when the timer waited for the tick).
      if (loopRunning) armHeapTimer();
      await phase('start', async () => {
        const started = await startDue(now);
        result.started += started.started;
        result.skipped += started.skipped;
      });
    }
    result.overdue = await watchOverdue(now, phase);
    lastTick = now;
    events.emit('tick', {
      at: now,
      planned: result.planned,
      started: result.started,
      durationMs: performance.now() - startedMs,
    });
    return result;
  }

  // ---- the loop (real timers) --------------------------------------------------------------------------

  function armHeapTimer(): void {
    if (heapTimer) clearTimeout(heapTimer);
    heapTimer = undefined;
    const top = heap.peek();
    if (!top || stopping) return;
    heapTimer = setTimeout(
      () => {
        heapTimer = undefined;
        const now = clock.now();
        track(
          startDue(now)
            .catch((error: unknown) => report('start', error))
            .finally(armHeapTimer),
        );
      },
      Math.max(0, top.atMs - clock.nowMs()),
    );
  }

  /** When the loop should tick again for the earliest due instant `nextMs`. */
  function wakeAtMs(nextMs: number): number {
    const nowMs = clock.nowMs();
    const atMs = nextMs - lookaheadMs;
    if (atMs > nowMs || planBacklog || stopping) return atMs;
    // Due within the look-ahead yet left unclaimed by the last tick: a task whose run is still in
    // progress (claimed when it ends, at the latest within the start lead), or a run queued behind
    // one. Look again shortly, not in a busy loop.
    return Math.max(nowMs + 1, Math.min(nextMs - startLeadMs, nowMs + BUSY_RECHECK_MS));
  }

  function wake(): void {
    wakeRequested = true;
    wakeLoop?.();
  }

  /** The earliest deadline of a run in this process: the loop wakes to enforce it on time. */
  function earliestDeadlineMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const runner of running.values()) earliest = Math.min(earliest, runner.deadlineMs);
    return earliest;
  }

  async function loop(): Promise<void> {
    while (loopRunning && !stopping) {
      wakeRequested = false;
      nextWakeMs = null;
      await tick();
      armHeapTimer();
      let sleepMs = options.pollIntervalMs;
      try {
        const next = await nextDueAt(pool);
        if (next) sleepMs = Math.min(sleepMs, Math.max(0, wakeAtMs(next.getTime()) - clock.nowMs()));
      } catch (error) {
        report('next-due', error);
      }
      sleepMs = Math.min(sleepMs, Math.max(0, earliestDeadlineMs() - clock.nowMs()));
      if (wakeRequested || !loopRunning || stopping) continue;
      nextWakeMs = clock.nowMs() + sleepMs;
      await new Promise<void>((resolve) => {
        wakeLoop = resolve;
        loopTimer = setTimeout(resolve, sleepMs);
      });
      wakeLoop = undefined;
      if (loopTimer) clearTimeout(loopTimer);
    }
  }

  function start(): void {
    if (loopRunning) return;
    loopRunning = true;
    heartbeatTimer = setInterval(() => {
      const now = clock.now();
      enforceDeadlines(now);
      lastRenewMs = now.getTime();
      track(renew(now).catch((error: unknown) => report('renew', error)));
    }, options.heartbeatSeconds * 1000);
    let maintaining = false;
    maintenanceTimer = setInterval(
      () => {
        if (maintaining || stopping) return;
        maintaining = true;
        track(maintain().finally(() => (maintaining = false)));
      },
      Math.max(100, Math.min(reapIntervalMs, overdueIntervalMs)),
    );
    // Not tracked in inFlight: idle() waits for work, not for the loop itself.
    loopDone = loop().catch((error: unknown) => report('loop', error));
  }

  let stopped: Promise<void> | undefined;

  function stop(): Promise<void> {
    stopped ??= shutDown();
    return stopped;
  }

  async function shutDown(): Promise<void> {
    // Synchronously, before the first await: from here on nothing is claimed or started.
    stopping = true;
    loopRunning = false;
    const graceMs = options.shutdownGraceSeconds * 1000;
    const graceEndsMs = performance.now() + graceMs;
    wakeLoop?.();
    if (heapTimer) clearTimeout(heapTimer);
    if (loopTimer) clearTimeout(loopTimer);
    logger.info(
      { workerId, running: running.size, graceSeconds: options.shutdownGraceSeconds },
      'shutting down: claiming and starting nothing more',
    );
    // Claimed but not started: hand them back so another replica starts them on time. A claim or
    // start transaction already under way is waited for first (it may still add to what is ours).
    heap.drain();
    await loopDone;
    await Promise.allSettled([...startsInFlight]);
    heap.drain();
    try {
      const released = await releaseOwnedQueued(pool, workerId);
      if (released > 0) logger.info({ released }, 'handed back claimed executions that had not started');
    } catch (error) {
      report('release', error);
    }
    if (running.size > 0) {
      const names = [...running.values()].map((runner) => runner.execution.task.name);
      const waitMs = Math.max(0, graceEndsMs - performance.now());
      logger.info(
        { running: running.size, executionIds: [...running.keys()].slice(0, 20), waitMs: Math.round(waitMs) },
        `waiting up to ${Math.ceil(waitMs / 1000)} s for ${running.size} running execution${running.size === 1 ? '' : 's'}: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`,
      );
      let timer: NodeJS.Timeout | undefined;
      const allDone = Promise.all([...running.values()].map((runner) => runner.done));
      const timedOut = await Promise.race([
        allDone.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), waitMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ running: running.size }, 'grace period over: aborting running executions');
        for (const runner of running.values()) runner.abort('shutdown');
      }
    }
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    if (maintenanceTimer) clearInterval(maintenanceTimer);
    await idle();
  }

  async function idle(): Promise<void> {
    while (inFlight.size > 0 || running.size > 0 || settlement.hasPending()) {
      if (settlement.hasPending()) settlement.flush();
      await Promise.allSettled([...inFlight, ...[...running.values()].map((runner) => runner.done)]);
    }
  }

  return {
    events,
    workerId,
    tick,
    start,
    wake,
    cancelLocal,
    stop,
    idle,
    runningCount: () => running.size,
    cacheSizes: () => ({
      schedules: planner.cachedSchedules(),
      startContexts: settlement.trackedExecutions(),
    }),
    lastTickAt: () => lastTick,
    nextWakeAt: () => (nextWakeMs === null ? null : new Date(nextWakeMs)),
  };
}
