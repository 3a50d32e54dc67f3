import { DEFAULT_RETRY_BACKOFF, retryDelayMs } from '../domain/retry-backoff.js';
import { every } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import { releaseOwnedQueued } from '../store/execution-leases.js';
import { detectOverdue } from '../store/overdue.js';
import { nextDueAt } from '../store/planning.js';
import { overdueAlert } from './alerts.js';
import { createClaims } from './claims.js';
import {
  BACKFILL_INTERVAL_MS,
  DEFAULT_LOOKAHEAD_MS,
  DEFAULT_MISFIRE_THRESHOLD_MS,
  DEFAULT_OVERDUE_INTERVAL_MS,
  DEFAULT_PLAN_AHEAD_MS,
  DEFAULT_REAP_INTERVAL_MS,
  DEFAULT_START_LEAD_MS,
  type Scheduler,
  type SchedulerDeps,
  type TickReport,
} from './contract.js';
import { SchedulerEvents } from './events.js';
import { createLeaseKeeper } from './lease-keeper.js';
import { createOccurrencePlanner } from './occurrence-planner.js';
import { createSettlement } from './settlement.js';
import { createStarter, type LoopFlags } from './starter.js';
import { sleepMs } from './wake-time.js';

// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { pool, clock, logger, options } = deps;
  const workerId = options.workerId;
  const events = new SchedulerEvents();
  events.on('error', () => {}); // an 'error' event without listener would throw
  const lookaheadMs = options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
  const startLeadMs = Math.min(options.startLeadMs ?? DEFAULT_START_LEAD_MS, lookaheadMs);
  const backoff = options.backoff ?? DEFAULT_RETRY_BACKOFF;
  const leaseMs = options.leaseSeconds * 1000;
  // A lost run is found at most this long after its lease lapses or its worker's lock is released;
  // each look is one indexed read of the few running rows (docs/ENGINE.md, "Crash recovery").
  const reapIntervalMs = options.reapIntervalMs ?? Math.min(leaseMs / 5, DEFAULT_REAP_INTERVAL_MS);
  const overdueIntervalMs = options.overdueIntervalMs ?? DEFAULT_OVERDUE_INTERVAL_MS;

  const flags: LoopFlags = { stopping: false, loopRunning: false };
  const inFlight = new Set<Promise<unknown>>();
  let lastTick: Date | null = null;
  // When each periodic phase last ran (by the injected clock).
  const last = { renew: -Infinity, reap: -Infinity, backfill: -Infinity, overdue: -Infinity };
  let nextWakeMs: number | null = null;

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
  const phase = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report(name, error);
    }
  };

  const planner = createOccurrencePlanner({
    logger,
    planHorizonMs: lookaheadMs + (options.planAheadMs ?? DEFAULT_PLAN_AHEAD_MS),
    misfireThresholdMs: options.misfireThresholdMs ?? DEFAULT_MISFIRE_THRESHOLD_MS,
    catchupWindowSeconds: options.catchupWindowSeconds,
    maxCatchupRuns: options.maxCatchupRuns,
  });
  const settlement = createSettlement({
    pool,
    clock,
    workerId,
    events,
    retryAt,
    track,
    report,
    wake: () => wake(),
    givenUp: () => flags.stopping && !flags.loopRunning,
  });
  const starter = createStarter({
    pool,
    clock,
    workerId,
    events,
    settlement,
    executorFor: deps.executorFor,
    ...(deps.redact ? { redact: deps.redact } : {}),
    flags,
    maxConcurrentExecutions: options.maxConcurrentExecutions,
    startLeadMs,
    leaseUntil,
    track,
    report,
  });
  const claims = createClaims({
    pool,
    logger,
    workerId,
    events,
    planner,
    starter,
    flags,
    claimBatchSize: options.claimBatchSize,
    lookaheadMs,
    startLeadMs,
    leaseUntil,
  });
  const leases = createLeaseKeeper({
    pool,
    logger,
    workerId,
    events,
    heartbeatSeconds: options.heartbeatSeconds,
    leaseUntil,
    running: starter.running,
    unsettledIds: () => settlement.unsettledIds(),
    ...(deps.liveness ? { liveness: deps.liveness } : {}),
    report,
  });

  /** True (and recorded) when `name`'s interval has passed since it last ran. */
  function due(name: keyof typeof last, intervalMs: number, now: Date): boolean {
    if (now.getTime() - last[name] < intervalMs) return false;
    last[name] = now.getTime();
    return true;
  }

  async function maintainLeases(now: Date): Promise<number> {
    if (!due('reap', reapIntervalMs, now)) return 0;
    let reaped = 0;
    await phase('reap', async () => {
      reaped = await leases.reap(now);
    });
    return reaped;
  }

  async function watchOverdue(now: Date): Promise<number> {
    if (!due('overdue', overdueIntervalMs, now)) return 0;
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
    const reaped = await maintainLeases(now);
    await watchOverdue(now);
    // Recovered runs are retried at once (worker loss is not the task's fault): plan them now.
    if (reaped > 0) wake();
  }

  async function tick(at?: Date): Promise<TickReport> {
    const now = at ?? clock.now();
    const startedMs = performance.now();
    const result: TickReport = { planned: 0, claimed: 0, started: 0, skipped: 0, reaped: 0, overdue: 0 };
    starter.enforceDeadlines(now);
    // Record what already finished first, so this tick plans against up-to-date rows.
    await settlement.inProgress()?.catch(() => {});
    if (due('renew', options.heartbeatSeconds * 1000, now)) await phase('renew', () => leases.renew(now));
    result.reaped = await maintainLeases(now);
    if (due('backfill', BACKFILL_INTERVAL_MS, now))
      await phase('backfill', () => claims.backfillNextRuns(now));
    // `stopping` is read before each phase: a stop that began while this tick was awaiting the database
    // claims and starts nothing more (what the phase in flight claimed is handed back by stop).
    if (!flags.stopping) {
      await phase('plan', async () => {
        const planned = await claims.planDue(now);
        result.planned = planned.planned;
        result.started += planned.started;
        result.skipped += planned.skipped;
      });
    }
    if (!flags.stopping) {
      await phase('claim', async () => {
        result.claimed = await claims.claimQueued(now);
      });
    }
    if (!flags.stopping) {
      // What was just claimed ahead must start on its instant even if the rest of this tick runs past
      // it (measured: a 10,000-task burst started 60–220 ms late when the timer waited for the tick).
      if (flags.loopRunning) starter.armHeapTimer();
      await phase('start', async () => {
        const started = await starter.startDue(now);
        result.started += started.started;
        result.skipped += started.skipped;
      });
    }
    result.overdue = await watchOverdue(now);
    lastTick = now;
    events.emit('tick', {
      at: now,
      planned: result.planned,
      started: result.started,
      durationMs: performance.now() - startedMs,
    });
    return result;
  }

  // ---- the loop: timers by the injected clock ------------------------------------------------------

  let wakeRequested = false;
  let wakeLoop: (() => void) | undefined;
  let cancelSleep: (() => void) | undefined;
  let stopTimers: Array<() => void> = [];
  let loopDone: Promise<void> | undefined;

  function wake(): void {
    wakeRequested = true;
    wakeLoop?.();
  }

  async function loop(): Promise<void> {
    while (flags.loopRunning && !flags.stopping) {
      wakeRequested = false;
      nextWakeMs = null;
      await tick();
      starter.armHeapTimer();
      let nextDueMs: number | null = null;
      try {
        nextDueMs = (await nextDueAt(pool))?.getTime() ?? null;
      } catch (error) {
        report('next-due', error);
      }
      const sleep = sleepMs({
        nowMs: clock.nowMs(),
        nextDueMs,
        earliestDeadlineMs: starter.earliestDeadlineMs(),
        pollIntervalMs: options.pollIntervalMs,
        lookaheadMs,
        startLeadMs,
        planBacklog: claims.planBacklog(),
        stopping: flags.stopping,
      });
      if (wakeRequested || !flags.loopRunning || flags.stopping) continue;
      nextWakeMs = clock.nowMs() + sleep;
      await new Promise<void>((resolve) => {
        wakeLoop = resolve;
        cancelSleep = clock.after(sleep, resolve);
      });
      wakeLoop = undefined;
      cancelSleep?.();
    }
  }

  function start(): void {
    if (flags.loopRunning) return;
    flags.loopRunning = true;
    const heartbeat = every(clock, options.heartbeatSeconds * 1000, () => {
      const now = clock.now();
      starter.enforceDeadlines(now);
      last.renew = now.getTime();
      track(leases.renew(now).catch((error: unknown) => report('renew', error)));
    });
    let maintaining = false;
    const maintenance = every(clock, Math.max(100, Math.min(reapIntervalMs, overdueIntervalMs)), () => {
      if (maintaining || flags.stopping) return;
      maintaining = true;
      track(maintain().finally(() => (maintaining = false)));
    });
    stopTimers = [heartbeat, maintenance];
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
    flags.stopping = true;
    flags.loopRunning = false;
    const graceEndsMs = performance.now() + options.shutdownGraceSeconds * 1000;
    wakeLoop?.();
    starter.cancelHeapTimer();
    cancelSleep?.();
    const { running, heap } = starter;
    logger.info(
      { workerId, running: running.size, graceSeconds: options.shutdownGraceSeconds },
      'shutting down: claiming and starting nothing more',
    );
    // Claimed but not started: hand them back so another replica starts them on time. A claim or
    // start transaction already under way is waited for first (it may still add to what is ours).
    heap.drain();
    await loopDone;
    await Promise.allSettled(starter.startsInFlight());
    heap.drain();
    try {
      const released = await releaseOwnedQueued(pool, workerId);
      if (released > 0) logger.info({ released }, 'handed back claimed executions that had not started');
    } catch (error) {
      report('release', error);
    }
    await waitForRunning(graceEndsMs);
    for (const cancel of stopTimers) cancel();
    await idle();
  }

  /** Gives running executions what is left of the grace (real time), then aborts those still running. */
  async function waitForRunning(graceEndsMs: number): Promise<void> {
    const { running } = starter;
    if (running.size === 0) return;
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

  async function idle(): Promise<void> {
    const { running } = starter;
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
    cancelLocal: (id) => leases.cancelLocal(id),
    stop,
    idle,
    runningCount: () => starter.running.size,
    cacheSizes: () => ({
      schedules: planner.cachedSchedules(),
      startContexts: settlement.trackedExecutions(),
    }),
    lastTickAt: () => lastTick,
    nextWakeAt: () => (nextWakeMs === null ? null : new Date(nextWakeMs)),
  };
}
