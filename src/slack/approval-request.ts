import { approvalRequestKey } from '../domain/approval-ref.js';
import { userCodeOf, userCodeText } from '../domain/user-code.js';
import { listPendingWithoutCard } from '../store/approvals.js';
import type { Queryable } from '../store/database.js';
import { enqueueOutboxWith, type OutboxEntry } from '../store/outbox.js';
import type { TaskRow } from '../store/schema.js';

/**
 * The outbox entry announcing that a task carrying code waits for approval, enqueued in the
 * transaction that saves the task as `pending`: the request exists if and only if the save committed.
 * One card per saved version; its buttons name that version, and its payload keeps the whole code, so
 * the card and its View full text modal show exactly what Approve approves.
 */
export function approvalRequestEntry(task: TaskRow, authorId: string, edited: boolean): OutboxEntry {
  const version = task.approvalVersion ?? task.version;
  const code = userCodeOf(task.type, task.params as Record<string, unknown>);
  return {
    kind: 'approval_requested',
    dedupeKey: approvalRequestKey({ taskId: task.id, version }),
    channel: null,
    taskId: task.id,
    payload: {
      taskId: task.id,
      taskName: task.name,
      taskType: task.type,
      author: authorId,
      edited,
      version,
      code: code ? userCodeText(code) : '',
      codeKind: code?.kind ?? null,
      readOnly: code?.kind === 'sql' ? code.readOnly : null,
      cron: task.cron,
      timezone: task.timezone,
    },
  };
}

/**
 * Posts the missing approval card of every pending task (one made pending by a migration, such as a
 * notification task with its own query). Run at start; idempotent (one card per version).
 */
export async function ensurePendingApprovalCards(db: Queryable, now: Date): Promise<number> {
  const tasks = await listPendingWithoutCard(db);
  if (tasks.length === 0) return 0;
  const entries = tasks.map((task) => approvalRequestEntry(task, task.approvalRequestedBy ?? '?', true));
  return (await enqueueOutboxWith(db, entries, now)).length;
}
