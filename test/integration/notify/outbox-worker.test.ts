import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../../src/shared/clock.js';
import type { OutboxEntry } from '../../../src/store/outbox.js';
import { nextOutboxAttemptAt } from '../../../src/store/outbox-delivery.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { insertExecution, makeDraft, T0 } from '../../support/fixtures.js';
import {
  ALERT_CHANNEL,
  createTestOutboxWorker,
  drain,
  enqueue,
  outboxIdOf,
  outboxRows,
} from '../../support/notify-worker.js';
import { allText } from '../../support/slack-harness.js';
import { waitUntil } from '../../support/wait-until.js';

let db: TestDatabase;
let fake: FakeSlack;
let clock: FakeClock;
let taskId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  taskId = (
    await createTask(db.db, makeDraft({ name: 'nightly <!channel> backup' }), {
      actor: { id: 'U1' },
      now: T0,
    })
  ).id;
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  await db.pool.query('delete from notification_outbox');
  await db.pool.query('delete from task_executions');
  fake = await startFakeSlack();
  clock = createFakeClock(T0);
});
afterEach(async () => {
  expect(fake.rejected).toEqual([]);
  await fake.close();
});

function insertAttempt(status: string, attempt: number, parent: string | null = null, trigger = 'schedule') {
  return insertExecution(db.pool, {
    taskId,
    trigger,
    status,
    attempt,
    parentExecutionId: parent,
    durationMs: 1500,
    createdAt: clock.now(),
  });
}

function failure(executionId: string, attempt: number, retry: boolean): OutboxEntry {
  return {
    kind: 'execution_failed',
    dedupeKey: `execution_failed:${executionId}`,
    channel: null,
    taskId,
    executionId,
    payload: {
      taskId,
      taskName: 'nightly <!channel> backup',
      executionId,
      attempt,
      maxAttempts: 4,
      status: 'failed',
      durationMs: 1500,
      error: `boom ${attempt} <!here>`,
      retry: retry ? { executionId: 'x', attempt: attempt + 1, runAfter: clock.now().toISOString() } : null,
    },
  };
}

function message(index: number, channel: string | null = null): OutboxEntry {
  return {
    kind: 'task_message',
    dedupeKey: `task_message:test:${index}`,
    channel,
    payload: { text: `message ${index}`, blocks: null, file: null },
  };
}

