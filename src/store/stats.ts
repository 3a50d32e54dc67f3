import { sql } from 'drizzle-orm';
import { SOON_WINDOW_MS, type TaskStatus } from '../domain/task-status.js';
import type { Queryable } from './database.js';

export interface DashboardStats {
  /** Enabled and approved tasks. */
  activeTasks: number;
  /** Executions currently running. */
  running: number;
  successes24h: number;
  /** Failed and timed-out executions that finished in the last 24 h. */
  failures24h: number;
}

/**
 * The four figures of the original dashboard. `now` comes from the injected clock (database time in
 * production) so the 24 h window is the same on every replica.
 *
 * One statement, one pass over the window: the 24 h outcomes are counted with FILTER over a single range
 * scan of task_executions_finished_idx (finished_at, status) — index-only where the visibility map
 * allows — instead of one scan per outcome (the window holds every execution of the last day, ~11,000
 * rows with 200 tasks every 2 minutes). `running` reads the small partial index
 * task_executions_running_idx.
 */
export async function getDashboardStats(db: Queryable, now: Date): Promise<DashboardStats> {
  const since = new Date(now.getTime() - 24 * 3600 * 1000);
  const result = await db.execute<{
    active_tasks: number;
    running: number;
    successes_24h: number;
    failures_24h: number;
  }>(sql`
    select
      (select count(*)::int from scheduled_tasks where enabled and approval_state = 'approved') as active_tasks,
      -- Not those recorded ahead of their instant (started at the claim): they have not begun yet.
      (select count(*)::int from task_executions where status = 'running' and not coalesce(started_at > ${now}, false)) as running,
      (count(*) filter (where status = 'success'))::int as successes_24h,
      (count(*) filter (where status in ('failed', 'timed_out')))::int as failures_24h
    from task_executions
    where finished_at >= ${since} and finished_at <= ${now}
  `);
  const row = result.rows[0];
  return {
    activeTasks: Number(row?.active_tasks ?? 0),
    running: Number(row?.running ?? 0),
    successes24h: Number(row?.successes_24h ?? 0),
    failures24h: Number(row?.failures_24h ?? 0),
  };
}

/** What deriveTaskStatus needs, for every task: one query, no per-task round trip. */
export interface TaskStatusInput {
  id: string;
  name: string;
  enabled: boolean;
  approvalState: 'approved' | 'pending' | 'rejected';
  isRunning: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastStatus: string | null;
  overdueGraceSeconds: number;
  cron: string;
  timezone: string;
  isSystem: boolean;
}

export async function listTaskStatusInputs(db: Queryable, options: { limit?: number; offset?: number } = {}) {
  const result = await db.execute<{
    id: string;
    name: string;
    enabled: boolean;
    approval_state: TaskStatusInput['approvalState'];
    is_running: boolean;
    next_run_at: Date | string | null;
    last_run_at: Date | string | null;
    last_status: string | null;
    overdue_grace_seconds: number;
    cron: string;
    timezone: string;
    is_system: boolean;
  }>(sql`
    select id, name, enabled, approval_state, is_running, next_run_at, last_run_at, last_status,
           overdue_grace_seconds, cron, timezone, is_system
      from scheduled_tasks
     order by lower(name)
     limit ${options.limit ?? 1000} offset ${options.offset ?? 0}
  `);
  return result.rows.map(
    (row): TaskStatusInput => ({
      id: row.id,
      name: row.name,
      enabled: row.enabled,
      approvalState: row.approval_state,
      isRunning: row.is_running,
      nextRunAt: toDate(row.next_run_at),
      lastRunAt: toDate(row.last_run_at),
      lastStatus: row.last_status,
      overdueGraceSeconds: row.overdue_grace_seconds,
      cron: row.cron,
      timezone: row.timezone,
      isSystem: row.is_system,
    }),
  );
}

function toDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/**
 * How many tasks are in each status at `now`, counted by PostgreSQL in one pass: `/tasks stats` reads
 * five rows whatever the number of tasks (it used to read up to 100,000 and count in memory, and
 * miscounted past that). The CASE mirrors deriveTaskStatus (domain/task-status.ts) rule for rule; the
 * store test compares the two over every boundary.
 */
export async function countTasksByStatus(db: Queryable, now: Date): Promise<Record<TaskStatus, number>> {
  const soonUntil = new Date(now.getTime() + SOON_WINDOW_MS);
  const result = await db.execute<{ status: TaskStatus; count: number }>(sql`
    select case
             when not enabled or approval_state <> 'approved' then 'disabled'
             when is_running and not coalesce(last_run_at > ${now}, false) then 'running'
             when next_run_at is null then 'scheduled'
             when next_run_at + make_interval(secs => overdue_grace_seconds) < ${now} then 'overdue'
             when next_run_at < ${soonUntil} then 'soon'
             else 'scheduled'
           end as status,
           count(*)::int as count
      from scheduled_tasks
     group by 1
  `);
  const counts: Record<TaskStatus, number> = { scheduled: 0, soon: 0, running: 0, overdue: 0, disabled: 0 };
  for (const row of result.rows) counts[row.status] = Number(row.count);
  return counts;
}
