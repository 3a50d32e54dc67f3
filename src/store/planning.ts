import type pg from 'pg';
import type { OverlapDecision, OverlapInput } from '../domain/overlap.js';
import type { ExecutionTrigger, MisfirePolicyName, SlotReason } from '../domain/task-types.js';
import { type StartedExecution, type StartedTaskRow, startedTask } from './execution-start.js';
import { enqueueOutbox, type OutboxEntry } from './outbox.js';
import {
  advancePlannedTasks,
  type DueTask,
  type InsertedSlot,
  insertPlannedSlots,
  type TaskPlanResult,
} from './planned-slots.js';
import { type ClaimedTaskState, decideStartsAtClaim } from './start-at-claim.js';
import { isoOrNull, withTransaction } from './transaction.js';

/** An execution this worker now owns and must start at `runAfter` (its occurrence instant). */
export interface OwnedExecution {
  id: string;
  taskId: string;
  scheduledFor: Date | null;
  runAfter: Date;
  trigger: ExecutionTrigger;
}

export interface PlanOutcome {
  owned: OwnedExecution[];
  /** Executions inserted `running` by the claim itself (see `startBy`): the caller runs them. */
  started: StartedExecution[];
  skipped: Array<{ id: string; taskId: string; scheduledFor: Date; reason: SlotReason | null }>;
  tasksPlanned: number;
  /** Rows the unique occurrence index refused: another replica already had them (should stay 0). */
  conflicts: number;
}

/**
 * Claims due occurrences in one transaction (docs/ARCHITECTURE.md §5.1): lock up to `limit` due tasks with
 * SKIP LOCKED (replicas take disjoint sets instead of waiting on each other), let `plan` decide their
 * slots, insert the execution rows and advance `next_run_at` (planned-slots.ts) — all or nothing. A crash
 * before commit leaves next_run_at where it was, so the occurrence is planned again; a crash after commit
 * leaves a row owned by a dead worker, which lease expiry hands to another. The unique occurrence index
 * refuses a second row for the same slot whatever happens.
 *
 * Started at the claim: a run slot due by `startBy` whose task is approved and idle (`decide` says start
 * against `is_running`, read under this transaction's lock, as the start transaction would:
 * start-at-claim.ts) is inserted `running` with its lease and `started_at` = its instant (or now, if that
 * has passed), and the task's `is_running` is set here. That is one write and one transaction less per
 * execution than inserting it queued and starting it moments later (docs/ENGINE.md, "Started at the
 * claim"). Every other slot is inserted queued and owned, and started by `startExecutions` as before.
 */
export async function planDueOccurrences(
  pool: pg.Pool,
  options: {
    now: Date;
    horizon: Date;
    /** A task whose run is still in progress (and does not allow overlap) is only claimed when due by
     * this instant (default: the horizon): until then it may end, and its next slot be started at the
     * claim. */
    busyHorizon?: Date;
    limit: number;
    workerId: string;
    leaseUntil: Date;
    plan: (task: DueTask) => TaskPlanResult;
    /** Alerts to write in the same transaction (e.g. the missed-runs summary). */
    alerts?: (results: TaskPlanResult[], tasks: DueTask[]) => OutboxEntry[];
    /** Run slots due by this instant may be started by the claim itself (above); absent: none are. */
    startBy?: Date;
    /** The overlap decision (as for `startExecutions`); only `start` is acted on here. */
    decide?: (inputs: OverlapInput[]) => OverlapDecision[];
  },
): Promise<PlanOutcome> {
  return withTransaction(pool, async (client) => {
    const due = await lockDueTasks(client, options);
    if (due.length === 0) return { owned: [], started: [], skipped: [], tasksPlanned: 0, conflicts: 0 };
    const tasks: DueTask[] = due.map((row) => ({
      id: row.id,
      name: row.name,
      cron: row.cron,
      timezone: row.timezone,
      nextRunAt: row.next_run_at,
      approvalState: row.approval_state,
      misfirePolicy: row.misfire_policy,
      overlapPolicy: row.overlap_policy,
      alertChannel: row.alert_channel,
    }));
    const results = tasks.map((task) => options.plan(task));
    const taskById = new Map(due.map((task) => [task.id, task]));
    const startNow = decideStartsAtClaim(taskById, results, options.startBy, options.decide);
    const { inserted, planned } = await insertPlannedSlots(client, results, startNow, options);
    await advancePlannedTasks(client, results, inserted);
    await enqueueOutbox(client, options.alerts?.(results, tasks) ?? [], options.now);
    return {
      ...sortInserted(inserted, taskById),
      tasksPlanned: tasks.length,
      conflicts: planned - inserted.length,
    };
  });
}

/** A due task as the claim locks it: what planning, the start-at-claim decision and the run need. */
type DueTaskRow = StartedTaskRow &
  ClaimedTaskState & {
    cron: string;
    timezone: string;
    next_run_at: Date;
    approval_state: DueTask['approvalState'];
    misfire_policy: MisfirePolicyName;
  };

/**
 * The claim query: up to `limit` enabled tasks due by the horizon, locked with SKIP LOCKED. FOR NO KEY
 * UPDATE (not FOR UPDATE) so execution inserts elsewhere, whose foreign-key check takes KEY SHARE on the
 * task row, are not blocked by this lock.
 */
