import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import { OUTBOX_EVENT_TYPE } from '../blockkit/alert-actions.js';
import { formatDeliveryError } from '../domain/delivery-error.js';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import {
  markOutboxDelivered,
  mergePendingMissedRuns,
  type OutboxDeliveryRow,
  recordPostIntent,
  releaseOutbox,
} from '../store/outbox-delivery.js';
import { buildOutboxMessage, type RenderContext } from './alert-blocks.js';
import { directMessageRecipient, isSentAsDirectMessage } from './direct-messages.js';
import { lookUpEarlierPost } from './earlier-post-lookup.js';
import { POST_SPACING_MS, type PostPacing } from './post-pacing.js';
import { planPost } from './post-plan.js';
import { backoffMs, classifySlackError } from './slack-failure.js';

/**
 * The delivery of one claimed `notification_outbox` row (docs/ARCHITECTURE.md §5.11; the worker's loop
 * is outbox-worker.ts): re-render it in place when it has a ts, else choose where it goes, record the
 * intent, look for an earlier post when one may have been made, post it, and attach its file. Every
 * failure ends in `fail`, which decides retry, pause or dead (docs/RELIABILITY.md, "Alert delivery").
 */

/** Why an alert was given up: Slack refused it for good, its retries ran out of time, or nowhere to go. */
export type DeadReason = 'permanent' | 'retry_window' | 'no_channel';

/** `deferred`: given back without counting an attempt (pacing, a 429, waiting for its thread, lease lost). */
export type DeliveryOutcome = 'delivered' | 'failed' | 'deferred';

/** What the delivery of a row needs: the worker's clients and settings, and its per-replica state. */
export interface DeliveryContext {
  pool: pg.Pool;
  web: WebClient;
  log: Logger;
  workerId: string;
  render: RenderContext;
  /** ALERT_CHANNEL. */
  defaultChannel: string | undefined;
  retryForMs: number;
  pacing: PostPacing;
  /** Rows of the current claim merged into another one meanwhile (missed-runs summaries). */
  mergedAway: Set<number>;
  /** The author's direct-message channel (direct-messages.ts). */
  directMessageChannel: (userId: string) => Promise<string>;
  onDead: ((reason: DeadReason, code: string) => void) | undefined;
}

/** The Slack call a failure came from: only a refused post proves nothing was posted. */
type Stage = 'prepare' | 'open_dm' | 'lookup' | 'post' | 'update';

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Gives the row back for later without counting a failure (pacing, a 429, waiting for its thread). */
export function releaseUncounted(
  ctx: DeliveryContext,
  row: OutboxDeliveryRow,
  now: Date,
  nextAttemptAt: Date,
  error: string | null,
): Promise<void> {
  return releaseOutbox(ctx.pool, {
    id: row.id,
    workerId: ctx.workerId,
    now,
    nextAttemptAt,
    error,
    countAttempt: false,
  });
}

const markDelivered = (
  ctx: DeliveryContext,
  row: OutboxDeliveryRow,
  channel: string | null,
  ts: string | null,
  now: Date,
) =>
  markOutboxDelivered(ctx.pool, {
    id: row.id,
    workerId: ctx.workerId,
    channel,
    ts,
    now,
    renderedPayload: row.payload,
  });

