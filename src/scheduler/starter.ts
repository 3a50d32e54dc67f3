import type pg from 'pg';
import { decideOverlap } from '../domain/overlap.js';
import type { TaskType } from '../domain/task-types.js';
import type { Executor } from '../executors/types.js';
import type { Clock } from '../shared/clock.js';
import type { Redactor } from '../shared/redact.js';
import { type StartedExecution, startExecutions } from '../store/execution-start.js';
import type { OwnedExecution } from '../store/planning.js';
import { DueHeap } from './due-heap.js';
import type { SchedulerEvents } from './events.js';
import { type RunningExecution, runExecution } from './execution-runner.js';
import { createInstantGates } from './instant-gates.js';
import type { Settlement } from './settlement.js';

// A deferred early start is tried again this much later (until its instant).
const EARLY_START_RETRY_MS = 100;

/** What the scheduler shares with its parts: set by start() and stop(), read before every phase. */
export interface LoopFlags {
  stopping: boolean;
  loopRunning: boolean;
}

export interface Starter {
  /** Claimed executions this replica will start at their instant (minus the start lead). */
  readonly heap: DueHeap<OwnedExecution & { atMs: number }>;
  readonly running: ReadonlyMap<string, RunningExecution>;
  /** Free slots: the concurrency limit minus what runs and what is claimed. */
  capacity(): number;
  enqueueOwned(owned: readonly OwnedExecution[]): void;
  /** Starts (records running, then runs) what the heap holds due at `now`. */
  startDue(now: Date): Promise<{ started: number; skipped: number }>;
  /** Runs an execution recorded running (by a start, or by the claim itself) whose start began at `now`. */
  launch(execution: StartedExecution, now: Date): void;
  /** (Re)arms the one timer that starts the heap's earliest execution on time. */
  armHeapTimer(): void;
  cancelHeapTimer(): void;
  /** Start transactions under way (shutdown waits for them before handing back the rest). */
  startsInFlight(): Promise<unknown>[];
  enforceDeadlines(now: Date): void;
  earliestDeadlineMs(): number;
}

/**
 * Starting and running (docs/ENGINE.md, "Early start"): the due heap of claimed executions, the start
 * transaction at their instant minus the start lead, and the runners of what started.
 *
 * Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
 */
export function createStarter(deps: {
  pool: pg.Pool;
  clock: Clock;
  workerId: string;
  events: SchedulerEvents;
  settlement: Settlement;
  executorFor: (type: TaskType) => Executor;
  redact?: Redactor;
  flags: LoopFlags;
  maxConcurrentExecutions: number;
  startLeadMs: number;
  leaseUntil: (now: Date) => Date;
  track: <T>(promise: Promise<T>) => Promise<T>;
  report: (phase: string, error: unknown) => void;
}): Starter {
  const { pool, clock, workerId, events, settlement, flags } = deps;
  // Keyed by when to start (record running): the instant minus the lead, or the instant itself for an
  // execution whose early start was deferred.
  const heap = new DueHeap<OwnedExecution & { atMs: number }>();
  const running = new Map<string, RunningExecution>();
  const instantGate = createInstantGates(clock);
  // Start transactions in progress: shutdown waits for them before handing back what is still queued,
  // or the hand-back and a start would lock the same rows in opposite orders (a measured deadlock).
  const inFlight = new Set<Promise<unknown>>();
  let cancelHeapTimer: (() => void) | undefined;

  function startDue(now: Date): Promise<{ started: number; skipped: number }> {
    const starting = startDueNow(now);
    inFlight.add(starting);
    const forget = () => inFlight.delete(starting);
    starting.then(forget, forget);
    return starting;
  }

  async function startDueNow(now: Date): Promise<{ started: number; skipped: number }> {
    // A heap timer that fired as stop began: its claims are handed back, not started.
    if (flags.stopping) return { started: 0, skipped: 0 };
    const due = heap.popDue(now.getTime());
    if (due.length === 0) return { started: 0, skipped: 0 };
    let outcome: Awaited<ReturnType<typeof startExecutions>>;
    try {
      outcome = await startExecutions(pool, {
        executions: due,
        now,
        workerId,
        leaseUntil: deps.leaseUntil(now),
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
    deps.track(
      runner.done.then((result) => {
        running.delete(execution.id);
        if (result) settlement.finished(result);
      }),
    );
  }

  function armHeapTimer(): void {
    cancelHeapTimer?.();
    cancelHeapTimer = undefined;
    const top = heap.peek();
    if (!top || flags.stopping) return;
    cancelHeapTimer = clock.after(top.atMs - clock.nowMs(), () => {
      cancelHeapTimer = undefined;
      const now = clock.now();
      deps.track(
        startDue(now)
          .catch((error: unknown) => deps.report('start', error))
          .finally(armHeapTimer),
      );
    });
  }

  return {
    heap,
    running,
    capacity: () => deps.maxConcurrentExecutions - running.size - heap.size,
    enqueueOwned: (owned) => {
      for (const item of owned) heap.push({ ...item, atMs: item.runAfter.getTime() - deps.startLeadMs });
    },
    startDue,
    launch,
    armHeapTimer,
    cancelHeapTimer: () => {
      cancelHeapTimer?.();
      cancelHeapTimer = undefined;
    },
    startsInFlight: () => [...inFlight],
    enforceDeadlines: (now) => {
      for (const runner of running.values()) if (now.getTime() >= runner.deadlineMs) runner.abort('timeout');
    },
    earliestDeadlineMs: () => {
      let earliest = Number.POSITIVE_INFINITY;
      for (const runner of running.values()) earliest = Math.min(earliest, runner.deadlineMs);
      return earliest;
    },
  };
}
