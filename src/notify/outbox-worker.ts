import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import { OUTBOX_EVENT_TYPE } from '../blockkit/alert-actions.js';
import { formatDeliveryError } from '../domain/delivery-error.js';
import type { Clock } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/database.js';
import type { OutboxKind } from '../store/outbox.js';
import {
  type AlertState,
  claimDueOutbox,
  countOutboxByStatus,
  findChainRootAlert,
  findTaskAuthor,
  markOutboxDelivered,
  mergePendingMissedRuns,
  nextOutboxAttemptAt,
  type OutboxDeliveryRow,
  recordPostIntent,
  releaseOutbox,
  resolveOverdueAlerts,
  setAlertState,
} from '../store/outbox-delivery.js';
import {
  buildOutboxMessage,
  buildThreadReply,
  type RenderContext,
  type RenderedMessage,
} from './alert-blocks.js';
import { notifyMessagesFor } from './messages.js';
import { backoffMs, classifySlackError } from './slack-failure.js';

/**
 * Delivers `notification_outbox` rows to Slack (docs/ARCHITECTURE.md §5.11): at least once, and
 * idempotently, with any number of replicas.
 *
 * - **Claim with a lease.** Rows are leased (locked_by/locked_until) with `FOR UPDATE SKIP LOCKED`, so two
 *   replicas never work on the same row at the same time; a replica that dies mid-delivery loses its
 *   lease after `leaseMs` and another takes the row over.
 * - **Intent before post, lookup on recovery.** Before `chat.postMessage` the row records the channel it
 *   is being posted to (`slack_channel` set, `slack_ts` null = "outcome unknown"); every message carries
 *   Slack message metadata `{event_type: 'chronops_outbox', event_payload: {outbox_id}}`. A row found in
 *   the unknown state (crash between post and mark, a response lost on the network, a lease that
 *   lapsed) is first looked for with `conversations.history` / `conversations.replies`
 *   (`include_all_metadata`): found, its ts is recorded and nothing is posted again. Limits: the lookup
 *   needs the `channels:history` / `groups:history` / `im:history` scope and a channel *id*
 *   (ALERT_CHANNEL=C…), reads at most 1,000 messages back, and relies on Slack showing a message in
 *   history once `postMessage` returned; when Slack refuses the lookup for good (missing scope, channel
 *   name) the row is posted again — at least once wins over at most once.
 * - **The stored ts decides updates.** A row with a ts that is pending again (someone acted, a retry
 *   recovered) is re-rendered with `chat.update`, which is idempotent.
 * - **Rate limits.** The WebClient must not retry or wait by itself (`rejectRateLimitedCalls: true`,
 *   `retryConfig: { retries: 0 }`), so a 429 reaches this loop: it pauses every post of this replica
 *   for Retry-After, without counting an attempt. Posts are paced to one per second per channel.
 * - **Nothing dies silently** (docs/RELIABILITY.md, "Alert delivery"). An error Slack will repeat
 *   (`channel_not_found`, `not_in_channel`, `missing_scope`, `invalid_blocks`…: slack-failure.ts) makes
 *   the row `dead` at once, with that error recorded; 5xx, network errors and Slack's own hiccups are
 *   retried with exponential backoff until `retryForMs` (ALERT_RETRY_FOR_MINUTES) after the first
 *   failed attempt, then the row is dead. Dead rows stay listed (`/tasks alerts`, the App Home,
 *   metrics) until someone redelivers them.
 * - **Where.** The row's channel (the task's alert channel), else ALERT_CHANNEL, else a direct message
 *   to the task's author (`conversations.open`, needs `im:write`). Approval cards are never sent to
 *   their author (who may not approve them): without a channel they are dead, `no_channel`.
 */
export interface OutboxWorkerDeps {
  pool: pg.Pool;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** @slack/web-api client pointed at the right API URL and token; see the class comment for options. */
  web: WebClient;
  /** ALERT_CHANNEL: where rows without a channel go; unset, a task's alerts go to its author's DM. */
  defaultChannel: string | undefined;
  locale: 'en' | 'fr';
  workerId: string;
  /** Longest sleep between passes when nothing is due and no NOTIFY arrives (a safety net). */
  pollIntervalMs?: number;
  /**
   * How long transient failures (5xx, network, Slack's own errors) are retried, from a row's first
   * failed attempt, before it is dead. Default 60 minutes.
   */
  retryForMs?: number;
  /** Lease of a claimed row. Default 60 s (a Slack call times out well before). */
  leaseMs?: number;
  /** Called after each delivery attempt that ended (metrics). */
  onAttempt?: (outcome: 'delivered' | 'failed') => void;
  /** Called when an alert is given up (metrics): why, and the error recorded. */
  onDead?: (reason: DeadReason, code: string) => void;
  /** Rows claimed per round. Default 20. */
  batchSize?: number;
}