async function lockDueTasks(
  client: pg.PoolClient,
  options: { now: Date; horizon: Date; busyHorizon?: Date; limit: number },
): Promise<DueTaskRow[]> {
  const due = await client.query<DueTaskRow>(
    // has_waiting_run: a retry or manual run of the task is due and waiting for it to be idle. Its
    // next slot is then not started at the claim, which would take the idle moment from it every
    // time (measured: lost runs of a task busy 3 s in 5 waited up to 77 s for their retry).
    `select id, name, cron, timezone, next_run_at, approval_state, misfire_policy, overlap_policy, alert_channel,
            is_running, type, template, params, timeout_seconds, max_retries, notify_on_success,
            exists (select 1 from task_executions q
                     where q.task_id = scheduled_tasks.id and q.status = 'queued'
                       and q.trigger in ('retry', 'manual', 'sql') and q.run_after <= $4) as has_waiting_run
       from scheduled_tasks
      where enabled and next_run_at <= $1
        and (next_run_at <= $3 or not is_running or overlap_policy = 'allow')
      order by next_run_at
      limit $2
      for no key update skip locked`,
    [
      options.horizon.toISOString(),
      options.limit,
      (options.busyHorizon ?? options.horizon).toISOString(),
      options.now.toISOString(),
    ],
  );
  return due.rows;
}

/** The inserted slots by what the caller does with them: run now, start at their instant, or nothing. */
function sortInserted(
  inserted: readonly InsertedSlot[],
  taskById: ReadonlyMap<string, DueTaskRow>,
): Pick<PlanOutcome, 'owned' | 'started' | 'skipped'> {
  const owned: OwnedExecution[] = [];
  const started: StartedExecution[] = [];
  const skipped: PlanOutcome['skipped'] = [];
  for (const row of inserted) {
    const task = taskById.get(row.task_id);
    if (row.status === 'running' && row.started_at && task) {
      started.push({
        id: row.id,
        taskId: row.task_id,
        attempt: row.attempt,
        trigger: row.trigger,
        scheduledFor: row.scheduled_for,
        startedAt: row.started_at,
        task: startedTask(task),
      });
    } else if (row.status === 'queued') {
      owned.push({
        id: row.id,
        taskId: row.task_id,
        scheduledFor: row.scheduled_for,
        runAfter: row.run_after,
        trigger: row.trigger,
      });
    } else {
      skipped.push({ id: row.id, taskId: row.task_id, scheduledFor: row.scheduled_for, reason: row.reason });
    }
  }
  return { owned, started, skipped };
}

/**
 * Takes ownership of queued executions nobody owns (manual runs, SQL `execute_task_now`, retries, runs
 * released by a dead or stopping worker) whose `run_after` is within the horizon.
 */
export async function claimQueuedExecutions(
  pool: pg.Pool,
  options: { horizon: Date; limit: number; workerId: string; leaseUntil: Date },
): Promise<OwnedExecution[]> {
  const result = await pool.query<{
    id: string;
    task_id: string;
    scheduled_for: Date | null;
    run_after: Date;
    trigger: ExecutionTrigger;
  }>(
    `update task_executions e
        set worker_id = $3, lease_until = $4
      where e.id in (
        select q.id
          from task_executions q
          join scheduled_tasks t on t.id = q.task_id
         where q.status = 'queued' and q.worker_id is null and q.run_after <= $1
           and t.approval_state = 'approved'
           -- Runs that would only wait behind a running one (see decideOverlap) stay unclaimed until it ends.
           and not (t.is_running and t.overlap_policy <> 'allow'
                    and (t.overlap_policy = 'queue' or q.trigger <> 'schedule'))
         order by q.run_after
         limit $2
         for update of q skip locked)
      returning e.id, e.task_id, e.scheduled_for, e.run_after, e.trigger`,
    [options.horizon.toISOString(), options.limit, options.workerId, options.leaseUntil.toISOString()],
  );
  return result.rows.map((row) => ({
    id: row.id,
    taskId: row.task_id,
    scheduledFor: row.scheduled_for,
    runAfter: row.run_after,
    trigger: row.trigger,
  }));
}

/**
 * Tasks that are enabled but have no next occurrence yet (inserted by SQL, or migrated in), grouped by
 * (cron, zone) so the caller computes each distinct schedule once.
 */
export async function listTasksWithoutNextRun(
  pool: pg.Pool,
  limit: number,
): Promise<Array<{ cron: string; timezone: string; ids: string[] }>> {
  const result = await pool.query<{ cron: string; timezone: string; ids: string[] }>(
    `select cron, timezone, array_agg(id) as ids
       from (select id, cron, timezone from scheduled_tasks
              where enabled and next_run_at is null and cron <> '' limit $1) pending
      group by cron, timezone`,
    [limit],
  );
  return result.rows;
}

export async function setNextRuns(
  pool: pg.Pool,
  updates: ReadonlyArray<{ ids: string[]; nextRunAt: Date | null }>,
): Promise<void> {
  const ids: string[] = [];
  const nexts: (string | null)[] = [];
  for (const update of updates) {
    for (const id of update.ids) {
      ids.push(id);
      nexts.push(isoOrNull(update.nextRunAt));
    }
  }
  if (ids.length === 0) return;
  await pool.query(
    `update scheduled_tasks t set next_run_at = p.next_run_at
       from unnest($1::uuid[], $2::timestamptz[]) as p(id, next_run_at)
      where t.id = p.id and t.next_run_at is null`,
    [ids, nexts],
  );
}

/**
 * The earliest instant anything becomes due: the next occurrence of an enabled task, or the run_after
 * of an unowned queued execution. The loop sleeps until then (bounded by the poll interval).
 */
export async function nextDueAt(pool: pg.Pool): Promise<Date | null> {
  const result = await pool.query<{ at: Date | null }>(
    `select least(
       (select min(next_run_at) from scheduled_tasks where enabled),
       (select min(run_after) from task_executions where status = 'queued' and worker_id is null)
     ) as at`,
  );
  return result.rows[0]?.at ?? null;
}
