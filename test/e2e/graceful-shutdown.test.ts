import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service/start-service.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { enqueueOutbox } from '../../src/store/outbox.js';
import { createTask } from '../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type CallHold, type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { makeDraft } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * Graceful shutdown of a whole service (docs/ENGINE.md, "Shutdown"): stop claims nothing
 * from the moment it is called — while it waits for a running execution, an alert delivery Slack has
 * not answered yet and the Slack app, side by side — and returns within SHUTDOWN_GRACE_SECONDS.
 * Before, the service stopped Slack and the alert worker first, waiting for them unbounded, with the
 * scheduler still claiming.
 */
let database: TestDatabase;
let fake: FakeSlack;
let service: RunningService | undefined;
let locker: pg.PoolClient | undefined;
let slow: CallHold | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.pool.query(`
    create table shutdown_locked (id serial primary key, created_at timestamptz not null);
    insert into shutdown_locked (created_at) select now() - interval '30 days' from generate_series(1, 5);
    create table shutdown_empty (id serial primary key, created_at timestamptz not null);`);
  fake = await startFakeSlack();
});
afterEach(async () => {
  slow?.release();
  await locker?.query('rollback').catch(() => {});
  locker?.release();
  locker = undefined;
  await service?.stop();
  service = undefined;
  await database.pool.query('update scheduled_tasks set enabled = false');
});
afterAll(async () => {
  await fake.close();
  await database.drop();
});

const cleanupOf = (table: string) => ({
  mode: 'older_than',
  table,
  timestampColumn: 'created_at',
  olderThanDays: 1,
});

const databaseNowMs = async () =>
  (await database.pool.query<{ t: Date }>('select clock_timestamp() as t')).rows[0]!.t.getTime();

const executionsOf = async (taskId: string) =>
  (
    await database.pool.query<{
      status: string;
      error: string | null;
      worker_id: string | null;
      created_at: Date;
    }>(
      'select status, error, worker_id, created_at from task_executions where task_id = $1 order by created_at, attempt',
      [taskId],
    )
  ).rows;

/**
 * A service whose alert delivery is stuck in Slack, running a clean-up blocked on a locked table, with
 * an every-second clean-up due all along. Returns when all three are under way.
 */
async function startBusyService(workerId: string, graceSeconds: number) {
  slow = fake.holdCalls('chat.postMessage');
  service = await startService(
    loadConfig({
      DATABASE_URL: database.url,
      SLACK_BOT_TOKEN: 'xoxb-shutdown-test',
      SLACK_SIGNING_SECRET: 'shutdown-test-secret',
      SLACK_API_URL: fake.apiUrl,
      ALERT_CHANNEL: 'C0ALERTS',
      PORT: '0',
      LOG_LEVEL: 'silent',
      POLL_INTERVAL_MS: '200',
      WORKER_ID: workerId,
      SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
    }),
    createSilentLogger(),
  );
  const now = new Date();
  const actor = { actor: { id: 'U1' }, now };
  const blocked = await createTask(
    database.db,
    makeDraft(
      {
        name: `blocked ${workerId}`,
        cron: '0 3 1 1 *',
        timeoutSeconds: 120,
        params: cleanupOf('shutdown_locked'),
      },
      now,
    ),
    actor,
  );
  const everySecond = await createTask(
    database.db,
    makeDraft(
      { name: `every second ${workerId}`, cron: '* * * * * *', params: cleanupOf('shutdown_empty') },
      now,
    ),
    actor,
  );
  await enqueueOutbox(
    database.pool,
    [
      {
        kind: 'task_message',
        dedupeKey: `task_message:shutdown:${workerId}`,
        channel: null,
        payload: { text: `alert of ${workerId}`, blocks: null, file: null },
      },
    ],
    now,
  );
  await waitUntil(async () => slow!.parked() === 1, 15_000, 'the alert post reaches Slack');
  locker = await database.pool.connect();
  await locker.query('begin');
  await locker.query('lock table shutdown_locked in access exclusive mode');
  await database.pool.query(`select execute_task_now($1, 'U1')`, [blocked.id]);
  await waitUntil(
    async () => (await executionsOf(blocked.id)).some((row) => row.status === 'running'),
    15_000,
    'the blocked clean-up runs',
  );
  await waitUntil(
    async () => (await executionsOf(everySecond.id)).some((row) => row.status === 'success'),
    15_000,
    'the every-second clean-up ran',
  );
  return { blocked, everySecond };
}

describe('graceful shutdown of the service', () => {
  it('claims nothing once stop begins, and lets the running execution and the alert delivery finish', async () => {
    const { blocked, everySecond } = await startBusyService('shutdown-a', 10);
    const stopBeganMs = await databaseNowMs();
    const startedMs = performance.now();
    const running = service!;
    const stopping = running.stop();
    // Several instants of the every-second task pass while stop waits.
    await waitUntil(async () => (await databaseNowMs()) > stopBeganMs + 2500, 10_000, '2.5 s passed');
    const claimedSince = async () =>
      (await executionsOf(everySecond.id)).filter((row) => row.created_at.getTime() > stopBeganMs);
    expect(await claimedSince()).toEqual([]);
    // Both finish within the grace period: the lock is gone, Slack answers.
    await locker!.query('commit');
    slow!.release();
    await stopping;
    service = undefined;
    expect(performance.now() - startedMs).toBeLessThan(10_000);
    expect((await executionsOf(blocked.id)).map((row) => row.status)).toEqual(['success']);
    expect(await claimedSince()).toEqual([]);
    const alert = await database.pool.query<{ status: string }>(
      "select status from notification_outbox where dedupe_key = 'task_message:shutdown:shutdown-a'",
    );
    expect(alert.rows).toEqual([{ status: 'delivered' }]);
  });

  it('returns within the grace period when neither finishes, and hands the execution back for a retry', async () => {
    const grace = 2;
    const { blocked, everySecond } = await startBusyService('shutdown-b', grace);
    const stopBeganMs = await databaseNowMs();
    const startedMs = performance.now();
    await service!.stop();
    service = undefined;
    // The grace period, then settling and closing; the stuck Slack call alone would take 10 s.
    expect(performance.now() - startedMs).toBeLessThan(grace * 1000 + 5000);
    const rows = await executionsOf(blocked.id);
    expect(rows[0]).toMatchObject({ status: 'failed' });
    expect(rows[0]!.error).toMatch(/shutting down/);
    expect(rows[1]).toMatchObject({ status: 'queued', worker_id: null });
    expect(
      (await executionsOf(everySecond.id)).filter((row) => row.created_at.getTime() > stopBeganMs),
    ).toEqual([]);
  });
});