/** Why an alert was given up: Slack refused it for good, its retries ran out of time, or nowhere to go. */
export type DeadReason = 'permanent' | 'retry_window' | 'no_channel';

export interface OutboxWorker {
  start(): void;
  /** Looks again now (NOTIFY chronops_outbox: an alert was enqueued or must be re-rendered). */
  wake(): void;
  /**
   * Graceful shutdown (docs/ENGINE.md, "Shutdown"): claims nothing more at once, hands back the rows
   * of the current claim it has not begun to deliver, and waits for the delivery in flight — at most
   * `graceMs` (default: until it ends). A delivery still in flight then is left to its lease: another
   * replica looks for its message before posting it again.
   */
  stop(graceMs?: number): Promise<void>;
  deliverDue(now?: Date): Promise<{ delivered: number; failed: number }>;
  pendingCount(): Promise<number>;
  deadCount(): Promise<number>;
}

const POST_SPACING_MS = 1000;
const MAX_ROUNDS_PER_CALL = 10;
const LOOKUP_PAGES = 5;
/** How far before a row's creation its message may be (Slack and database clocks differ). */
const LOOKUP_MARGIN_MS = 10 * 60_000;

type Outcome = 'delivered' | 'failed' | 'deferred';

/** The Slack call a failure came from: only a refused post proves nothing was posted. */
type Stage = 'prepare' | 'open_dm' | 'lookup' | 'post' | 'update';

/** Default of `retryForMs` (ALERT_RETRY_FOR_MINUTES). */
export const DEFAULT_ALERT_RETRY_FOR_MS = 60 * 60_000;

/**
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

/** What to post for a row: a top-level message, a reply in an earlier alert's thread, or nothing. */
type PostPlan =
  | { kind: 'post'; channel: string | undefined; threadTs?: string; message: RenderedMessage }
  | { kind: 'fold' }
  | { kind: 'wait' };

