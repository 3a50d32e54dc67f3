import type pg from 'pg';
import type { ExecutionTrigger, OverlapPolicy, SlotReason, TaskType } from '../domain/task-types.js';
import { enqueueOutbox, type OutboxEntry } from './outbox.js';
import { isoOrNull, withTransaction } from './transaction.js';

/** Everything the runner needs to execute one claimed execution. */
export interface StartedExecution {
  id: string;
  taskId: string;
  attempt: number;
  trigger: ExecutionTrigger;
  scheduledFor: Date | null;
  startedAt: Date;
  task: {
    id: string;
    name: string;
    type: TaskType;
    template: string | null;
    params: Record<string, unknown>;
    timeoutSeconds: number;
    maxRetries: number;
    alertChannel: string | null;
    notifyOnSuccess: boolean;
  };
}

export interface StartDecisionInput {
  executionId: string;
  taskId: string;
  trigger: ExecutionTrigger;
  scheduledFor: Date | null;
  overlapPolicy: OverlapPolicy;
  /** Executions of this task running right now (before this batch). */
  runningCount: number;
}

export type StartDecision = 'start' | 'skip' | 'requeue';

export interface StartOutcome {
  started: StartedExecution[];
  skipped: Array<{ id: string; taskId: string; scheduledFor: Date | null; reason: SlotReason }>;
  requeued: string[];
  /** Early starts whose task was busy: left queued and owned, to be decided again at their instant. */
  deferred: string[];
  /** Owned executions that were no longer ours (reaped, cancelled) when we tried to start them. */
  lost: string[];
}

/**
 * Moves owned queued executions to `running` at their instant (DESIGN.md §5.3, §5.6). Task rows are
 * locked in id order (so two replicas starting executions of the same tasks cannot deadlock) and the
 * overlap policy is applied against what is running at that moment: `decide` returns start, skip
 * (recorded as skipped: overlap) or requeue (given back, to start when the running one ends).
 *
 * An execution whose instant (run_after) is still ahead of `now` is an early start: the scheduler
 * records it running shortly before its instant and invokes the executor at the instant, so the
 * transaction's time is not added to the lateness. Its started_at is the instant. An early start is
 * only made when its task is idle; otherwise it is deferred (nothing written) and decided at its
 * instant like any other, so the overlap policy always sees what runs at the instant.
 *
 * A batch of early starts only never waits: it skips task rows that are busy or locked (a settle, a
 * claim, another replica's start) and execution rows that are locked, deferring those executions. It
 * then never holds up the settle it would have to wait for anyway (measured under overload: waiting
 * early starts and settles convoyed, and a third of the executions were skipped by the overlap policy).
 */
