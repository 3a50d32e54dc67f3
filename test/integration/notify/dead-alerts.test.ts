import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeadReason } from '../../../src/notify/outbox-row-delivery.js';
import { createFakeClock, type FakeClock } from '../../../src/shared/clock.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../../../src/store/database.js';
import { listDeadAlerts, redeliverDeadAlert } from '../../../src/store/dead-alerts.js';
import type { OutboxEntry } from '../../../src/store/outbox.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ALERT_CHANNEL,
  createTestOutboxWorker,
  drain,
  enqueue,
  outboxIdOf,
  outboxRows,
} from '../../support/notify-worker.js';

/**
 * "Alerts are never silently dead" (docs/RELIABILITY.md, "Alert delivery"), through the real outbox worker and the fake Slack:
 * permanent errors are dead at once and named, dead rows are listed and redelivered, and without
 * ALERT_CHANNEL a task's alerts reach its author.
 */
const AUTHOR = 'U0AUTHOR';
let db: TestDatabase;
let fake: FakeSlack;
let clock: FakeClock;
let authoredTask: string;
let channelTask: string;
let systemTask: string;

beforeAll(async () => {
  db = await createTestDatabase();
  authoredTask = (
    await createTask(db.db, makeDraft({ name: 'orders <export>' }), { actor: { id: AUTHOR }, now: T0 })
  ).id;
  channelTask = (
    await createTask(db.db, makeDraft({ name: 'team task', alertChannel: 'C0TEAM' }), {
      actor: { id: AUTHOR },
      now: T0,
    })
  ).id;
  systemTask = (
    await createTask(db.db, makeDraft({ name: 'system chore' }), {
      actor: { id: 'system' },
      now: T0,
      isSystem: true,
    })
  ).id;
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  await db.pool.query('delete from notification_outbox');
  await db.pool.query('delete from audit_log');
  fake = await startFakeSlack();
  clock = createFakeClock(T0);
});
afterEach(async () => {
  await fake.close();
});

/** An overdue alert as the engine enqueues it (its channel is the task's alert channel). */
function overdue(taskId: string, name: string, key: string, channel: string | null = null): OutboxEntry {
  return {
    kind: 'overdue',
    dedupeKey: `overdue:${key}`,
    channel,
    taskId,
    payload: {
      taskId,
      taskName: name,
      occurrence: T0.toISOString(),
      lateByMs: 600_000,
      graceSeconds: 300,
      isRunning: false,
      lastStatus: null,
    },
  };
}

const message = (index: number): OutboxEntry => ({
  kind: 'task_message',
  dedupeKey: `task_message:dead:${index}`,
  channel: null,
  payload: { text: `message ${index}`, blocks: null, file: null },
});

describe('permanent Slack errors', () => {
  it.each([
    'channel_not_found',
    'not_in_channel',
    'is_archived',
    'missing_scope',
    'invalid_auth',
    'account_inactive',
    'token_revoked',
    'msg_too_long',
  ])('%s: dead at its first attempt, the error recorded by name', async (error) => {
    await enqueue(db, [message(1)], clock.now());
    fake.failNext('chat.postMessage', error);
    const dead: Array<[DeadReason, string]> = [];
    const worker = createTestOutboxWorker(db, fake, clock, { onDead: (...why) => dead.push(why) });
    expect(await worker.deliverDue()).toEqual({ delivered: 0, failed: 1 });
    const [row] = await outboxRows(db);
    expect(row).toMatchObject({ status: 'dead', attempts: 1, last_error: error, dead_at: clock.now() });
    // Slack refused the post, so nothing is in the channel: a redelivery chooses the channel again.
    expect(row!.slack_channel).toBeNull();
    expect(dead).toEqual([['permanent', error]]);
    clock.advance(3_600_000);
    await worker.deliverDue();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('invalid_blocks: dead at once, with what Slack said was wrong', async () => {
    await enqueue(
      db,
      [
        {
          kind: 'task_message',
          dedupeKey: 'task_message:bad',
          channel: 'C0BAD',
          payload: { text: 'bad', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] },
        },
      ],
      clock.now(),
    );
    const worker = createTestOutboxWorker(db, fake, clock);
    await worker.deliverDue();
    const [row] = await outboxRows(db);
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row!.last_error).toMatch(/^invalid_blocks: .+/);
    expect(fake.rejected.map((rejection) => rejection.method)).toEqual(['chat.postMessage']);
  });

  it('a lookup Slack refuses for good (missing history scope) posts the alert again instead of killing it', async () => {
    await enqueue(db, [message(1)], clock.now());
    // An earlier attempt recorded its intent, then its outcome was lost.
    await db.pool.query(`update notification_outbox set slack_channel = $1`, [ALERT_CHANNEL]);
    fake.failNext('conversations.history', 'missing_scope');
    const worker = createTestOutboxWorker(db, fake, clock);
    expect(await worker.deliverDue()).toEqual({ delivered: 1, failed: 0 });
    expect((await outboxRows(db)).map((row) => row.status)).toEqual(['delivered']);
    expect(fake.messagesIn(ALERT_CHANNEL)).toHaveLength(1);
  });
});

