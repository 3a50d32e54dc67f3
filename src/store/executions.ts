import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { AppError } from '../shared/errors.js';
import type { Queryable } from './database.js';
import { newestFirst } from './newest-first.js';
import { sqlStateOf } from './pg-errors.js';
import { type ExecutionRow, scheduledTasks, taskExecutions } from './schema.js';
import { isUuid } from './tasks.js';

export async function getExecution(db: Queryable, id: string): Promise<ExecutionRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(taskExecutions).where(eq(taskExecutions.id, id));
  return row;
}

/** Keyset cursor: the (created_at, id) of the last row of the previous page. */
export interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export interface HistoryPage {
  rows: ExecutionRow[];
  /** Present when more rows exist after this page. */
  next: HistoryCursor | undefined;
}

/**
 * One page of a task's executions, newest first. Keyset pagination (not OFFSET) so page N costs the same
 * as page 1 with a million rows of history, served by task_executions_task_history_idx.
 */
export async function listExecutionHistory(
  db: Queryable,
  taskId: string,
  options: { limit?: number; after?: HistoryCursor | undefined } = {},
): Promise<HistoryPage> {
  const limit = Math.min(Math.max(options.limit ?? 10, 1), 200);
  const after = options.after;
  const rows = await db
    .select()
    .from(taskExecutions)
    .where(
      and(
        eq(taskExecutions.taskId, taskId),
        after
          ? or(
              lt(taskExecutions.createdAt, after.createdAt),
              and(eq(taskExecutions.createdAt, after.createdAt), lt(taskExecutions.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(newestFirst(taskExecutions.createdAt), desc(taskExecutions.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
  };
}

/**
 * The most recent failed or timed-out executions across all tasks (App Home "recent failures"), with
 * their task's name and zone in the same query.
 */
export async function listRecentFailures(
  db: Queryable,
  limit = 5,
): Promise<Array<ExecutionRow & { taskName: string; taskTimezone: string }>> {
  const rows = await db
    .select({
      execution: taskExecutions,
      taskName: scheduledTasks.name,
      taskTimezone: scheduledTasks.timezone,
    })
    .from(taskExecutions)
    .innerJoin(scheduledTasks, eq(scheduledTasks.id, taskExecutions.taskId))
    .where(sql`${taskExecutions.status} in ('failed', 'timed_out')`)
    .orderBy(newestFirst(taskExecutions.createdAt))
    .limit(limit);
  return rows.map((row) => ({ ...row.execution, taskName: row.taskName, taskTimezone: row.taskTimezone }));
}

/**
 * Queues a manual run through the same SQL function operators use from psql (`execute_task_now`), so
 * Slack and SQL share one path: a queued row, then NOTIFY to wake the schedulers. Returns its id.
 */
export async function queueManualRun(db: Queryable, taskId: string, userId: string | null): Promise<string> {
  try {
    const result = await db.execute<{ id: string }>(
      sql`select execute_task_now(${taskId}::uuid, ${userId}) as id`,
    );
    const id = result.rows[0]?.id;
    if (!id) throw new Error('execute_task_now returned no id');
    return id;
  } catch (error) {
    const state = sqlStateOf(error);
    if (state === 'P0002')
      throw new AppError('task_not_found', `No task with id ${taskId}.`, 'task', { cause: error });
    if (state === '55000') {
      throw new AppError('forbidden', 'This task is not approved and cannot run.', 'task', { cause: error });
    }
    throw error;
  }
}