export async function startExecutions(
  pool: pg.Pool,
  options: {
    executions: ReadonlyArray<{ id: string; taskId: string; runAfter: Date }>;
    now: Date;
    workerId: string;
    leaseUntil: Date;
    decide: (inputs: StartDecisionInput[]) => StartDecision[];
  },
): Promise<StartOutcome> {
  if (options.executions.length === 0)
    return { started: [], skipped: [], requeued: [], deferred: [], lost: [] };
  const allEarly = options.executions.every(
    (execution) => execution.runAfter.getTime() > options.now.getTime(),
  );
  return withTransaction(pool, async (client) => {
    // Two single-table statements, each reaching its rows by primary key. (One join let the planner
    // start from a mis-estimated side: measured 750 ms per start, nested over every task, with the
    // queue index full of entries of rows long started.) Task rows first, in id order, so replicas
    // starting executions of the same tasks cannot deadlock; is_running is read under that lock, so a
    // settle that committed meanwhile is seen.
    const tasks = await client.query<{
      id: string;
      overlap_policy: OverlapPolicy;
      is_running: boolean;
      name: string;
      type: TaskType;
      template: string | null;
      params: Record<string, unknown>;
      timeout_seconds: number;
      max_retries: number;
      alert_channel: string | null;
      notify_on_success: boolean;
    }>(
      `select id, overlap_policy, is_running, name, type, template, params, timeout_seconds, max_retries,
              alert_channel, notify_on_success
         from scheduled_tasks
        where id = any($1::uuid[]) and approval_state = 'approved'
          ${allEarly ? "and (not is_running or overlap_policy = 'allow')" : ''}
        order by id
        for no key update ${allEarly ? 'skip locked' : ''}`,
      [[...new Set(options.executions.map((execution) => execution.taskId))]],
    );
    const taskById = new Map(tasks.rows.map((task) => [task.id, task]));
    // Executions of a task that is gone or no longer approved are not started (reported lost).
    // The status is checked here, not in SQL: a status condition lets the planner pick the partial
    // queue index, whose entries for started rows it must wade through until vacuum.
    const executions = await client.query<{
      id: string;
      task_id: string;
      status: string;
      trigger: ExecutionTrigger;
      scheduled_for: Date | null;
      attempt: number;
      run_after: Date;
      created_at: Date;
    }>(
      `select id, task_id, status, trigger, scheduled_for, attempt, run_after, created_at
         from task_executions
        where id = any($1::uuid[]) and worker_id = $2
        order by id
        for update ${allEarly ? 'skip locked' : ''}`,
      [
        options.executions
          .filter((execution) => taskById.has(execution.taskId))
          .map((execution) => execution.id),
        options.workerId,
      ],
    );
    // Each queued execution beside its task (a pair, not a spread of the two rows: copying 19 fields
    // per execution was 12 % of a replica's busy time in the sustained benchmark).
    const rows: Array<{ execution: (typeof executions.rows)[number]; task: (typeof tasks.rows)[number] }> =
      [];
    for (const execution of executions.rows) {
      const task = taskById.get(execution.task_id);
      if (task && execution.status === 'queued') rows.push({ execution, task });
    }
    // The overlap decision reads executions in the order they are due.
    rows.sort(
      (a, b) =>
        a.execution.run_after.getTime() - b.execution.run_after.getTime() ||
        compareNullsLast(a.execution.scheduled_for, b.execution.scheduled_for) ||
        a.execution.created_at.getTime() - b.execution.created_at.getTime(),
    );
    const present = new Set(rows.map((row) => row.execution.id));
    const missing = options.executions.map((execution) => execution.id).filter((id) => !present.has(id));
    // Early, a missing row may only be busy: decide it at its instant, where a lost one shows as lost.
    const lost = allEarly ? [] : missing;
    const decisions = options.decide(
      rows.map(({ execution, task }) => ({
        executionId: execution.id,
        taskId: execution.task_id,
        trigger: execution.trigger,
        scheduledFor: execution.scheduled_for,
        overlapPolicy: task.overlap_policy,
        runningCount: task.is_running ? 1 : 0,
      })),
    );
    const startIds: string[] = [];
    const skipIds: string[] = [];
    const requeueIds: string[] = [];
    const outcome: StartOutcome = {
      started: [],
      skipped: [],
      requeued: [],
      deferred: allEarly ? missing : [],
      lost,
    };
    rows.forEach(({ execution, task }, index) => {
      const decision = decisions[index];
      const early = execution.run_after.getTime() > options.now.getTime();
      if (early && decision !== 'start') {
        outcome.deferred.push(execution.id);
      } else if (decision === 'start') {
        startIds.push(execution.id);
        outcome.started.push({
          id: execution.id,
          taskId: execution.task_id,
          attempt: execution.attempt,
          trigger: execution.trigger,
          scheduledFor: execution.scheduled_for,
          startedAt: early ? execution.run_after : options.now,
          task: {
            id: execution.task_id,
            name: task.name,
            type: task.type,
            template: task.template,
            params: task.params,
            timeoutSeconds: task.timeout_seconds,
            maxRetries: task.max_retries,
            alertChannel: task.alert_channel,
            notifyOnSuccess: task.notify_on_success,
          },
        });
      } else if (decision === 'skip') {
        skipIds.push(execution.id);
        outcome.skipped.push({
          id: execution.id,
          taskId: execution.task_id,
          scheduledFor: execution.scheduled_for,
          reason: 'overlap_skipped',
        });
      } else {
        requeueIds.push(execution.id);
        outcome.requeued.push(execution.id);
      }
    });
    const now = options.now.toISOString();
    if (startIds.length > 0) {
      await client.query(
        `with started as (
           update task_executions
              -- An early start records its instant (see above); any other starts now.
              set status = 'running', started_at = greatest($2::timestamptz, run_after), heartbeat_at = $2,
                  lease_until = $3
            where id = any($1::uuid[])
           returning task_id, started_at)
         update scheduled_tasks t set is_running = true, last_run_at = s.started_at
           from (select task_id, max(started_at) as started_at from started group by task_id) as s
          where t.id = s.task_id`,
        [startIds, now, options.leaseUntil.toISOString()],
      );
    }
    if (skipIds.length > 0) {
      await client.query(
        `update task_executions
            set status = 'skipped', reason = 'overlap_skipped', finished_at = $2, worker_id = null, lease_until = null
          where id = any($1::uuid[])`,
        [skipIds, now],
      );
    }
    if (requeueIds.length > 0) {
      await client.query(
        `update task_executions set worker_id = null, lease_until = null where id = any($1::uuid[])`,
        [requeueIds],
      );
    }
    return outcome;
  });
}