export async function deliverOutboxRow(
  ctx: DeliveryContext,
  claimed: OutboxDeliveryRow,
  now: Date,
): Promise<DeliveryOutcome> {
  // Already in the channel: re-render in place (someone acted, a retry recovered, the task ran).
  if (claimed.slackTs && claimed.slackChannel)
    return rerenderInPlace(ctx, claimed, claimed.slackChannel, claimed.slackTs, now);
  let row = claimed;
  let stage: Stage = 'prepare';
  try {
    if (row.kind === 'missed_runs' && !row.slackChannel) {
      const merged = await mergePendingMissedRuns(ctx.pool, {
        primaryId: row.id,
        workerId: ctx.workerId,
        now,
      });
      for (const id of merged.mergedIds) ctx.mergedAway.add(id);
      row = merged.primary ?? row;
    }
    const plan = await planPost(ctx.pool, row, now, ctx.defaultChannel, ctx.render);
    if (plan.kind === 'fold') {
      await markDelivered(ctx, row, null, null, now);
      return 'delivered';
    }
    if (plan.kind === 'wait') {
      await releaseUncounted(ctx, row, now, new Date(now.getTime() + POST_SPACING_MS), null);
      return 'deferred';
    }
    let channel = row.slackChannel ?? plan.channel;
    if (!channel) {
      const author = await directMessageRecipient(ctx.pool, row);
      if (!author) return await failNoChannel(ctx, row, now);
      stage = 'open_dm';
      channel = await ctx.directMessageChannel(author);
    }
    const waitUntil = ctx.pacing.earliestPostAt(channel);
    if (waitUntil > now.getTime()) {
      await releaseUncounted(ctx, row, now, new Date(waitUntil), null);
      return 'deferred';
    }
    if (row.slackChannel) {
      // Outcome of an earlier attempt unknown: look before posting again.
      stage = 'lookup';
      const ts = await lookUpEarlierPost(ctx.web, ctx.log, row, row.slackChannel, plan.threadTs);
      if (ts) {
        ctx.log.info({ outboxId: row.id }, 'alert was already posted; recorded its ts');
        await markDelivered(ctx, row, row.slackChannel, ts, now);
        return 'delivered';
      }
    } else if (!(await recordPostIntent(ctx.pool, { id: row.id, workerId: ctx.workerId, channel }))) {
      return 'deferred'; // lease lost to another replica
    }
    ctx.pacing.recordPost(channel, now.getTime());
    stage = 'post';
    const result = await ctx.web.chat.postMessage({
      channel,
      text: plan.message.text,
      ...(plan.message.blocks.length > 0 ? { blocks: plan.message.blocks } : {}),
      ...(plan.threadTs ? { thread_ts: plan.threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { outbox_id: String(row.id) } },
    } as Parameters<WebClient['chat']['postMessage']>[0]);
    const ts = result.ts ?? null;
    await markDelivered(ctx, row, result.channel ?? channel, ts, now);
    await uploadFile(ctx, row, result.channel ?? channel, ts);
    return 'delivered';
  } catch (error) {
    return fail(ctx, row, error, now, stage);
  }
}

/** `chat.update` of a row already posted: idempotent, so a retried re-render changes nothing more. */
async function rerenderInPlace(
  ctx: DeliveryContext,
  row: OutboxDeliveryRow,
  channel: string,
  ts: string,
  now: Date,
): Promise<DeliveryOutcome> {
  let stage: Stage = 'prepare';
  try {
    const message = buildOutboxMessage(row.kind, row.payload, ctx.render);
    stage = 'update';
    await ctx.web.chat.update({
      channel,
      ts,
      text: message.text,
      blocks: message.blocks,
    } as Parameters<WebClient['chat']['update']>[0]);
    await markDelivered(ctx, row, null, null, now);
    return 'delivered';
  } catch (error) {
    return fail(ctx, row, error, now, stage);
  }
}

/**
 * After a failed Slack call: a 429 pauses; a permanent error is dead at once; a transient one is
 * retried with backoff until the retry window, counted from the first failed attempt, is over (the
 * last attempt is made as the window closes).
 */
async function fail(
  ctx: DeliveryContext,
  row: OutboxDeliveryRow,
  error: unknown,
  now: Date,
  stage: Stage,
): Promise<DeliveryOutcome> {
  const failure = classifySlackError(error);
  if (failure.kind === 'rate_limited') {
    ctx.pacing.pause(now.getTime() + failure.retryAfterMs);
    ctx.log.warn({ outboxId: row.id, retryAfterMs: failure.retryAfterMs }, 'Slack rate limit: pausing posts');
    await releaseUncounted(ctx, row, now, new Date(ctx.pacing.pausedUntil), failure.recorded);
    return 'deferred';
  }
  const attempts = row.attempts + 1;
  const giveUpAtMs = (row.failingSince ?? now).getTime() + ctx.retryForMs;
  const permanent = failure.kind === 'permanent';
  const dead = permanent || now.getTime() >= giveUpAtMs;
  ctx.log[dead ? 'error' : 'warn'](
    { outboxId: row.id, kind: row.kind, attempts, slackError: failure.code, stage, err: toError(error) },
    dead
      ? permanent
        ? `alert undeliverable (${failure.code}): marked dead`
        : `alert undeliverable after retrying for ${Math.round(ctx.retryForMs / 60_000)} min (${failure.code}): marked dead`
      : 'alert delivery failed; will retry',
  );
  await releaseOutbox(ctx.pool, {
    id: row.id,
    workerId: ctx.workerId,
    now,
    nextAttemptAt: new Date(Math.min(now.getTime() + backoffMs(attempts), giveUpAtMs)),
    error: failure.recorded,
    countAttempt: true,
    dead,
    // Slack refused the post, so nothing was posted: a redelivery chooses the channel again.
    clearIntent: permanent && stage === 'post',
  });
  // A re-render (slack_ts set) that fails for good leaves the alert delivered, not dead.
  if (dead && !row.slackTs) ctx.onDead?.(permanent ? 'permanent' : 'retry_window', failure.code);
  return 'failed';
}

/** Nowhere to post: dead at once, named `no_channel` (shown, and redeliverable once a channel is set). */
async function failNoChannel(
  ctx: DeliveryContext,
  row: OutboxDeliveryRow,
  now: Date,
): Promise<DeliveryOutcome> {
  const why = isSentAsDirectMessage(row.kind)
    ? 'no alert channel on the task, ALERT_CHANNEL is not set, and no author to send a direct message to'
    : 'no alert channel on the task and ALERT_CHANNEL is not set (this kind is not sent as a direct message)';
  ctx.log.error({ outboxId: row.id, kind: row.kind }, `alert undeliverable (no_channel): ${why}`);
  await releaseOutbox(ctx.pool, {
    id: row.id,
    workerId: ctx.workerId,
    now,
    nextAttemptAt: now,
    error: formatDeliveryError('no_channel', why),
    countAttempt: true,
    dead: true,
  });
  ctx.onDead?.('no_channel', 'no_channel');
  return 'failed';
}

/**
 * A report's CSV goes into the message's thread, best effort: the message (the alert) is delivered;
 * a failed upload is logged, not retried (a retry could post the message twice).
 */
async function uploadFile(
  ctx: DeliveryContext,
  row: OutboxDeliveryRow,
  channel: string,
  ts: string | null,
): Promise<void> {
  const file = row.kind === 'task_message' ? (row.payload.file as Record<string, unknown> | null) : null;
  if (!file || !ts) return;
  try {
    await ctx.web.files.uploadV2({
      channel_id: channel,
      thread_ts: ts,
      content: str(file.content) ?? '',
      filename: str(file.filename) ?? 'report.csv',
      title: str(file.title) ?? str(file.filename) ?? 'report',
    });
  } catch (error) {
    ctx.log.warn({ outboxId: row.id, err: toError(error) }, 'could not attach the file to the message');
  }
}
