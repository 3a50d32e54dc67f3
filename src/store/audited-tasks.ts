import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { auditLog } from './schema.js';
import { isUuid } from './tasks.js';

/** A task as the audit log remembers it, whether or not it still exists. */
export interface AuditedTask {
  taskId: string;
  /** The name on its newest entry (a deleted task's name when it was deleted). */
  name: string;
  /** When it was deleted, or null when the log records no deletion. */
  deletedAt: Date | null;
  /** Its time zone as last recorded (by a creation, edit or deletion), for showing dates. */
  timezone: string | null;
}

/**
 * The tasks the audit log knows by this id, or that bore this name (case-insensitive) on any entry:
 * `/tasks audit` reaches a deleted task through them, since the log keeps its id and name (it has no
 * foreign key to scheduled_tasks). Most recent activity first, at most `limit`. A name lookup reads the
 * audit entries of that name through audit_log_task_name_idx, not the whole log.
 */
export async function findAuditedTasks(db: Queryable, ref: string, limit = 10): Promise<AuditedTask[]> {
  const trimmed = ref.trim();
  if (trimmed === '') return [];
  const matches = isUuid(trimmed)
    ? eq(auditLog.taskId, trimmed.toLowerCase())
    : sql`lower(${auditLog.taskName}) = lower(${trimmed})`;
  const ids = db
    .select({ taskId: auditLog.taskId })
    .from(auditLog)
    .where(and(isNotNull(auditLog.taskId), matches));
  const rows = await db
    .select({
      taskId: sql<string>`${auditLog.taskId}`,
      name: sql<string>`(array_agg(${auditLog.taskName} order by ${auditLog.createdAt} desc, ${auditLog.id} desc) filter (where ${auditLog.taskName} is not null))[1]`,
      deletedAt: sql<Date | null>`max(${auditLog.createdAt}) filter (where ${auditLog.action} = 'task.deleted')`,
      timezone: sql<
        string | null
      >`(array_agg(coalesce(${auditLog.after}->>'timezone', ${auditLog.before}->>'timezone') order by ${auditLog.createdAt} desc, ${auditLog.id} desc) filter (where coalesce(${auditLog.after}->>'timezone', ${auditLog.before}->>'timezone') is not null))[1]`,
      lastAt: sql<Date>`max(${auditLog.createdAt})`,
    })
    .from(auditLog)
    .where(inArray(auditLog.taskId, ids))
    .groupBy(auditLog.taskId)
    .orderBy(sql`max(${auditLog.createdAt}) desc`)
    .limit(limit);
  return rows.map((row) => ({
    taskId: row.taskId,
    name: row.name ?? row.taskId,
    deletedAt: row.deletedAt ? new Date(row.deletedAt) : null,
    timezone: row.timezone,
  }));
}