/**
 * Renews the leases of this worker's running executions. Returns those still ours, and those a person
 * asked to cancel; an id missing from `alive` was reaped by another replica (we were too slow) and must
 * be abandoned locally.
 */
export async function renewLeases(
  pool: pg.Pool,
  options: { ids: string[]; now: Date; leaseUntil: Date; workerId: string },
): Promise<{ alive: Set<string>; cancelRequested: Set<string> }> {
  if (options.ids.length === 0) return { alive: new Set(), cancelRequested: new Set() };
  const result = await pool.query<{ id: string; cancel_requested_at: Date | null }>(
    // Rows locked in id order, as settle locks them: a heartbeat and a settle of the same executions
    // (finished, not yet recorded) locking in opposite orders deadlocked (measured; the settle then
    // waited 500 ms and the next occurrences met is_running still set).
    `update task_executions
        set heartbeat_at = $2, lease_until = $3
      where id in (select id from task_executions
                    where id = any($1::uuid[]) and worker_id = $4 and status = 'running'
                    order by id for no key update)
      returning id, cancel_requested_at`,
    [options.ids, options.now.toISOString(), options.leaseUntil.toISOString(), options.workerId],
  );
  return {
    alive: new Set(result.rows.map((row) => row.id)),
    cancelRequested: new Set(
      result.rows.filter((row) => row.cancel_requested_at !== null).map((row) => row.id),
    ),
  };
}

export type SettledStatus = 'success' | 'failed' | 'timed_out' | 'cancelled';

/** A row as returned by the statements that end executions (settle, reap). */
interface SettledRow {
  id: string;
  task_id: string;
  status: SettledStatus;
  attempt: number;
  scheduled_for: Date | null;
  duration_ms: number;
  error: string | null;
  started_at: Date | null;
}

export interface SettleInput {
  id: string;
  status: SettledStatus;
  finishedAt: Date;
  durationMs: number;
  logs: string;
  error: string | null;
  result: Record<string, unknown> | null;
}

export interface RetryPlan {
  executionId: string;
  runAfter: Date;
}

export interface SettledExecution {
  id: string;
  taskId: string;
  taskName: string;
  status: SettledStatus;
  attempt: number;
  maxRetries: number;
  scheduledFor: Date | null;
  durationMs: number;
  error: string | null;
  /** Set when a retry was queued for this failure. */
  retry: { id: string; attempt: number; runAfter: Date } | null;
  /**
   * For successes settled by settleExecutions: durations of the task's previous successes (newest
   * first, at most {@link RECENT_SUCCESSES}), for the duration-anomaly alert.
   */
  recentSuccessDurationsMs?: number[];
}

/** How many previous successes the duration-anomaly check compares a run with. */
export const RECENT_SUCCESSES = 20;

