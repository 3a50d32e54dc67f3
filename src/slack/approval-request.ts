import type { OutboxEntry } from '../store/outbox.js';
import type { TaskRow } from '../store/schema.js';

/**
 * The outbox entry announcing that a custom task waits for approval (issue 6 §7), enqueued in the
 * transaction that saves the task as `pending`: the request exists if and only if the save committed.
 * One request per saved version (an edit of a pending task asks again, with the new code).
 */
export function approvalRequestEntry(task: TaskRow, authorId: string, edited: boolean): OutboxEntry {
  const params = task.params as {
    kind?: string;
    sql?: string;
    script?: string;
    args?: string[];
    readOnly?: boolean;
  };
  const code =
    params.kind === 'script'
      ? [params.script ?? '', ...(params.args ?? [])].join(' ')
      : typeof params.sql === 'string'
        ? params.sql
        : JSON.stringify(params);
  const runs =
    params.kind === 'script'
      ? `script ${params.script ?? '?'}`
      : `SQL${params.readOnly ? ' (read-only)' : ''}`;
  return {
    kind: 'approval_requested',
    dedupeKey: `approval_requested:${task.id}:${task.version}`,
    channel: null,
    taskId: task.id,
    payload: {
      taskId: task.id,
      taskName: task.name,
      author: authorId,
      edited,
      version: task.version,
      code,
      runs,
      cron: task.cron,
      timezone: task.timezone,
    },
  };
}
