import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * `column DESC NULLS LAST` — "newest first" in the order the history indexes are built in
 * (task_executions_task_history_idx, task_executions_failed_created_idx, audit_log_task_idx: drizzle-kit
 * writes a `.desc()` index column as DESC NULLS LAST). drizzle's `desc()` is plain DESC, which PostgreSQL
 * reads as DESC NULLS FIRST and cannot serve from those indexes, even on a NOT NULL column: it then
 * fetches and sorts every matching row before the LIMIT (20,000 failed executions for the App Home's five
 * recent failures, a task's whole history for `/tasks logs`). For the NOT NULL timestamps used here both
 * orders are the same rows in the same order.
 */
export function newestFirst(column: AnyPgColumn): SQL {
  return sql`${column} desc nulls last`;
}