/**
 * A replica's memory of tasks' recent success durations (newest first), consulted before the history
 * is read. `lookup` returns undefined when the task is unknown or its entry is stale.
 */
export interface SuccessDurationCache {
  lookup(taskId: string): readonly number[] | undefined;
  remember(taskId: string, durations: number[]): void;
}

/**
 * Records terminal states for a batch of finished executions, in one transaction with their
 * consequences: the retry row (attempt + 1, parent link, backoff), `is_running`/`last_status` of their
 * tasks, and the alerts. Only rows still running and owned by this worker are settled, so a result that
 * arrives after another replica reaped the execution changes nothing.
 */
export async function settleExecutions(
  pool: pg.Pool,
  options: {
    outcomes: SettleInput[];
    now: Date;
    workerId: string;
    retryAt: (attempt: number) => Date;
    alerts: (settled: SettledExecution[]) => OutboxEntry[];
    /** Recent durations known without a query; without it, the history is read for every success. */
    durations?: SuccessDurationCache;
  },
): Promise<SettledExecution[]> {
  if (options.outcomes.length === 0) return [];
  return withTransaction(pool, async (client) => {
    const updated = await client.query<SettledRow>(
      // The `id = any($1)` sub-select lets the planner use the primary key (joining on the unnest alone,
      // it estimated 100 rows and scanned the whole table: 900 ms per batch at 6k/s), and locks the rows
      // in id order, as the heartbeat does, so the two cannot deadlock.
      `update task_executions e
          set status = o.status, finished_at = o.finished_at, duration_ms = o.duration_ms, logs = o.logs,
              error = o.error, result = o.result, lease_until = null,
              reason = case when o.status = 'cancelled' then 'cancelled_by_user' else e.reason end
         from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::jsonb[])
           as o(id, status, finished_at, duration_ms, logs, error, result)
        where e.id = o.id
          and e.id in (select id from task_executions
                        where id = any($1::uuid[]) and worker_id = $8 and status = 'running'
                        order by id for no key update)
        returning e.id, e.task_id, e.status, e.attempt, e.scheduled_for, e.duration_ms, e.error, e.started_at`,
      [
        options.outcomes.map((o) => o.id),
        options.outcomes.map((o) => o.status),
        options.outcomes.map((o) => o.finishedAt.toISOString()),
        options.outcomes.map((o) => Math.max(0, Math.round(o.durationMs))),
        options.outcomes.map((o) => o.logs),
        options.outcomes.map((o) => o.error),
        options.outcomes.map((o) => (o.result ? JSON.stringify(o.result) : null)),
        options.workerId,
      ],
    );
    if (updated.rows.length === 0) return [];
    const settled = await withRecentDurations(
      client,
      await finishSettlement(client, updated.rows, options.now, options.retryAt),
      options.durations,
    );
    await enqueueOutbox(client, options.alerts(settled), options.now);
    return settled;
  });
}

/**
 * Adds to each success the durations of its task's previous successes (one query per batch, served
 * by the task-history index), so the alerts can flag a run far off its task's median in this same
 * transaction.
 */
async function withRecentDurations(
  client: pg.PoolClient,
  settled: SettledExecution[],
  cache: SuccessDurationCache | undefined,
): Promise<SettledExecution[]> {
  const successes = settled.filter((row) => row.status === 'success');
  if (successes.length === 0) return settled;
  const byTask = new Map<string, readonly number[]>();
  const unknown: string[] = [];
  for (const taskId of new Set(successes.map((row) => row.taskId))) {
    const known = cache?.lookup(taskId);
    if (known) byTask.set(taskId, known);
    else unknown.push(taskId);
  }
  if (unknown.length > 0) {
    const result = await client.query<{ task_id: string; durations: number[] }>(
      `select t.task_id, array_agg(s.duration_ms order by s.created_at desc) as durations
         from unnest($1::uuid[]) as t(task_id)
         cross join lateral (
           select e.duration_ms, e.created_at from task_executions e
            where e.task_id = t.task_id and e.status = 'success' and e.duration_ms is not null
              and not (e.id = any($2::uuid[]))
            order by e.created_at desc nulls last limit $3) s -- the history index order (newest-first.ts)
        group by t.task_id`,
      [unknown, settled.map((row) => row.id), RECENT_SUCCESSES],
    );
    const found = new Map(result.rows.map((row) => [row.task_id, row.durations.map(Number)]));
    for (const taskId of unknown) {
      const durations = found.get(taskId) ?? [];
      byTask.set(taskId, durations);
      cache?.remember(taskId, durations);
    }
  }
  return settled.map((row) =>
    row.status === 'success'
      ? { ...row, recentSuccessDurationsMs: [...(byTask.get(row.taskId) ?? [])] }
      : row,
  );
}

