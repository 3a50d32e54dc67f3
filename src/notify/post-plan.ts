import type pg from 'pg';
import {
  type AlertState,
  findChainRootAlert,
  type OutboxDeliveryRow,
  setAlertState,
} from '../store/outbox-delivery.js';
import {
  buildOutboxMessage,
  buildThreadReply,
  type RenderContext,
  type RenderedMessage,
} from './alert-blocks.js';

/** What to post for a row: a top-level message, a reply in an earlier alert's thread, or nothing. */
export type PostPlan =
  | { kind: 'post'; channel: string | undefined; threadTs?: string; message: RenderedMessage }
  | { kind: 'fold' }
  | { kind: 'wait' };

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * What to post for a row not yet in Slack. Failure-chain rows (a failure, its retries, a lost worker, the
 * success that ends them) update the first failure's message and reply in its thread, so one execution's
 * story is one message with its details underneath. `channel` is undefined when neither the row nor
 * ALERT_CHANNEL names one (the caller then tries a direct message).
 */
export async function planPost(
  pool: pg.Pool,
  row: OutboxDeliveryRow,
  now: Date,
  defaultChannel: string | undefined,
  ctx: RenderContext,
): Promise<PostPlan> {
  const channel = row.channel ?? defaultChannel;
  const topLevel = (): PostPlan => ({
    kind: 'post',
    channel,
    message: buildOutboxMessage(row.kind, row.payload, ctx),
  });
  const chained =
    row.kind === 'execution_failed' || row.kind === 'worker_lost' || row.kind === 'execution_succeeded';
  if (!chained || !row.executionId) return topLevel();
  const root = await findChainRootAlert(pool, { executionId: row.executionId, excludeId: row.id });
  // The instant of the event (not of this attempt to deliver it): a retried delivery sets the same state.
  const at = row.createdAt.toISOString();
  const attempt = num(row.payload.attempt);
  const executionId = row.executionId;
  if (!root) {
    if (row.kind !== 'execution_succeeded' || row.payload.notify === true) return topLevel();
    return { kind: 'fold' }; // a success after failures whose alert is gone: nothing to resolve
  }
  const state: AlertState =
    row.kind === 'execution_succeeded'
      ? { kind: 'recovered', attempt, at, executionId }
      : row.payload.retry
        ? { kind: 'retrying', attempt, maxAttempts: num(row.payload.maxAttempts), at, executionId }
        : { kind: 'failed_final', attempt, maxAttempts: num(row.payload.maxAttempts), at, executionId };
  // Setting the same state again (this row retried) changes nothing visible: chat.update is idempotent.
  await setAlertState(pool, { id: root.id, state, now });
  if (root.slackTs && root.slackChannel) {
    return {
      kind: 'post',
      channel: root.slackChannel,
      threadTs: root.slackTs,
      message: buildThreadReply(row.kind, row.payload, ctx),
    };
  }
  // The first alert is not in Slack yet: wait for it, so the details land in its thread.
  return root.status === 'pending' ? { kind: 'wait' } : topLevel();
}