/** Successful posts per outbox id (what people would see in the channel). */
function postsPerOutboxId(channel = ALERT_CHANNEL): Map<string, number> {
  const counts = new Map<string, number>();
  for (const posted of fake.messagesIn(channel)) {
    const id = outboxIdOf(posted);
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('outbox worker', () => {
  it('posts each row once, with its metadata, and marks it delivered with the ts', async () => {
    await enqueue(db, [message(1), message(2, 'C0OTHER')], clock.now());
    const worker = createTestOutboxWorker(db, fake, clock);
    expect(await worker.deliverDue()).toEqual({ delivered: 2, failed: 0 });
    const rows = await outboxRows(db);
    expect(rows.map((row) => [row.status, row.slack_channel])).toEqual([
      ['delivered', ALERT_CHANNEL],
      ['delivered', 'C0OTHER'],
    ]);
    expect(fake.messagesIn(ALERT_CHANNEL).map((posted) => posted.ts)).toEqual([rows[0]!.slack_ts]);
    expect(outboxIdOf(fake.messagesIn('C0OTHER')[0]!)).toBe(String(rows[1]!.id));
    expect(await worker.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it("attaches a report's CSV in the thread of its message, once", async () => {
    const csv = 'figure,value\nactive users,42\nemoji ✅,"a, b"\n';
    await enqueue(
      db,
      [
        {
          kind: 'task_message',
          dedupeKey: 'task_message:csv:1',
          channel: null,
          payload: {
            text: 'daily report',
            blocks: null,
            file: { filename: 'report-2026-11-28.csv', content: csv, title: 'daily report' },
          },
        },
      ],
      clock.now(),
    );
    const worker = createTestOutboxWorker(db, fake, clock);
    expect(await worker.deliverDue()).toEqual({ delivered: 1, failed: 0 });
    const [posted] = fake.messagesIn(ALERT_CHANNEL);
    expect(fake.files).toHaveLength(1);
    expect(fake.files[0]).toMatchObject({
      filename: 'report-2026-11-28.csv',
      title: 'daily report',
      channel: ALERT_CHANNEL,
      threadTs: posted!.ts,
    });
    expect(fake.files[0]!.body).toContain(csv);
    expect(await worker.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    expect(fake.files).toHaveLength(1);
  });

  it('delivers the message when its file cannot be attached, and does not post it again', async () => {
    fake.failNext('files.completeUploadExternal', 'not_allowed_token_type');
    await enqueue(
      db,
      [
        {
          kind: 'task_message',
          dedupeKey: 'task_message:csv:2',
          channel: null,
          payload: { text: 'daily report', blocks: null, file: { filename: 'r.csv', content: 'a,b\n' } },
        },
      ],
      clock.now(),
    );
    const worker = createTestOutboxWorker(db, fake, clock);
    expect(await worker.deliverDue()).toEqual({ delivered: 1, failed: 0 });
    expect((await outboxRows(db)).map((row) => row.status)).toEqual(['delivered']);
    expect(fake.files).toEqual([]);
    clock.advance(60_000);
    expect(await worker.deliverDue()).toEqual({ delivered: 0, failed: 0 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('paces posts to one per second per channel', async () => {
    await enqueue(db, [message(1), message(2), message(3, 'C0OTHER')], clock.now());
    const worker = createTestOutboxWorker(db, fake, clock);
    expect(await worker.deliverDue()).toEqual({ delivered: 2, failed: 0 });
    expect(fake.messagesIn(ALERT_CHANNEL)).toHaveLength(1);
    clock.advance(999);
    expect((await worker.deliverDue()).delivered).toBe(0);
    clock.advance(1);
    expect((await worker.deliverDue()).delivered).toBe(1);
    expect(fake.messagesIn(ALERT_CHANNEL)).toHaveLength(2);
  });

  describe('graceful shutdown', () => {
    it('claims nothing more once stop begins: the delivery in flight ends, the rest is handed back', async () => {
      // Three channels, so pacing would not hold back any of them: one pass would post all three.
      await enqueue(db, [message(1, 'C0ONE'), message(2, 'C0TWO'), message(3, 'C0THREE')], clock.now());
      const slow = fake.holdCalls('chat.postMessage');
      const worker = createTestOutboxWorker(db, fake, clock);
      worker.start();
      await waitUntil(async () => slow.parked() === 1, 10_000, 'the first post reaches Slack');
      const stopping = worker.stop(10_000);
      slow.release();
      await stopping;
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
      const rows = await db.pool.query<{ status: string; locked_by: string | null }>(
        'select status, locked_by from notification_outbox order by id',
      );
      expect(rows.rows).toEqual([
        { status: 'delivered', locked_by: null },
        { status: 'pending', locked_by: null },
        { status: 'pending', locked_by: null },
      ]);
      // Handed back, not left to their lease: another replica delivers them at once.
      const other = createTestOutboxWorker(db, fake, clock, { workerId: 'notify-b' });
      expect(await other.deliverDue()).toEqual({ delivered: 2, failed: 0 });
    });

    it('returns within its bound while Slack does not answer, leaving that row to its lease', async () => {
      await enqueue(db, [message(1)], clock.now());
      const slow = fake.holdCalls('chat.postMessage');
      const worker = createTestOutboxWorker(db, fake, clock);
      worker.start();
      await waitUntil(async () => slow.parked() === 1, 10_000, 'the post reaches Slack');
      const started = performance.now();
      await worker.stop(300);
      // The WebClient gives up after 5 s: stop did not wait for it.
      expect(performance.now() - started).toBeLessThan(2000);
      const rows = await outboxRows(db);
      expect(rows.map((row) => [row.status, row.slack_ts])).toEqual([['pending', null]]);
    });
  });

  it('survives 429 Retry-After, 500s and a lost response: every alert delivered exactly once', async () => {
    const entries = Array.from({ length: 6 }, (_, index) => message(index));
    await enqueue(db, entries, clock.now());
    fake.failHttp('chat.postMessage', { status: 429, retryAfterSec: 3 }, 2);
    fake.failHttp('chat.postMessage', { status: 500 }, 3);
    fake.failHttp('chat.postMessage', { drop: true }, 1);
    fake.failHttp('chat.postMessage', { status: 503 }, 1);
    const worker = createTestOutboxWorker(db, fake, clock);

    // A 429 pauses every post for Retry-After (3 s of the injected clock), without counting an attempt.
    await worker.deliverDue();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    clock.advance(2000);
    await worker.deliverDue();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect((await outboxRows(db))[0]!.attempts).toBe(0);

    await drain(worker, clock, { stepMs: 5000 });
    const posts = postsPerOutboxId();
    expect(posts.size).toBe(6);
    expect([...posts.values()].every((count) => count === 1)).toBe(true);
    const rows = await outboxRows(db);
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);
    // The lost response was found again by its metadata instead of being posted twice.
    expect(fake.callsTo('conversations.history').length).toBeGreaterThan(0);
    expect(await worker.deadCount()).toBe(0);
  });

  it('two replicas delivering the same outbox post nothing twice', async () => {
    const entries = Array.from({ length: 30 }, (_, index) => message(index, `C0CH${index % 5}`));
    await enqueue(db, entries, clock.now());
    fake.failHttp('chat.postMessage', { drop: true }, 2);
    fake.failHttp('chat.postMessage', { status: 500 }, 2);
    const a = createTestOutboxWorker(db, fake, clock, { workerId: 'replica-a', batchSize: 4 });
    const b = createTestOutboxWorker(db, fake, clock, { workerId: 'replica-b', batchSize: 4 });
    for (let pass = 0; pass < 100 && (await a.pendingCount()) > 0; pass++) {
      await Promise.all([a.deliverDue(clock.now()), b.deliverDue(clock.now()), a.deliverDue(clock.now())]);
      clock.advance(5000);
    }
    expect(await a.pendingCount()).toBe(0);
    const counts = new Map<string, number>();
    for (let channel = 0; channel < 5; channel++) {
      for (const [id, count] of postsPerOutboxId(`C0CH${channel}`)) counts.set(id, count);
    }
    expect(counts.size).toBe(30);
    expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
  });

  it('recovers a row whose outcome is unknown: finds the message, or posts it once', async () => {
    await enqueue(db, [message(1), message(2)], clock.now());
    const [posted, notPosted] = await outboxRows(db);
    // A replica recorded its intent for both, posted the first, then died before marking anything.
    await db.pool.query(
      `update notification_outbox set slack_channel = $1, locked_by = 'dead-replica', locked_until = $2`,
      [ALERT_CHANNEL, new Date(clock.now().getTime() + 60_000)],
    );
    const web = (await import('../../support/notify-worker.js')).createNotifyWebClient(fake.apiUrl);
    await web.chat.postMessage({
      channel: ALERT_CHANNEL,
      text: 'message 1',
      metadata: { event_type: 'chronops_outbox', event_payload: { outbox_id: String(posted!.id) } },
    });
    const worker = createTestOutboxWorker(db, fake, clock);
    expect(await worker.deliverDue()).toEqual({ delivered: 0, failed: 0 }); // still leased to the dead one
    clock.advance(61_000);
    await drain(worker, clock);
    expect(postsPerOutboxId()).toEqual(
      new Map([
        [String(posted!.id), 1],
        [String(notPosted!.id), 1],
      ]),
    );
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2); // ours above, and the missing one
  });

  it('retries 5xx for the retry window from the first failure, not a fixed count, then keeps it dead', async () => {
    await enqueue(db, [message(1)], clock.now());
    fake.failHttp('chat.postMessage', { status: 500 }, 1000);
    const worker = createTestOutboxWorker(db, fake, clock); // ALERT_RETRY_FOR_MINUTES: 60 by default
    const firstAttemptAt = clock.nowMs();
    // Every attempt, at the instant its backoff ends, through 59 minutes of 500s.
    for (let pass = 0; pass < 100; pass++) {
      await worker.deliverDue();
      const next = await nextOutboxAttemptAt(db.pool);
      if (!next || next.getTime() > firstAttemptAt + 59 * 60_000) break;
      clock.set(next.getTime());
    }
    let [row] = await outboxRows(db);
    // Ten failures (about 31 minutes) used to be the end; now the alert is still being retried.
    expect(row).toMatchObject({ status: 'pending', failing_since: new Date(firstAttemptAt) });
    expect(row!.attempts).toBeGreaterThan(10);
    // The last attempt is made as the window closes, and fails: dead, with the error named.
    expect((await nextOutboxAttemptAt(db.pool))?.getTime()).toBe(firstAttemptAt + 60 * 60_000);
    clock.set(firstAttemptAt + 60 * 60_000);
    await worker.deliverDue();
    [row] = await outboxRows(db);
    expect(row).toMatchObject({ status: 'dead', dead_at: clock.now() });
    expect(row!.last_error).toMatch(/^http_500: /);
    expect(await worker.deadCount()).toBe(1);
    expect(await worker.pendingCount()).toBe(0);
  });

  it('threads later attempts under the first failure and updates it in place until it recovers', async () => {
    const first = await insertAttempt('failed', 1);
    const second = await insertAttempt('failed', 2, first, 'retry');
    const third = await insertAttempt('success', 3, second, 'retry');
    const worker = createTestOutboxWorker(db, fake, clock);
    await enqueue(db, [failure(first, 1, true)], clock.now());
    await drain(worker, clock);
    const [root] = fake.messagesIn(ALERT_CHANNEL);
    expect(allText(root!.blocks)).toContain('*nightly &lt;!channel&gt; backup* failed');

    await enqueue(db, [failure(second, 2, true)], clock.now());
    await drain(worker, clock);
    const replies = fake.messagesIn(ALERT_CHANNEL).filter((posted) => posted.thread_ts === root!.ts);
    expect(replies).toHaveLength(1);
    expect(allText(replies[0]!.blocks)).toContain('Attempt 2/4 failed');
    expect(root!.edits).toBe(1);
    expect(allText(root!.blocks)).toContain('Attempt 2/4 also failed');

    await enqueue(
      db,
      [
        {
          kind: 'execution_succeeded',
          dedupeKey: `execution_succeeded:${third}`,
          channel: null,
          taskId,
          executionId: third,
          payload: {
            taskId,
            taskName: 'nightly <!channel> backup',
            executionId: third,
            attempt: 3,
            durationMs: 900,
            notify: false,
            recovered: true,
          },
        },
      ],
      clock.now(),
    );
    await drain(worker, clock);
    expect(fake.messagesIn(ALERT_CHANNEL).filter((posted) => !posted.thread_ts)).toHaveLength(1);
    expect(allText(root!.blocks)).toContain('Resolved: attempt 3 succeeded');
    // Resolved: no Retry button any more, View logs points at the successful attempt.
    const buttons = (
      root!.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>
    )
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? []);
    expect(buttons.map((button) => [button.action_id, button.value])).toEqual([['execution_view', third]]);
    expect(fake.messagesIn(ALERT_CHANNEL).filter((posted) => posted.thread_ts === root!.ts)).toHaveLength(2);
  });

  it('merges pending missed-runs summaries into one message', async () => {
    const summary = (key: string, name: string) => ({
      kind: 'missed_runs' as const,
      dedupeKey: `missed_runs:${key}`,
      channel: null,
      payload: {
        tasks: [
          {
            taskId: `00000000-0000-4000-8000-00000000000${key}`,
            taskName: name,
            policy: 'run_once',
            missedCount: 3,
            truncated: false,
            firstMissedFor: '2026-11-28T06:00:00.000Z',
            lastMissedFor: '2026-11-28T08:00:00.000Z',
            ran: ['2026-11-28T08:00:00.000Z'],
            skippedCount: 2,
          },
        ],
      },
    });
    await enqueue(db, [summary('1', 'alpha'), summary('2', 'beta'), summary('3', 'gamma')], clock.now());
    const worker = createTestOutboxWorker(db, fake, clock);
    await drain(worker, clock);
    const posted = fake.messagesIn(ALERT_CHANNEL);
    expect(posted).toHaveLength(1);
    const text = allText(posted[0]!.blocks);
    for (const name of ['alpha', 'beta', 'gamma']) expect(text).toContain(`*${name}*: 3 runs missed`);
    expect((await outboxRows(db)).every((row) => row.status === 'delivered')).toBe(true);
  });

  it('resolves an overdue alert in place once the task has run', async () => {
    const occurrence = new Date(clock.now().getTime() - 600_000);
    await enqueue(
      db,
      [
        {
          kind: 'overdue',
          dedupeKey: 'overdue:test',
          channel: null,
          taskId,
          payload: {
            taskId,
            taskName: 'nightly',
            occurrence: occurrence.toISOString(),
            lateByMs: 600_000,
            graceSeconds: 300,
            isRunning: true,
            lastStatus: 'failed',
          },
        },
      ],
      clock.now(),
    );
    const worker = createTestOutboxWorker(db, fake, clock);
    await drain(worker, clock);
    const [alert] = fake.messagesIn(ALERT_CHANNEL);
    const text = allText(alert!.blocks);
    expect(text).toContain('is overdue');
    expect(text).toContain('still running');
    expect(text).toContain('ended *failed*');
    expect(alert!.edits).toBe(0);
    await db.pool.query('update scheduled_tasks set last_run_at = $2 where id = $1', [taskId, clock.now()]);
    await drain(worker, clock);
    expect(alert!.edits).toBe(1);
    expect(allText(alert!.blocks)).toContain('Resolved: the task ran');
    await drain(worker, clock);
    expect(alert!.edits).toBe(1);
  });
});