/**
 * The shared tail of settle and reap: bring the tasks' is_running/last_status in line with their
 * executions, then queue retries for failures with attempts left.
 */
async function finishSettlement(
  client: pg.PoolClient,
  rows: ReadonlyArray<SettledRow>,
  now: Date,
  retryAt: (attempt: number) => Date,
): Promise<SettledExecution[]> {
  // One statement locks the tasks (in id order: concurrent settles and starts cannot deadlock), brings
  // is_running in line with their executions, and sets last_status from this batch (the latest finished
  // per task) instead of scanning the history.
  //
  // Only an `allow` task can have another run in flight: any other task's run starts only while
  // is_running is false under the task lock (decideOverlap), so its one running execution is the one
  // settled here. The exception is a task edited since that run started (its policy may have been
  // `allow` until then), which is checked too. Probing the running index for every settle was the
  // costliest statement of the sustained benchmark (0.12 ms per task, 28 % of PostgreSQL's time at
  // 4,000/s): its entries for runs that ended stay until vacuum.
  const latest = new Map<string, SettledStatus>();
  const earliestStart = new Map<string, Date | null>();
  for (const row of rows) {
    latest.set(row.task_id, row.status);
    const known = earliestStart.get(row.task_id);
    if (known === undefined || (known !== null && (row.started_at === null || row.started_at < known)))
      earliestStart.set(row.task_id, row.started_at);
  }
  const tasks = await client.query<{ id: string; name: string; max_retries: number; enabled: boolean }>(
    `update scheduled_tasks t
        set is_running = case when t.overlap_policy = 'allow' or s.started_at is null or t.updated_at >= s.started_at
                              then exists (select 1 from task_executions r where r.task_id = t.id and r.status = 'running')
                              else false end,
            last_status = s.status
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) as s(task_id, status, started_at),
            (select id from scheduled_tasks where id = any($1::uuid[]) order by id for no key update) as locked
      where t.id = s.task_id and t.id = locked.id
      returning t.id, t.name, t.max_retries, t.enabled`,
    [[...latest.keys()], [...latest.values()], [...earliestStart.values()].map(isoOrNull)],
  );
  const taskById = new Map(tasks.rows.map((task) => [task.id, task]));
  const retryRows: Array<{
    parent: string;
    taskId: string;
    attempt: number;
    scheduledFor: Date | null;
    runAfter: Date;
  }> = [];
  for (const row of rows) {
    const task = taskById.get(row.task_id);
    // A retry is a new execution with attempt + 1; max_retries 3 means attempts 1 to 4.
    if (task && (row.status === 'failed' || row.status === 'timed_out') && row.attempt <= task.max_retries) {
      retryRows.push({
        parent: row.id,
        taskId: row.task_id,
        attempt: row.attempt + 1,
        scheduledFor: row.scheduled_for,
        runAfter: retryAt(row.attempt),
      });
    }
  }
  const retries = new Map<string, { id: string; attempt: number; runAfter: Date }>();
  if (retryRows.length > 0) {
    const inserted = await client.query<{
      id: string;
      parent_execution_id: string;
      attempt: number;
      run_after: Date;
    }>(
      `insert into task_executions (task_id, trigger, scheduled_for, status, attempt, parent_execution_id, run_after, triggered_by, created_at)
       select task_id, 'retry', scheduled_for, 'queued', attempt, parent, run_after, 'retry-policy', $6
         from unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::uuid[], $5::timestamptz[])
           as r(task_id, scheduled_for, attempt, parent, run_after)
       returning id, parent_execution_id, attempt, run_after`,
      [
        retryRows.map((r) => r.taskId),
        retryRows.map((r) => (r.scheduledFor ? r.scheduledFor.toISOString() : null)),
        retryRows.map((r) => r.attempt),
        retryRows.map((r) => r.parent),
        retryRows.map((r) => r.runAfter.toISOString()),
        now.toISOString(),
      ],
    );
    for (const row of inserted.rows) {
      retries.set(row.parent_execution_id, { id: row.id, attempt: row.attempt, runAfter: row.run_after });
    }
  }
  return rows.map((row) => {
    const task = taskById.get(row.task_id);
    return {
      id: row.id,
      taskId: row.task_id,
      taskName: task?.name ?? '',
      status: row.status,
      attempt: row.attempt,
      maxRetries: task?.max_retries ?? 0,
      scheduledFor: row.scheduled_for,
      durationMs: row.duration_ms,
      error: row.error,
      retry: retries.get(row.id) ?? null,
    };
  });
}