/** Shortest sleep between passes, so rows locked by another replica are not polled in a busy loop. */
const MIN_SLEEP_MS = 50;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { pool, clock, logger, web, workerId } = deps;
  const log = logger.child({ component: 'outbox' });
  const ctx: RenderContext = { m: notifyMessagesFor(deps.locale), locale: deps.locale };
  const retryForMs = deps.retryForMs ?? DEFAULT_ALERT_RETRY_FOR_MS;
  const leaseMs = deps.leaseMs ?? 60_000;
  const batchSize = deps.batchSize ?? 20;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  /** Per channel: the instant (clock ms) of its next allowed post. Per replica. */
  const nextPostAt = new Map<string, number>();
  /** After a 429: no post before this instant (clock ms). */
  let pausedUntil = 0;
  /** Rows of the current claim merged into another one meanwhile (missed-runs summaries). */
  const mergedAway = new Set<number>();
  /** Per author: the id of their direct-message channel with the bot (conversations.open). Per replica. */
  const directChannels = new Map<string, string>();

  /** Gives the row back for later without counting a failure (pacing, a 429, waiting for its thread). */
  const release = (row: OutboxDeliveryRow, now: Date, nextAttemptAt: Date, error: string | null) =>
    releaseOutbox(pool, { id: row.id, workerId, now, nextAttemptAt, error, countAttempt: false });

  const markDelivered = (row: OutboxDeliveryRow, channel: string | null, ts: string | null, now: Date) =>
    markOutboxDelivered(pool, { id: row.id, workerId, channel, ts, now, renderedPayload: row.payload });

  /** The message of this row already in Slack (looked up by its metadata), if any. */
  async function findPosted(row: OutboxDeliveryRow, channel: string, threadTs: string | undefined) {
    const wanted = String(row.id);
    const oldest = String((row.createdAt.getTime() - LOOKUP_MARGIN_MS) / 1000);
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const base = { channel, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const result = threadTs
        ? await web.conversations.replies({ ...base, ts: threadTs })
        : await web.conversations.history({ ...base, oldest });
      for (const message of result.messages ?? []) {
        const metadata = (
          message as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }
        ).metadata;
        if (
          metadata?.event_type === OUTBOX_EVENT_TYPE &&
          String(metadata.event_payload?.outbox_id) === wanted
        ) {
          return message.ts ?? null;
        }
      }
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return null;
  }

  /** Failure-chain rows update the first failure's message and reply in its thread. */
  async function planPost(row: OutboxDeliveryRow, now: Date): Promise<PostPlan> {
    const channel = row.channel ?? deps.defaultChannel;
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

  /**
   * After a failed Slack call: a 429 pauses; a permanent error is dead at once; a transient one is
   * retried with backoff until the retry window, counted from the first failed attempt, is over (the
   * last attempt is made as the window closes).
   */
  async function fail(row: OutboxDeliveryRow, error: unknown, now: Date, stage: Stage): Promise<Outcome> {
    const failure = classifySlackError(error);
    if (failure.kind === 'rate_limited') {
      pausedUntil = Math.max(pausedUntil, now.getTime() + failure.retryAfterMs);
      log.warn({ outboxId: row.id, retryAfterMs: failure.retryAfterMs }, 'Slack rate limit: pausing posts');
      await release(row, now, new Date(pausedUntil), failure.recorded);
      return 'deferred';
    }
    const attempts = row.attempts + 1;
    const giveUpAtMs = (row.failingSince ?? now).getTime() + retryForMs;
    const permanent = failure.kind === 'permanent';
    const dead = permanent || now.getTime() >= giveUpAtMs;
    log[dead ? 'error' : 'warn'](
      { outboxId: row.id, kind: row.kind, attempts, slackError: failure.code, stage, err: toError(error) },
      dead
        ? permanent
          ? `alert undeliverable (${failure.code}): marked dead`
          : `alert undeliverable after retrying for ${Math.round(retryForMs / 60_000)} min (${failure.code}): marked dead`
        : 'alert delivery failed; will retry',
    );
    await releaseOutbox(pool, {
      id: row.id,
      workerId,
      now,
      nextAttemptAt: new Date(Math.min(now.getTime() + backoffMs(attempts), giveUpAtMs)),
      error: failure.recorded,
      countAttempt: true,
      dead,
      // Slack refused the post, so nothing was posted: a redelivery chooses the channel again.
      clearIntent: permanent && stage === 'post',
    });
    // A re-render (slack_ts set) that fails for good leaves the alert delivered, not dead.
    if (dead && !row.slackTs) deps.onDead?.(permanent ? 'permanent' : 'retry_window', failure.code);
    return 'failed';
  }

  /** The author to send a task's alert to when no channel is known, if it has one. */
  async function directMessageRecipient(row: OutboxDeliveryRow): Promise<string | null> {
    if (!row.taskId || !DIRECT_MESSAGE_KINDS.has(row.kind)) return null;
    return findTaskAuthor(pool, row.taskId);
  }

  async function directMessageChannel(userId: string): Promise<string> {
    const known = directChannels.get(userId);
    if (known) return known;
    const opened = await web.conversations.open({ users: userId });
    const id = opened.channel?.id;
    if (!id) throw new Error('conversations.open answered no channel');
    directChannels.set(userId, id);
    return id;
  }

  /** Nowhere to post: dead at once, named `no_channel` (shown, and redeliverable once a channel is set). */
  async function failNoChannel(row: OutboxDeliveryRow, now: Date): Promise<Outcome> {
    const why = DIRECT_MESSAGE_KINDS.has(row.kind)
      ? 'no alert channel on the task, ALERT_CHANNEL is not set, and no author to send a direct message to'
      : 'no alert channel on the task and ALERT_CHANNEL is not set (this kind is not sent as a direct message)';
    log.error({ outboxId: row.id, kind: row.kind }, `alert undeliverable (no_channel): ${why}`);
    await releaseOutbox(pool, {
      id: row.id,
      workerId,
      now,
      nextAttemptAt: now,
      error: formatDeliveryError('no_channel', why),
      countAttempt: true,
      dead: true,
    });
    deps.onDead?.('no_channel', 'no_channel');
    return 'failed';
  }

  /**
   * The ts of this row's message if an earlier attempt posted it. A lookup Slack refuses for good
   * (missing `*:history` scope, a channel name instead of an id) cannot tell: the row is posted again
   * (at least once wins over at most once). A transient failure is retried like a failed post.
   */
  async function lookUpEarlierPost(row: OutboxDeliveryRow, channel: string, threadTs: string | undefined) {
    try {
      return await findPosted(row, channel, threadTs);
    } catch (error) {
      const failure = classifySlackError(error);
      if (failure.kind !== 'permanent') throw error;
      log.warn(
        { outboxId: row.id, slackError: failure.code },
        'cannot look for an earlier post of this alert; posting it again',
      );
      return null;
    }
  }

  async function deliverOne(claimed: OutboxDeliveryRow, now: Date): Promise<Outcome> {
    let row = claimed;
    let stage: Stage = 'prepare';
    try {
      if (row.slackTs && row.slackChannel) {
        // Already in the channel: re-render in place (someone acted, a retry recovered, the task ran).
        const message = buildOutboxMessage(row.kind, row.payload, ctx);
        stage = 'update';
        await web.chat.update({
          channel: row.slackChannel,
          ts: row.slackTs,
          text: message.text,
          blocks: message.blocks,
        } as Parameters<WebClient['chat']['update']>[0]);
        await markDelivered(row, null, null, now);
        return 'delivered';
      }
      if (row.kind === 'missed_runs' && !row.slackChannel) {
        const merged = await mergePendingMissedRuns(pool, { primaryId: row.id, workerId, now });
        for (const id of merged.mergedIds) mergedAway.add(id);
        row = merged.primary ?? row;
      }
      const plan = await planPost(row, now);
      if (plan.kind === 'fold') {
        await markDelivered(row, null, null, now);
        return 'delivered';
      }
      if (plan.kind === 'wait') {
        await release(row, now, new Date(now.getTime() + POST_SPACING_MS), null);
        return 'deferred';
      }
      let channel = row.slackChannel ?? plan.channel;
      if (!channel) {
        const author = await directMessageRecipient(row);
        if (!author) return await failNoChannel(row, now);
        stage = 'open_dm';
        channel = await directMessageChannel(author);
      }
      const waitUntil = Math.max(pausedUntil, nextPostAt.get(channel) ?? 0);
      if (waitUntil > now.getTime()) {
        await release(row, now, new Date(waitUntil), null);
        return 'deferred';
      }
      if (row.slackChannel) {
        // Outcome of an earlier attempt unknown: look before posting again.
        stage = 'lookup';
        const ts = await lookUpEarlierPost(row, row.slackChannel, plan.threadTs);
        if (ts) {
          log.info({ outboxId: row.id }, 'alert was already posted; recorded its ts');
          await markDelivered(row, row.slackChannel, ts, now);
          return 'delivered';
        }
      } else if (!(await recordPostIntent(pool, { id: row.id, workerId, channel }))) {
        return 'deferred'; // lease lost to another replica
      }
      nextPostAt.set(channel, now.getTime() + POST_SPACING_MS);
      stage = 'post';
      const result = await web.chat.postMessage({
        channel,
        text: plan.message.text,
        ...(plan.message.blocks.length > 0 ? { blocks: plan.message.blocks } : {}),
        ...(plan.threadTs ? { thread_ts: plan.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { outbox_id: String(row.id) } },
      } as Parameters<WebClient['chat']['postMessage']>[0]);
      const ts = result.ts ?? null;
      await markDelivered(row, result.channel ?? channel, ts, now);
      await uploadFile(row, result.channel ?? channel, ts);
      return 'delivered';
    } catch (error) {
      return fail(row, error, now, stage);
    }
  }

  /**
   * A report's CSV goes into the message's thread, best effort: the message (the alert) is delivered;
   * a failed upload is logged, not retried (a retry could post the message twice).
   */
  async function uploadFile(row: OutboxDeliveryRow, channel: string, ts: string | null): Promise<void> {
    const file = row.kind === 'task_message' ? (row.payload.file as Record<string, unknown> | null) : null;
    if (!file || !ts) return;
    try {
      await web.files.uploadV2({
        channel_id: channel,
        thread_ts: ts,
        content: str(file.content) ?? '',
        filename: str(file.filename) ?? 'report.csv',
        title: str(file.title) ?? str(file.filename) ?? 'report',
      });
    } catch (error) {
      log.warn({ outboxId: row.id, err: toError(error) }, 'could not attach the file to the message');
    }
  }

  /** Shutting down: rows claimed but not begun go back at once, for another replica to deliver now. */
  async function handBack(rows: readonly OutboxDeliveryRow[], now: Date): Promise<void> {
    const waiting = rows.filter((row) => !mergedAway.has(row.id));
    for (const row of waiting) await release(row, now, now, null);
    if (waiting.length > 0)
      log.info({ handedBack: waiting.length }, 'shutting down: handed back alerts not yet delivered');
  }

  async function deliverDue(at?: Date): Promise<{ delivered: number; failed: number }> {
    const now = at ?? clock.now();
    const totals = { delivered: 0, failed: 0 };
    await resolveOverdueAlerts(pool, now);
    // Rounds: a delivery may queue another row for now (a chain's first alert to update in place).
    for (let round = 0; round < MAX_ROUNDS_PER_CALL && !stopRequested; round++) {
      const rows = await claimDueOutbox(pool, {
        now,
        workerId,
        leaseUntil: new Date(now.getTime() + leaseMs),
        limit: batchSize,
      });
      if (rows.length === 0) break;
      let progressed = false;
      for (const [index, row] of rows.entries()) {
        if (stopRequested) {
          await handBack(rows.slice(index), now);
          break;
        }
        if (mergedAway.delete(row.id)) continue;
        inFlight = row.id;
        const outcome = await deliverOne(row, now).finally(() => {
          inFlight = undefined;
        });
        if (outcome === 'delivered') totals.delivered += 1;
        if (outcome === 'failed') totals.failed += 1;
        if (outcome === 'delivered' || outcome === 'failed') deps.onAttempt?.(outcome);
        if (outcome !== 'deferred') progressed = true;
      }
      mergedAway.clear();
      if (!progressed) break;
    }
    return totals;
  }

  let running = false;
  /** stop() was called: no claim, no new delivery. */
  let stopRequested = false;
  /** The row being delivered now (its Slack call may be in flight). */
  let inFlight: number | undefined;
  let loop: Promise<void> | undefined;
  let wakeSleep: (() => void) | undefined;
  let wakeRequested = false;
  return {
    wake() {
      wakeRequested = true;
      wakeSleep?.();
    },
    start() {
      if (running) return;
      running = true;
      stopRequested = false;
      loop = (async () => {
        while (running) {
          try {
            await deliverDue();
          } catch (error) {
            log.error({ err: toError(error) }, 'outbox delivery pass failed');
          }
          if (!running) break;
          if (wakeRequested) {
            wakeRequested = false;
            continue;
          }
          // Sleep until the next row is due (a backoff, a paced post, a 429 pause), a NOTIFY, or the
          // safety poll: an idle replica does not poll the outbox every second.
          let sleepMs = pollIntervalMs;
          try {
            const next = await nextOutboxAttemptAt(pool);
            if (next) sleepMs = Math.min(sleepMs, next.getTime() - clock.nowMs());
          } catch (error) {
            log.warn({ err: toError(error) }, 'could not read when the next alert is due');
          }
          sleepMs = Math.max(MIN_SLEEP_MS, sleepMs, pausedUntil - clock.nowMs());
          if (wakeRequested) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, sleepMs);
            timer.unref?.();
            wakeSleep = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wakeSleep = undefined;
        }
      })();
    },
    async stop(graceMs) {
      running = false;
      stopRequested = true;
      wakeSleep?.();
      const current = loop;
      if (!current) return;
      if (inFlight !== undefined)
        log.info(
          { outboxId: inFlight, graceMs },
          'shutting down: claiming no more alerts; waiting for the delivery in flight',
        );
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        current.then(() => true),
        ...(graceMs === undefined
          ? []
          : [new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]),
      ]);
      clearTimeout(timer);
      if (!ended) {
        log.warn(
          { outboxId: inFlight, graceMs },
          'grace period over: leaving the alert delivery in flight to its lease (another replica looks for its message before posting it again)',
        );
      }
      loop = undefined;
    },
    deliverDue,
    pendingCount: () => countOutboxByStatus(pool, 'pending'),
    deadCount: () => countOutboxByStatus(pool, 'dead'),
  };
}