describe('dead alerts are listed and redelivered', () => {
  it('lists the newest first, bounded, with the task, the error and the attempts', async () => {
    const worker = createTestOutboxWorker(db, fake, clock);
    const failures: Array<[OutboxEntry, string]> = [
      [overdue(authoredTask, 'old name', 'a'), 'channel_not_found'],
      [message(2), 'not_in_channel'],
      [overdue(channelTask, 'team task', 'c', 'C0TEAM'), 'is_archived'],
    ];
    for (const [entry, error] of failures) {
      await enqueue(db, [entry], clock.now());
      fake.failNext('chat.postMessage', error);
      await worker.deliverDue();
      clock.advance(60_000);
    }
    const listed = await listDeadAlerts(db.pool, { limit: 2 });
    expect(listed.total).toBe(3);
    expect(
      listed.alerts.map((alert) => [alert.kind, alert.taskName, alert.lastError, alert.attempts]),
    ).toEqual([
      ['overdue', 'team task', 'is_archived', 1],
      ['task_message', null, 'not_in_channel', 1],
    ]);
    // The task's current name, not the one the alert was raised with.
    expect((await listDeadAlerts(db.pool, { limit: 5 })).alerts[2]).toMatchObject({
      taskName: 'orders <export>',
      lastError: 'channel_not_found',
      deadAt: new Date(T0.getTime()),
    });
  });

  it('Redeliver puts it back to pending with attempts reset, the worker delivers it, and it is audited', async () => {
    await enqueue(db, [overdue(authoredTask, 'orders <export>', 'r')], clock.now());
    fake.failNext('chat.postMessage', 'not_in_channel');
    const worker = createTestOutboxWorker(db, fake, clock);
    await worker.deliverDue();
    const [dead] = await outboxRows(db);
    expect(dead!.status).toBe('dead');

    // Someone invites the bot, then redelivers.
    clock.advance(3_600_000);
    const outcome = await redeliverDeadAlert(db.pool, { id: dead!.id, actorId: 'U0OPER', now: clock.now() });
    expect(outcome).toMatchObject({
      kind: 'redelivered',
      alert: { id: dead!.id, lastError: 'not_in_channel' },
    });
    expect((await outboxRows(db))[0]).toMatchObject({
      status: 'pending',
      attempts: 0,
      dead_at: null,
      failing_since: null,
    });
    const audit = await db.pool.query(
      `select actor, action, task_id, before->>'status' as before, after->>'status' as after from audit_log`,
    );
    expect(audit.rows).toEqual([
      {
        actor: 'U0OPER',
        action: 'alert.redelivered',
        task_id: authoredTask,
        before: 'dead',
        after: 'pending',
      },
    ]);

    await drain(worker, clock);
    const [delivered] = await outboxRows(db);
    expect(delivered).toMatchObject({ status: 'delivered', slack_channel: ALERT_CHANNEL, last_error: null });
    expect(fake.messagesIn(ALERT_CHANNEL).map(outboxIdOf)).toEqual([String(dead!.id)]);

    // A second click: the row is no longer dead; nothing changes, nothing is audited.
    const again = await redeliverDeadAlert(db.pool, { id: dead!.id, actorId: 'U0OPER', now: clock.now() });
    expect(again).toMatchObject({ kind: 'not_dead', status: 'delivered' });
    expect((await outboxRows(db))[0]!.status).toBe('delivered');
    expect((await db.pool.query('select 1 from audit_log')).rowCount).toBe(1);
    expect(await redeliverDeadAlert(db.pool, { id: 999_999, actorId: 'U0OPER', now: clock.now() })).toEqual({
      kind: 'not_found',
    });
  });

  /** When drizzle-kit recorded a migration (its journal's `when`, stored as created_at). */
  const migrationWhen = (tag: string): number => {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: Array<{ tag: string; when: number }>;
    };
    const entry = journal.entries.find((e) => e.tag === tag);
    if (!entry) throw new Error(`no migration ${tag}`);
    return entry.when;
  };

  it('lists alerts that were dead before the upgrade (migration 0008)', async () => {
    const old = await createTestDatabase({ max: 2 });
    try {
      // The database as 0007 left it, with an alert given up by the old count of attempts.
      await old.pool.query(`drop index notification_outbox_dead_idx`);
      await old.pool.query(`alter table notification_outbox drop column dead_at, drop column failing_since`);
      // …and without what later migrations added, so they apply again after 0008.
      await old.pool.query(`drop index scheduled_tasks_name_trgm_idx`);
      await old.pool.query(`alter table task_executions drop column error_code`);
      await old.pool.query(`drop index audit_log_task_name_idx`);
      await old.pool.query(`delete from drizzle.__drizzle_migrations where created_at >= $1`, [
        migrationWhen('0008_dead_alerts'),
      ]);
      await old.pool.query(
        `insert into notification_outbox (kind, dedupe_key, channel, payload, status, attempts, last_error, next_attempt_at)
         values ('task_message', 'task_message:old', null, '{}', 'dead', 10, 'An HTTP protocol error occurred: statusCode = 500', $1)`,
        [T0],
      );
      await runMigrations(old.pool);
      const listed = await listDeadAlerts(old.pool, { limit: 10 });
      expect(listed.total).toBe(1);
      expect(listed.alerts[0]).toMatchObject({ attempts: 10, deadAt: T0 });
    } finally {
      await old.drop();
    }
  });

  it('a transient failure after a redelivery gets a whole retry window again', async () => {
    await enqueue(db, [message(1)], clock.now());
    fake.failHttp('chat.postMessage', { status: 503 }, 1000);
    const worker = createTestOutboxWorker(db, fake, clock, { retryForMs: 10 * 60_000 });
    for (let pass = 0; pass < 30; pass++) {
      await worker.deliverDue();
      clock.advance(60_000);
    }
    const [dead] = await outboxRows(db);
    expect(dead).toMatchObject({ status: 'dead' });
    expect(dead!.last_error).toMatch(/^http_503/);
    await redeliverDeadAlert(db.pool, { id: dead!.id, actorId: 'U0OPER', now: clock.now() });
    await worker.deliverDue();
    // The window starts at the first failure after the redelivery, not at the row's creation.
    expect((await outboxRows(db))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    fake.clearHttpFailures('chat.postMessage');
    await drain(worker, clock, { stepMs: 10_000 });
    expect((await outboxRows(db))[0]!.status).toBe('delivered');
  });
});