/**
 * Recovers work of dead workers (DESIGN.md §5.3): a running execution whose lease lapsed is marked
 * failed ("worker lost") and the retry policy applies; a queued execution a dead worker had claimed
 * but not started is simply handed back. Runs in one transaction, SKIP LOCKED so replicas reaping at
 * the same time split the rows instead of waiting.
 */
export async function reapExpiredLeases(
  pool: pg.Pool,
  options: {
    now: Date;
    limit: number;
    retryAt: (attempt: number) => Date;
    alerts: (lost: SettledExecution[], workers: Map<string, string | null>) => OutboxEntry[];
  },
): Promise<{ lost: SettledExecution[]; released: number; workers: Map<string, string | null> }> {
  return withTransaction(pool, async (client) => {
    const now = options.now.toISOString();
    const released = await client.query(
      `update task_executions set worker_id = null, lease_until = null
        where id in (select id from task_executions
                      where status = 'queued' and worker_id is not null and lease_until < $1
                      limit $2 for update skip locked)`,
      [now, options.limit],
    );
    const expired = await client.query<{ id: string; worker_id: string | null; started_at: Date | null }>(
      `select id, worker_id, started_at from task_executions
        where status = 'running' and lease_until < $1
        order by lease_until limit $2 for update skip locked`,
      [now, options.limit],
    );
    if (expired.rows.length === 0) return { lost: [], released: released.rowCount ?? 0, workers: new Map() };
    const workers = new Map(expired.rows.map((row) => [row.id, row.worker_id]));
    const updated = await client.query<SettledRow>(
      `update task_executions
          set status = 'failed', reason = 'worker_lost', finished_at = $2, lease_until = null,
              duration_ms = greatest(0, (extract(epoch from ($2::timestamptz - coalesce(started_at, $2::timestamptz))) * 1000)::int),
              error = 'Worker lost: ' || coalesce(worker_id, 'unknown worker') || ' stopped renewing its lease (crashed or cut off) while this execution was running.'
        where id = any($1::uuid[])
        returning id, task_id, status, attempt, scheduled_for, duration_ms, error, started_at`,
      [expired.rows.map((row) => row.id), now],
    );
    const lost = await finishSettlement(client, updated.rows, options.now, options.retryAt);
    await enqueueOutbox(client, options.alerts(lost, workers), options.now);
    return { lost, released: released.rowCount ?? 0, workers };
  });
}

/** On graceful shutdown: hand back queued executions this worker claimed but has not started. */
export async function releaseOwnedQueued(pool: pg.Pool, workerId: string): Promise<number> {
  const result = await pool.query(
    `update task_executions set worker_id = null, lease_until = null where status = 'queued' and worker_id = $1`,
    [workerId],
  );
  return result.rowCount ?? 0;
}

function compareNullsLast(a: Date | null, b: Date | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a.getTime() - b.getTime();
}
