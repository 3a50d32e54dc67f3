import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import type { OutboxKind } from '../store/outbox.js';
import { findTaskAuthor, type OutboxDeliveryRow } from '../store/outbox-delivery.js';

/**
 * Where a row goes when neither the task nor ALERT_CHANNEL names a channel: a direct message to the
 * task's author (`conversations.open`, needs `im:write`).
 *
 * Kinds sent to the task's author as a direct message when no channel is known. Not approval cards:
 * their author is the one person who may not decide on them.
 */
const DIRECT_MESSAGE_KINDS: ReadonlySet<OutboxKind> = new Set<OutboxKind>([
  'execution_failed',
  'execution_succeeded',
  'worker_lost',
  'overdue',
  'duration_anomaly',
  'task_message',
]);

export function isSentAsDirectMessage(kind: OutboxKind): boolean {
  return DIRECT_MESSAGE_KINDS.has(kind);
}

/** The author to send a task's alert to when no channel is known, if it has one. */
export async function directMessageRecipient(pool: pg.Pool, row: OutboxDeliveryRow): Promise<string | null> {
  if (!row.taskId || !isSentAsDirectMessage(row.kind)) return null;
  return findTaskAuthor(pool, row.taskId);
}

/**
 * Per author, the id of their direct-message channel with the bot. Per replica and kept for the
 * process's life: the channel of a user and the bot does not change, so
 * `conversations.open` is called once per author rather than once per alert.
 */
export function createDirectMessageChannels(web: WebClient): (userId: string) => Promise<string> {
  const known = new Map<string, string>();
  return async (userId) => {
    const cached = known.get(userId);
    if (cached) return cached;
    const opened = await web.conversations.open({ users: userId });
    const id = opened.channel?.id;
    if (!id) throw new Error('conversations.open answered no channel');
    known.set(userId, id);
    return id;
  };
}
