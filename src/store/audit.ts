import { desc, eq } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { newestFirst } from './newest-first.js';
import { type AuditRow, auditLog } from './schema.js';

export interface AuditEntry {
  actor: string;
  action: string;
  taskId?: string | null;
  taskName?: string | null;
  executionId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  at: Date;
}

/** Appends one entry; call it inside the transaction that makes the change, so the two agree. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    taskId: entry.taskId ?? null,
    taskName: entry.taskName ?? null,
    executionId: entry.executionId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    createdAt: entry.at,
  });
}

/** Newest first. */
export async function listAuditForTask(db: Queryable, taskId: string, limit = 20): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.taskId, taskId))
    .orderBy(newestFirst(auditLog.createdAt), desc(auditLog.id))
    .limit(limit);
}

/** recordAudit for the engine's raw-SQL transactions (node-postgres client instead of drizzle). */
export async function recordAuditWithClient(
  client: { query(text: string, values: unknown[]): Promise<unknown> },
  entry: AuditEntry,
): Promise<void> {
  await client.query(
    `insert into audit_log (actor, action, task_id, task_name, execution_id, before, after, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      entry.actor,
      entry.action,
      entry.taskId ?? null,
      entry.taskName ?? null,
      entry.executionId ?? null,
      entry.before ? JSON.stringify(entry.before) : null,
      entry.after ? JSON.stringify(entry.after) : null,
      entry.at.toISOString(),
    ],
  );
}
