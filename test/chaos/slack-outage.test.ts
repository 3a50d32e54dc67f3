import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../src/shared/clock.js';
import type { OutboxEntry } from '../../src/store/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import {
  ALERT_CHANNEL,
  createTestOutboxWorker,
  enqueue,
  outboxIdOf,
  outboxRows,
} from '../support/notify-worker.js';

// Chaos: Slack answers 429 (Retry-After) and 5xx, and drops responses, for two minutes (of the injected
// clock) while two replicas' outbox workers deliver alerts that keep arriving. Afterwards every alert
// must be in the channel exactly once, none given up.
const OUTAGE_MS = 120_000;
const STEP_MS = 1000;
let db: TestDatabase;
let fake: FakeSlack;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
  await db.drop();
});

function alert(index: number): OutboxEntry {
  return {
    kind: 'task_message',
    dedupeKey: `task_message:outage:${index}`,
    channel: index % 3 === 0 ? 'C0OTHER' : null,
    payload: { text: `alert ${index}`, blocks: null, file: null },
  };
}

describe('Slack API failing for two minutes', () => {
  it('delivers every alert exactly once afterwards, from two replicas, giving up on none', async () => {
    const clock = createFakeClock('2026-11-28T10:00:00Z');
    const workers = [
      createTestOutboxWorker(db, fake, clock, { workerId: 'replica-a' }),
      createTestOutboxWorker(db, fake, clock, { workerId: 'replica-b' }),
    ];
    const outageEnd = clock.nowMs() + OUTAGE_MS;
    let enqueued = 0;
    let step = 0;
    // During the outage: every call fails, cycling 429 (Retry-After 2–5 s), 500, 503 and a dropped
    // response (the post happened, the answer was lost). Alerts keep arriving.
    while (clock.nowMs() < outageEnd) {
      const failures = [
        { status: 429, retryAfterSec: 2 + (step % 4) },
        { status: 500 },
        { status: 503 },
        { drop: true as const },
      ];
      fake.clearHttpFailures('chat.postMessage');
      fake.failHttp('chat.postMessage', failures[step % failures.length]!, 50);
      if (step % 10 === 0) {
        await enqueue(
          db,
          Array.from({ length: 5 }, (_, i) => alert(enqueued + i)),
          clock.now(),
        );
        enqueued += 5;
      }
      await Promise.all(workers.map((worker) => worker.deliverDue()));
      clock.advance(STEP_MS);
      step++;
    }
    fake.clearHttpFailures('chat.postMessage');
    const duringOutage = await outboxRows(db);
    expect(duringOutage.filter((row) => row.status === 'dead')).toEqual([]);

    // Slack is back: drain (backoff can reach minutes, so advance the clock generously).
    for (let pass = 0; pass < 400; pass++) {
      await Promise.all(workers.map((worker) => worker.deliverDue()));
      const rows = await outboxRows(db);
      if (rows.every((row) => row.status === 'delivered')) break;
      clock.advance(5000);
    }
    const rows = await outboxRows(db);
    expect(rows).toHaveLength(enqueued);
    expect(rows.map((row) => row.status)).toEqual(Array(enqueued).fill('delivered'));
    const posts = new Map<string, number>();
    for (const channel of [ALERT_CHANNEL, 'C0OTHER']) {
      for (const message of fake.messagesIn(channel)) {
        const id = outboxIdOf(message);
        if (id) posts.set(id, (posts.get(id) ?? 0) + 1);
      }
    }
    expect(posts.size).toBe(enqueued);
    expect([...posts.values()].filter((count) => count !== 1)).toEqual([]);
    expect(fake.rejected).toEqual([]);
    process.stdout.write(
      `[chaos:slack-outage] ${JSON.stringify({
        alerts: enqueued,
        outageSeconds: OUTAGE_MS / 1000,
        postCalls: fake.callsTo('chat.postMessage').length,
        historyLookups: fake.callsTo('conversations.history').length,
      })}\n`,
    );
  }, 120_000);
});
