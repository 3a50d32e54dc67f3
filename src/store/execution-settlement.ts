// Recording how executions ended, with their consequences: retries, the task's is_running and last
// status, alerts (docs/ARCHITECTURE.md §5.3, §5.5). Shared with the reaper through finishSettlement.
import type pg from 'pg';
import type { AppErrorCode } from '../shared/errors.js';
import { enqueueOutbox, type OutboxEntry } from './outbox.js';
import { isoOrNull, withTransaction } from './transaction.js';

export type SettledStatus = 'success' | 'failed' | 'timed_out' | 'cancelled';

/** A row as returned by the statements that end executions (settle, reap). */
export interface SettledRow {
  id: string;
  task_id: string;
  status: SettledStatus;
  attempt: number;
  scheduled_for: Date | null;
  duration_ms: number;
  error: string | null;
  error_code: AppErrorCode | null;
  started_at: Date | null;
}

export interface SettleInput {
  id: string;
  status: SettledStatus;
  finishedAt: Date;
  durationMs: number;
  logs: string;
  error: string | null;
  /** Why it failed (null for a success). */
  errorCode: AppErrorCode | null;
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
  errorCode: AppErrorCode | null;
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
              error = o.error, error_code = o.error_code, result = o.result, lease_until = null,
              reason = case when o.status = 'cancelled' then 'cancelled_by_user' else e.reason end
         from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $9::text[])
           as o(id, status, finished_at, duration_ms, logs, error, result, error_code)
        where e.id = o.id
          and e.id in (select id from task_executions
                        where id = any($1::uuid[]) and worker_id = $8 and status = 'running'
                        order by id for no key update)
        returning e.id, e.task_id, e.status, e.attempt, e.scheduled_for, e.duration_ms, e.error, e.error_code, e.started_at`,
      [
        options.outcomes.map((o) => o.id),
        options.outcomes.map((o) => o.status),
        options.outcomes.map((o) => o.finishedAt.toISOString()),
        options.outcomes.map((o) => Math.max(0, Math.round(o.durationMs))),
        options.outcomes.map((o) => o.logs),
        options.outcomes.map((o) => o.error),
        options.outcomes.map((o) => (o.result ? JSON.stringify(o.result) : null)),
        options.workerId,
        options.outcomes.map((o) => o.errorCode),
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
 *
 * Stays whole: its statements run in the caller's transaction on the rows it locked.
 */
export async function finishSettlement(
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
  //
  // The task rows are locked by a statement of their own, before the update: under READ COMMITTED the
  // update's `exists` then reads a snapshot taken after the lock was granted, so it sees what a
  // concurrent settle of another run of the same task committed. Locked within the update itself, both
  // settles read snapshots from before the other committed, each saw the other's run still running,
  // and an `allow` task kept is_running = true with nothing running (seen in the three-replica test).
  await client.query(
    'select id from scheduled_tasks where id = any($1::uuid[]) order by id for no key update',
    [[...latest.keys()]],
  );
  const tasks = await client.query<{ id: string; name: string; max_retries: number; enabled: boolean }>(
    `update scheduled_tasks t
        set is_running = case when t.overlap_policy = 'allow' or s.started_at is null or t.updated_at >= s.started_at
                              then exists (select 1 from task_executions r where r.task_id = t.id and r.status = 'running')
                              else false end,
            last_status = s.status
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) as s(task_id, status, started_at)
      where t.id = s.task_id
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
      errorCode: row.error_code,
      retry: retries.get(row.id) ?? null,
    };
  });
}
