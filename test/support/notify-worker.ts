import { LogLevel, type WebClient } from '@slack/web-api';
import {
  createOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerDeps,
} from '../../src/notify/outbox-worker.js';
import { createOutboxWebClient } from '../../src/notify/web-client.js';
import type { Clock } from '../../src/shared/clock.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { enqueueOutbox, type OutboxEntry } from '../../src/store/outbox.js';
import type { TestDatabase } from './database.js';
import type { FakeSlack, StoredMessage } from './fake-slack.js';

export const ALERT_CHANNEL = 'C0ALERTS';

/**
 * The outbox worker's own WebClient (src/notify/web-client.ts, as main.ts builds it): no automatic retries and no
 * waiting on 429, so the worker sees every failure itself and decides.
 */
export function createNotifyWebClient(apiUrl: string): WebClient {
  return createOutboxWebClient({ token: 'xoxb-test-token', apiUrl, logLevel: LogLevel.ERROR });
}

export function createTestOutboxWorker(
  database: TestDatabase,
  fake: FakeSlack,
  clock: Clock,
  options: {
    workerId?: string;
    locale?: 'en' | 'fr';
    retryForMs?: number;
    batchSize?: number;
    /** ALERT_CHANNEL; null: not set (alerts go to the task's author). */
    defaultChannel?: string | null;
    onDead?: OutboxWorkerDeps['onDead'];
  } = {},
): OutboxWorker {
  return createOutboxWorker({
    pool: database.pool,
    db: database.db,
    clock,
    logger: createSilentLogger(),
    web: createNotifyWebClient(fake.apiUrl),
    defaultChannel: options.defaultChannel === null ? undefined : (options.defaultChannel ?? ALERT_CHANNEL),
    locale: options.locale ?? 'en',
    workerId: options.workerId ?? 'notify-a',
    ...(options.retryForMs !== undefined ? { retryForMs: options.retryForMs } : {}),
    ...(options.onDead ? { onDead: options.onDead } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
}

export async function enqueue(database: TestDatabase, entries: OutboxEntry[], now: Date): Promise<void> {
  await enqueueOutbox(database.pool, entries, now);
}

/** The outbox id a posted message carries in its metadata. */
export function outboxIdOf(message: StoredMessage): string | undefined {
  const payload = message.metadata?.event_payload as { outbox_id?: string } | undefined;
  return payload?.outbox_id;
}

export async function outboxRows(database: TestDatabase) {
  const result = await database.pool.query(
    `select id::int as id, kind, status, attempts, slack_channel, slack_ts, last_error, payload, dead_at,
            failing_since
       from notification_outbox order by id`,
  );
  return result.rows as Array<{
    id: number;
    kind: string;
    status: string;
    attempts: number;
    slack_channel: string | null;
    slack_ts: string | null;
    last_error: string | null;
    payload: Record<string, unknown>;
    dead_at: Date | null;
    failing_since: Date | null;
  }>;
}

/** Calls deliverDue, advancing the fake clock between passes, until nothing is pending (bounded). */
export async function drain(
  worker: OutboxWorker,
  clock: { now(): Date; advance(ms: number): void },
  options: { stepMs?: number; maxPasses?: number } = {},
): Promise<number> {
  let passes = 0;
  while (passes < (options.maxPasses ?? 200)) {
    passes += 1;
    await worker.deliverDue(clock.now());
    if ((await worker.pendingCount()) === 0) return passes;
    clock.advance(options.stepMs ?? 1000);
  }
  throw new Error(`outbox not drained after ${passes} passes`);
}
