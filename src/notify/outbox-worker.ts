import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import type { Clock } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/database.js';
import {
  claimDueOutbox,
  countOutboxByStatus,
  nextOutboxAttemptAt,
  type OutboxDeliveryRow,
  resolveOverdueAlerts,
} from '../store/outbox-delivery.js';
import { createDirectMessageChannels } from './direct-messages.js';
import { notifyMessagesFor } from './messages.js';
import {
  type DeadReason,
  type DeliveryContext,
  deliverOutboxRow,
  releaseUncounted,
} from './outbox-row-delivery.js';
import { PostPacing } from './post-pacing.js';

/**
 * Delivers `notification_outbox` rows to Slack (docs/ARCHITECTURE.md §5.11): at least once, and
 * idempotently, with any number of replicas. This file is the claim/lease loop; the delivery of one row
 * is outbox-row-delivery.ts.
 *
 * - **Claim with a lease.** Rows are leased (locked_by/locked_until) with `FOR UPDATE SKIP LOCKED`, so two
 *   replicas never work on the same row at the same time; a replica that dies mid-delivery loses its
 *   lease after `leaseMs` and another takes the row over.
 * - **Intent before post, lookup on recovery.** Before `chat.postMessage` the row records the channel it
 *   is being posted to (`slack_channel` set, `slack_ts` null = "outcome unknown"); a row found in that
 *   state is first looked for in Slack by its message metadata (earlier-post-lookup.ts): found, its ts is
 *   recorded and nothing is posted again; when Slack refuses the lookup for good (missing scope, channel
 *   name) the row is posted again — at least once wins over at most once.
 * - **The stored ts decides updates.** A row with a ts that is pending again (someone acted, a retry
 *   recovered) is re-rendered with `chat.update`, which is idempotent.
 * - **Rate limits.** The WebClient must not retry or wait by itself (`rejectRateLimitedCalls: true`,
 *   `retryConfig: { retries: 0 }`), so a 429 reaches this loop: it pauses every post of this replica
 *   for Retry-After, without counting an attempt. Posts are paced to one per second per channel
 *   (post-pacing.ts).
 * - **Nothing dies silently** (docs/RELIABILITY.md, "Alert delivery"). An error Slack will repeat
 *   (`channel_not_found`, `not_in_channel`, `missing_scope`, `invalid_blocks`…: slack-failure.ts) makes
 *   the row `dead` at once, with that error recorded; 5xx, network errors and Slack's own hiccups are
 *   retried with exponential backoff until `retryForMs` (ALERT_RETRY_FOR_MINUTES) after the first
 *   failed attempt, then the row is dead. Dead rows stay listed (`/tasks alerts`, the App Home,
 *   metrics) until someone redelivers them.
 * - **Where.** The row's channel (the task's alert channel), else ALERT_CHANNEL, else a direct message
 *   to the task's author (direct-messages.ts). Approval cards are never sent to their author (who may
 *   not approve them): without a channel they are dead, `no_channel`.
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

const MAX_ROUNDS_PER_CALL = 10;

/** Default of `retryForMs` (ALERT_RETRY_FOR_MINUTES). */
export const DEFAULT_ALERT_RETRY_FOR_MS = 60 * 60_000;

/** Shortest sleep between passes, so rows locked by another replica are not polled in a busy loop. */
const MIN_SLEEP_MS = 50;

// Stays whole because it is a factory: its closures share the worker's state (the stop flag,
// the delivery in flight, the wake-up of the sleep), and each of them is short.
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { pool, clock, logger, workerId } = deps;
  const log = logger.child({ component: 'outbox' });
  const leaseMs = deps.leaseMs ?? 60_000;
  const batchSize = deps.batchSize ?? 20;
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const delivery: DeliveryContext = {
    pool,
    web: deps.web,
    log,
    workerId,
    render: { m: notifyMessagesFor(deps.locale), locale: deps.locale },
    defaultChannel: deps.defaultChannel,
    retryForMs: deps.retryForMs ?? DEFAULT_ALERT_RETRY_FOR_MS,
    pacing: new PostPacing(),
    mergedAway: new Set<number>(),
    directMessageChannel: createDirectMessageChannels(deps.web),
    onDead: deps.onDead,
  };
  const { mergedAway } = delivery;

  /** Shutting down: rows claimed but not begun go back at once, for another replica to deliver now. */
  async function handBack(rows: readonly OutboxDeliveryRow[], now: Date): Promise<void> {
    const waiting = rows.filter((row) => !mergedAway.has(row.id));
    for (const row of waiting) await releaseUncounted(delivery, row, now, now, null);
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
        const outcome = await deliverOutboxRow(delivery, row, now).finally(() => {
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

  /**
   * Until the next row is due (a backoff, a paced post, a 429 pause), bounded by the safety poll: an
   * idle replica does not poll the outbox every second; a NOTIFY wakes it sooner.
   */
  async function msUntilNextDue(): Promise<number> {
    let sleepMs = pollIntervalMs;
    try {
      const next = await nextOutboxAttemptAt(pool);
      if (next) sleepMs = Math.min(sleepMs, next.getTime() - clock.nowMs());
    } catch (error) {
      log.warn({ err: toError(error) }, 'could not read when the next alert is due');
    }
    return Math.max(MIN_SLEEP_MS, sleepMs, delivery.pacing.pausedUntil - clock.nowMs());
  }

  let running = false;
  /** stop() was called: no claim, no new delivery. */
  let stopRequested = false;
  /** The row being delivered now (its Slack call may be in flight). */
  let inFlight: number | undefined;
  let loop: Promise<void> | undefined;
  let wakeSleep: (() => void) | undefined;
  let wakeRequested = false;

  async function run(): Promise<void> {
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
      const sleepMs = await msUntilNextDue();
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
  }

  async function stop(graceMs?: number): Promise<void> {
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
    if (!(await endsWithin(current, graceMs))) {
      log.warn(
        { outboxId: inFlight, graceMs },
        'grace period over: leaving the alert delivery in flight to its lease (another replica looks for its message before posting it again)',
      );
    }
    loop = undefined;
  }

  return {
    wake() {
      wakeRequested = true;
      wakeSleep?.();
    },
    start() {
      if (running) return;
      running = true;
      stopRequested = false;
      loop = run();
    },
    stop,
    deliverDue,
    pendingCount: () => countOutboxByStatus(pool, 'pending'),
    deadCount: () => countOutboxByStatus(pool, 'dead'),
  };
}

/** True when `work` ends within `graceMs` (always, when there is no grace bound). */
async function endsWithin(work: Promise<void>, graceMs: number | undefined): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    work.then(() => true),
    ...(graceMs === undefined
      ? []
      : [new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]),
  ]);
  clearTimeout(timer);
  return ended;
}