describe('without ALERT_CHANNEL', () => {
  it("sends a task's alert to its author as a direct message; the task's own channel still wins", async () => {
    await enqueue(
      db,
      [overdue(authoredTask, 'orders <export>', 'dm'), overdue(channelTask, 'team task', 'ch', 'C0TEAM')],
      clock.now(),
    );
    const worker = createTestOutboxWorker(db, fake, clock, { defaultChannel: null });
    await drain(worker, clock);
    const rows = await outboxRows(db);
    expect(rows.map((row) => [row.status, row.slack_channel])).toEqual([
      ['delivered', 'D0AUTHOR'],
      ['delivered', 'C0TEAM'],
    ]);
    expect(fake.callsTo('conversations.open').map((call) => call.args.users)).toEqual([AUTHOR]);
    expect(fake.messagesIn('D0AUTHOR').map(outboxIdOf)).toEqual([String(rows[0]!.id)]);
    expect(fake.messagesIn('C0TEAM').map(outboxIdOf)).toEqual([String(rows[1]!.id)]);
  });

  it('keeps an alert with nowhere to go visible as dead, named no_channel (no author, or an approval card)', async () => {
    await enqueue(
      db,
      [
        overdue(systemTask, 'system chore', 'sys'),
        message(1),
        {
          kind: 'approval_requested',
          dedupeKey: 'approval_requested:x',
          channel: null,
          taskId: authoredTask,
          payload: { taskId: authoredTask, taskName: 'orders <export>', requestedBy: AUTHOR, version: 1 },
        },
      ],
      clock.now(),
    );
    const dead: Array<[DeadReason, string]> = [];
    const worker = createTestOutboxWorker(db, fake, clock, {
      defaultChannel: null,
      onDead: (...why) => dead.push(why),
    });
    await worker.deliverDue();
    const rows = await outboxRows(db);
    expect(rows.map((row) => row.status)).toEqual(['dead', 'dead', 'dead']);
    expect(rows.every((row) => row.last_error?.startsWith('no_channel: '))).toBe(true);
    expect(dead.map(([reason]) => reason)).toEqual(['no_channel', 'no_channel', 'no_channel']);
    // The author is never asked to approve their own code.
    expect(fake.callsTo('conversations.open')).toEqual([]);
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a direct message Slack refuses (the author left) is dead at once, named', async () => {
    await enqueue(db, [overdue(authoredTask, 'orders <export>', 'gone')], clock.now());
    fake.failNext('conversations.open', 'user_disabled');
    const worker = createTestOutboxWorker(db, fake, clock, { defaultChannel: null });
    await worker.deliverDue();
    expect((await outboxRows(db))[0]).toMatchObject({ status: 'dead', last_error: 'user_disabled' });
  });
});
