import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { type RunningService, startService } from '../../../src/service/start-service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { enqueueOutbox } from '../../../src/store/outbox.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { makeDraft } from '../../support/fixtures.js';
import { waitUntil } from '../../support/wait-until.js';

/**
 * A whole service against "real" Slack (the fake Web API) with no ALERT_CHANNEL: it
 * says so once at start, a task's failure reaches its author as a direct message, an alert with
 * nowhere to go is dead and counted, and /metrics counts deliveries outside the sandbox too.
 */
const AUTHOR = 'U0AUTHOR';
let db: TestDatabase;
let fake: FakeSlack;
let service: RunningService;
const lines: Array<{ level: string; msg: string }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeSlack();
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  service = await startService(
    loadConfig({
      DATABASE_URL: db.url,
      PORT: '0',
      HOST: '127.0.0.1',
      POLL_INTERVAL_MS: '200',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_API_URL: fake.apiUrl,
    }),
    createLogger({ level: 'info' }, stream),
  );
});
afterAll(async () => {
  await service?.stop();
  await fake?.close();
  await db?.drop();
});

async function metrics(): Promise<string> {
  return (await fetch(`${service.httpUrl}/metrics`)).text();
}

describe('a service without ALERT_CHANNEL', () => {
  it('warns once at start', () => {
    const warnings = lines.filter((line) => line.level === 'warn' && line.msg.includes('ALERT_CHANNEL'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain(
      'ALERT_CHANNEL is not set: alerts of tasks without an alert channel of their own are sent as a direct message to the task’s author',
    );
  });

  it("sends a task's failure to its author as a direct message, and counts the delivery", async () => {
    // A clean-up of `logs`, which this database does not have: it fails, with no retry.
    // Scheduled once a year, from now: only the run asked for below happens during the test.
    const now = new Date();
    const draft = makeDraft({ name: 'author cleanup', maxRetries: 0, cron: '0 0 1 1 *' }, now);
    const task = await createTask(db.db, draft, { actor: { id: AUTHOR }, now });
    await db.pool.query(`select execute_task_now($1, $2)`, [task.id, AUTHOR]);
    await waitUntil(async () => fake.messagesIn('D0AUTHOR').length > 0, 20_000, 'the DM is posted');
    expect(fake.callsTo('conversations.open').map((call) => call.args.users)).toEqual([AUTHOR]);
    expect(fake.messagesIn('D0AUTHOR')[0]!.text).toContain('author cleanup');
    const delivered = /chronops_outbox_deliveries_total\{outcome="delivered"\} [1-9]/;
    await waitUntil(async () => delivered.test(await metrics()), 10_000, 'the delivery is counted');
    expect(await metrics()).toMatch(/chronops_outbox_undeliverable 0/);
  });

  it('keeps an approval card with nowhere to go dead, named, and exposes the dead count on /metrics', async () => {
    await enqueueOutbox(
      db.pool,
      [
        {
          kind: 'approval_requested',
          dedupeKey: 'approval_requested:nowhere',
          channel: null,
          payload: { taskName: 'x', requestedBy: AUTHOR, version: 1 },
        },
      ],
      new Date(),
    );
    await waitUntil(
      async () =>
        (await db.pool.query(`select 1 from notification_outbox where status = 'dead'`)).rowCount === 1,
      10_000,
      'the card is dead',
    );
    const row = await db.pool.query(`select last_error from notification_outbox where status = 'dead'`);
    expect(row.rows[0].last_error).toMatch(/^no_channel: /);
    const text = await metrics();
    expect(text).toMatch(/chronops_outbox_undeliverable 1/);
    expect(text).toMatch(/chronops_outbox_dead_total\{reason="no_channel"\} 1/);
  });
});
