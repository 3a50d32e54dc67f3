import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit } from './audit.js';
import type { Queryable } from './database.js';
import { queueManualRun } from './executions.js';
import { newestFirst } from './newest-first.js';
import { type ExecutionRow, scheduledTasks, taskExecutions } from './schema.js';

/**
 * Queries the Slack surface needs beyond the shared store functions (owned by the Slack side; see
 * the issue-5 report for folding them into tasks.ts / executions.ts).
 */

export interface ManualRunOutcome {
  executionId: string;
  /** False when an equivalent run was already queued: nothing new was inserted. */
  created: boolean;
}

/**
 * "Run now" from Slack, idempotent against double clicks and Slack's retried deliveries, on any number
 * of replicas: under a transaction-scoped advisory lock on the task, a manual run by the same user that
 * is still queued, or was queued less than `windowSeconds` ago (database time), is returned instead of
 * queueing another. Otherwise queues through execute_task_now (the SQL path operators use) and records
 * the action in the audit log in the same transaction.
 */
export async function queueManualRunOnce(
  db: Queryable,
  request: { taskId: string; userId: string; now: Date; windowSeconds: number },
): Promise<ManualRunOutcome> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`run_now:${request.taskId}`}))`);
    const [existing] = await tx
      .select({ id: taskExecutions.id })
      .from(taskExecutions)
      .where(
        and(
          eq(taskExecutions.taskId, request.taskId),
          eq(taskExecutions.trigger, 'manual'),
          eq(taskExecutions.triggeredBy, request.userId),
          sql`(${taskExecutions.status} = 'queued' or ${taskExecutions.createdAt} > now() - make_interval(secs => ${request.windowSeconds}))`,
        ),
      )
      .orderBy(newestFirst(taskExecutions.createdAt))
      .limit(1);
    if (existing) return { executionId: existing.id, created: false };
    const executionId = await queueManualRun(tx, request.taskId, request.userId);
    const [task] = await tx
      .select({ name: scheduledTasks.name })
      .from(scheduledTasks)
      .where(eq(scheduledTasks.id, request.taskId));
    await recordAudit(tx, {
      actor: request.userId,
      action: 'task.run_now',
      taskId: request.taskId,
      taskName: task?.name ?? null,
      executionId,
      at: request.now,
    });
    return { executionId, created: true };
  });
}

/** The most recent queued or running execution of a task (what "Cancel" acts on), if any. */
export async function findActiveExecution(db: Queryable, taskId: string): Promise<ExecutionRow | undefined> {
  const [row] = await db
    .select()
    .from(taskExecutions)
    .where(and(eq(taskExecutions.taskId, taskId), inArray(taskExecutions.status, ['queued', 'running'])))
    .orderBy(newestFirst(taskExecutions.createdAt))
    .limit(1);
  return row;
}

/** What the cron preview's stagger advice needs about every task: one light query. */
export async function listScheduleSummaries(
  db: Queryable,
): Promise<Array<{ id: string; name: string; cron: string; timezone: string; enabled: boolean }>> {
  return db
    .select({
      id: scheduledTasks.id,
      name: scheduledTasks.name,
      cron: scheduledTasks.cron,
      timezone: scheduledTasks.timezone,
      enabled: scheduledTasks.enabled,
    })
    .from(scheduledTasks)
    .limit(10_000);
}
