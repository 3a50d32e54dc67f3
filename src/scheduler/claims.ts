import type pg from 'pg';
import { nextRunAfter } from '../domain/cron.js';
import { decideOverlap } from '../domain/overlap.js';
import type { Logger } from '../shared/logger.js';
import {
  claimQueuedExecutions,
  listTasksWithoutNextRun,
  planDueOccurrences,
  setNextRuns,
} from '../store/planning.js';
import { missedRunsAlert } from './alerts.js';
import type { SchedulerEvents } from './events.js';
import type { MissedRuns, OccurrencePlanner } from './occurrence-planner.js';
import type { LoopFlags, Starter } from './starter.js';

const MAX_PLAN_BATCHES_PER_TICK = 50;

export interface Claims {
  /** Plans the due tasks' occurrences and claims them (idle tasks' slots started by the claim). */
  planDue(now: Date): Promise<{ planned: number; started: number; skipped: number }>;
  /** Claims queued executions (retries, manual runs) due within the look-ahead. */
  claimQueued(now: Date): Promise<number>;
  /** Fills in next_run_at for enabled tasks that have none, computing each distinct (cron, zone) once. */
  backfillNextRuns(now: Date): Promise<void>;
  /** The last plan stopped at its batch limit: more may be due now. */
  planBacklog(): boolean;
}

/** Planning and claiming (docs/ARCHITECTURE.md §5.1): what this replica takes on at each tick. */
// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createClaims(deps: {
  pool: pg.Pool;
  logger: Logger;
  workerId: string;
  events: SchedulerEvents;
  planner: OccurrencePlanner;
  starter: Starter;
  flags: LoopFlags;
  claimBatchSize: number;
  lookaheadMs: number;
  startLeadMs: number;
  leaseUntil: (now: Date) => Date;
}): Claims {
  const { pool, logger, workerId, events, planner, starter } = deps;
  let backlog = false;

  async function planDue(now: Date): Promise<{ planned: number; started: number; skipped: number }> {
    let planned = 0;
    let started = 0;
    let skipped = 0;
    backlog = false;
    for (let batch = 0; batch < MAX_PLAN_BATCHES_PER_TICK && !deps.flags.stopping; batch++) {
      const limit = Math.min(deps.claimBatchSize, starter.capacity());
      if (limit <= 0) break;
      const missed: MissedRuns[] = [];
      const horizon = new Date(now.getTime() + deps.lookaheadMs);
      const outcome = await planDueOccurrences(pool, {
        now,
        horizon,
        // A task whose run is in progress is claimed once that run ends (its next slot is then
        // started at the claim), or at the latest within the start lead (queued, decided at its instant).
        busyHorizon: new Date(now.getTime() + deps.startLeadMs),
        limit,
        workerId,
        leaseUntil: deps.leaseUntil(now),
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
      starter.enqueueOwned(outcome.owned);
      for (const execution of outcome.started) starter.launch(execution, now);
      planned += outcome.owned.length + outcome.started.length;
      started += outcome.started.length;
      skipped += outcome.skipped.length;
      if (outcome.tasksPlanned < limit) break;
      if (batch === MAX_PLAN_BATCHES_PER_TICK - 1) backlog = true;
    }
    return { planned, started, skipped };
  }

  async function claimQueued(now: Date): Promise<number> {
    const limit = Math.min(deps.claimBatchSize, starter.capacity());
    if (limit <= 0) return 0;
    const owned = await claimQueuedExecutions(pool, {
      horizon: new Date(now.getTime() + deps.lookaheadMs),
      limit,
      workerId,
      leaseUntil: deps.leaseUntil(now),
    });
    starter.enqueueOwned(owned);
    return owned.length;
  }

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

  return { planDue, claimQueued, backfillNextRuns, planBacklog: () => backlog };
}
