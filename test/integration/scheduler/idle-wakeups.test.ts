import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../../../src/notify/outbox-worker.js';
import { createSystemClock } from '../../../src/shared/clock.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { enqueueOutbox } from '../../../src/store/outbox.js';
import { createTask } from '../../../src/store/tasks.js';
import { listenForWakeups } from '../../../src/store/wakeups.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFakeSlack } from '../../support/fake-slack.js';
import { makeDraft } from '../../support/fixtures.js';
import { ALERT_CHANNEL, createNotifyWebClient } from '../../support/notify-worker.js';
import { createScriptedExecutor, createTestScheduler } from '../../support/scheduler.js';
import { waitUntil } from '../../support/wait-until.js';

// An idle replica sleeps until its next due instant, with a long safety poll; work that appears
// meanwhile (a task created by another replica or by SQL, an alert enqueued) wakes it by NOTIFY
// (migration 0005), not by polling. Here the safety poll is a minute: anything faster is the wake-up.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('wake-ups instead of polling', () => {
  it('a task created elsewhere, due in a second, runs on time although the loop sleeps for a minute', async () => {
    const clock = createSystemClock();
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, {
      pollIntervalMs: 60_000,
      lookaheadMs: 500,
    });
    const wakeups = listenForWakeups(database.url, { onWakeup: () => scheduler.wake(), onCancel: () => {} });
    scheduler.start();
    try {
      await waitUntil(async () => scheduler.nextWakeAt() !== null, 10_000, 'the loop is asleep');
      expect(scheduler.nextWakeAt()!.getTime() - Date.now()).toBeGreaterThan(30_000);
      const now = new Date();
      // Written through the database, as another replica or psql would: nothing calls wake() here.
      await createTask(
        database.db,
        makeDraft({ cron: '* * * * * *', params: { behaviour: 'succeed' } }, now),
        {
          actor: { id: 'U1' },
          now,
        },
      );
      await waitUntil(async () => scripted.calls.length > 0, 15_000, 'the new task runs');
    } finally {
      await scheduler.stop();
      await wakeups.close();
    }
  });

  it('an alert enqueued by another replica is delivered at once, not at the next poll', async () => {
    const fake = await startFakeSlack();
    const worker = createOutboxWorker({
      pool: database.pool,
      db: database.db,
      clock: createSystemClock(),
      logger: createSilentLogger(),
      web: createNotifyWebClient(fake.apiUrl),
      defaultChannel: ALERT_CHANNEL,
      locale: 'en',
      workerId: 'idle-notify',
      pollIntervalMs: 60_000,
    });
    const wakeups = listenForWakeups(database.url, {
      onWakeup: () => {},
      onCancel: () => {},
      onOutbox: () => worker.wake(),
    });
    worker.start();
    try {
      // Let the first pass find nothing and the worker fall asleep.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await enqueueOutbox(
        database.pool,
        [
          {
            kind: 'task_message',
            dedupeKey: 'idle-wakeup-test',
            channel: ALERT_CHANNEL,
            taskId: null,
            payload: { text: 'woken by NOTIFY', blocks: [] },
          },
        ],
        new Date(),
      );
      await waitUntil(async () => fake.messagesIn(ALERT_CHANNEL).length > 0, 10_000, 'the alert is posted');
    } finally {
      await worker.stop();
      await wakeups.close();
      await fake.close();
    }
  });
});
