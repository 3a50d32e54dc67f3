import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxWorker } from '../../../src/notify/outbox-worker.js';
import { createFakeClock, type FakeClock } from '../../../src/shared/clock.js';
import { listExecutionHistory, queueManualRun } from '../../../src/store/executions.js';
import type { OutboxEntry } from '../../../src/store/outbox.js';
import { createTask, findTaskByName, getTask } from '../../../src/store/tasks.js';
import type { StoredMessage, StoredView } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ALERT_CHANNEL,
  createTestOutboxWorker,
  drain,
  enqueue,
  outboxRows,
} from '../../support/notify-worker.js';
import {
  ADMIN,
  ADMIN2,
  allText,
  findButton,
  modalState,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';

/**
 * The alerts end to end: the notifier posts to the fake Web API, people click the buttons through the
 * real Bolt app (signed requests), and the notifier updates the same messages in place.
 */
let h: SlackHarness;
let clock: FakeClock;
let worker: OutboxWorker;

beforeAll(async () => {
  h = await startSlackHarness();
  clock = createFakeClock(Date.now());
  worker = createTestOutboxWorker(h.db, h.fake, clock);
});
afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

async function deliver(): Promise<void> {
  clock.set(Math.max(clock.nowMs(), Date.now()) + 2000);
  await drain(worker, clock);
}

/** The latest top-level message the notifier posted to the alert channel. */
function lastAlert(): StoredMessage {
  const posted = h.fake.messagesIn(ALERT_CHANNEL).filter((message) => !message.thread_ts);
  const last = posted.at(-1);
  if (!last) throw new Error('no alert posted');
  return last;
}

async function failedExecution(taskName: string): Promise<{ taskId: string; executionId: string }> {
  const task = await createTask(h.db.db, makeDraft({ name: taskName, maxRetries: 0 }), {
    actor: { id: ADMIN },
    now: T0,
  });
  const executionId = await queueManualRun(h.db.db, task.id, OPERATOR);
  await h.db.pool.query(
    `update task_executions set status = 'failed', started_at = now(), finished_at = now(), duration_ms = 4200,
            error = 'relation "logs" does not exist' where id = $1`,
    [executionId],
  );
  return { taskId: task.id, executionId };
}

function failureEntry(taskId: string, taskName: string, executionId: string): OutboxEntry {
  return {
    kind: 'execution_failed',
    dedupeKey: `execution_failed:${executionId}`,
    channel: null,
    taskId,
    executionId,
    payload: {
      taskId,
      taskName,
      executionId,
      attempt: 1,
      maxAttempts: 1,
      status: 'failed',
      durationMs: 4200,
      error: 'relation "logs" does not exist',
      retry: null,
    },
  };
}

const onAlert = (message: StoredMessage) => ({
  type: 'message' as const,
  channelId: ALERT_CHANNEL,
  messageTs: message.ts,
});

describe('failure alert', () => {
  it('has View logs and Retry; Retry queues a retry and the message says who retried, in place', async () => {
    const { taskId, executionId } = await failedExecution('orders <cleanup>');
    await enqueue(h.db, [failureEntry(taskId, 'orders <cleanup>', executionId)], clock.now());
    await deliver();
    const alert = lastAlert();
    const text = allText(alert.blocks);
    expect(text).toContain('*orders &lt;cleanup&gt;* failed');
    expect(text).toContain('1/1');
    expect(text).toContain('4.2 s');
    expect(text).toContain('relation "logs" does not exist');
    expect(findButton(alert.blocks, 'execution_view', executionId)).toBeDefined();
    const retry = findButton(alert.blocks, 'execution_retry', executionId)!;

    await h.send.click({
      userId: OPERATOR,
      actionId: 'execution_retry',
      value: executionId,
      blockId: retry.blockId,
      container: onAlert(alert),
    });
    await h.settle();
    const history = (await listExecutionHistory(h.db.db, taskId)).rows;
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ trigger: 'retry', parentExecutionId: executionId, attempt: 2 });

    await deliver();
    expect(alert.edits).toBe(1);
    const updated = allText(alert.blocks);
    expect(updated).toContain(`Retry requested by <@${OPERATOR}>`);
    expect(findButton(alert.blocks, 'execution_retry')).toBeUndefined();
    expect(findButton(alert.blocks, 'execution_view', history[0]!.id)).toBeDefined();
  });

  it('Retry while the automatic retry waits for its backoff brings it forward and says so', async () => {
    const { taskId, executionId } = await failedExecution('backoff waiter');
    // The retry policy queued attempt 2 for 15 minutes from now.
    const dueAt = new Date(Date.now() + 15 * 60_000);
    const pending = await h.db.pool.query<{ id: string }>(
      `insert into task_executions (task_id, trigger, scheduled_for, status, attempt, parent_execution_id, run_after, triggered_by)
       values ($1, 'retry', null, 'queued', 2, $2, $3, 'retry-policy') returning id`,
      [taskId, executionId, dueAt],
    );
    await enqueue(h.db, [failureEntry(taskId, 'backoff waiter', executionId)], clock.now());
    await deliver();
    const alert = lastAlert();
    const sent = await h.send.click({
      userId: OPERATOR,
      actionId: 'execution_retry',
      value: executionId,
      blockId: findButton(alert.blocks, 'execution_retry', executionId)!.blockId,
      container: onAlert(alert),
    });
    await h.settle();
    const text = h.textOf(sent.responseUrl);
    expect(text).toContain(`<@${OPERATOR}> retried *backoff waiter*: its automatic retry, due at`);
    expect(text).toContain('starts now instead');
    const rows = await h.db.pool.query(
      `select id, run_after, triggered_by from task_executions where task_id = $1 and status = 'queued'`,
      [taskId],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ id: pending.rows[0]!.id, triggered_by: OPERATOR });
    expect((rows.rows[0]!.run_after as Date).getTime()).toBeLessThan(Date.now() + 1000);
  });

  it('View logs opens the execution modal', async () => {
    const { taskId, executionId } = await failedExecution('view me');
    await enqueue(h.db, [failureEntry(taskId, 'view me', executionId)], clock.now());
    await deliver();
    await h.send.click({
      userId: VIEWER,
      actionId: 'execution_view',
      value: executionId,
      container: onAlert(lastAlert()),
    });
    await h.settle();
    const view = h.fake.lastView()!;
    expect(view.callback_id).toBe('execution_modal');
    expect(view.private_metadata).toBe(executionId);
  });
});

describe('overdue and missed-runs alerts', () => {
  it('Run now from an overdue alert queues a run and resolves the message in place', async () => {
    const task = await createTask(h.db.db, makeDraft({ name: 'late one' }), {
      actor: { id: ADMIN },
      now: T0,
    });
    await enqueue(
      h.db,
      [
        {
          kind: 'overdue',
          dedupeKey: `overdue:${task.id}:x`,
          channel: null,
          taskId: task.id,
          payload: {
            taskId: task.id,
            taskName: 'late one',
            occurrence: new Date(clock.nowMs() + 600_000).toISOString(),
            lateByMs: 720_000,
            graceSeconds: 300,
            isRunning: false,
            lastStatus: 'success',
          },
        },
      ],
      clock.now(),
    );
    await deliver();
    const alert = lastAlert();
    expect(allText(alert.blocks)).toContain('12 min 00 s late');
    await h.send.click({
      userId: OPERATOR,
      actionId: 'task_run_now',
      value: task.id,
      container: onAlert(alert),
    });
    await h.settle();
    expect((await listExecutionHistory(h.db.db, task.id)).rows).toHaveLength(1);
    await deliver();
    expect(allText(alert.blocks)).toContain(`Run requested by <@${OPERATOR}>`);
    expect(findButton(alert.blocks, 'task_run_now')).toBeUndefined();
  });

  it('Run latest now / Skip on the missed-runs summary act per task and update the message', async () => {
    const a = await createTask(h.db.db, makeDraft({ name: 'missed a' }), { actor: { id: ADMIN }, now: T0 });
    const b = await createTask(h.db.db, makeDraft({ name: 'missed b' }), { actor: { id: ADMIN }, now: T0 });
    const item = (task: { id: string; name: string }, policy: string) => ({
      taskId: task.id,
      taskName: task.name,
      policy,
      missedCount: 4,
      truncated: false,
      firstMissedFor: new Date(clock.nowMs() - 4 * 3_600_000).toISOString(),
      lastMissedFor: new Date(clock.nowMs() - 3_600_000).toISOString(),
      ran: [],
      skippedCount: 4,
    });
    await enqueue(
      h.db,
      [
        {
          kind: 'missed_runs',
          dedupeKey: 'missed_runs:e2e',
          channel: null,
          payload: { tasks: [item(a, 'skip'), item(b, 'skip')] },
        },
      ],
      clock.now(),
    );
    await deliver();
    const alert = lastAlert();
    expect(allText(alert.blocks)).toContain('*missed a*: 4 runs missed');
    expect(findButton(alert.blocks, 'missed_run_latest', a.id)).toBeDefined();
    await h.send.click({
      userId: OPERATOR,
      actionId: 'missed_run_latest',
      value: a.id,
      container: onAlert(alert),
    });
    const skip = await h.send.click({
      userId: OPERATOR,
      actionId: 'missed_skip',
      value: b.id,
      container: onAlert(alert),
    });
    await h.settle();
    expect((await listExecutionHistory(h.db.db, a.id)).rows).toHaveLength(1);
    expect((await listExecutionHistory(h.db.db, b.id)).rows).toHaveLength(0);
    expect(h.textOf(skip.responseUrl)).toContain('chose not to run the missed runs of *missed b*');
    await deliver();
    const text = allText(alert.blocks);
    expect(text).toContain(`<@${OPERATOR}> ran it now`);
    expect(text).toContain(`<@${OPERATOR}> chose to skip`);
    expect(findButton(alert.blocks, 'missed_run_latest')).toBeUndefined();
  });
});

describe('approvals', () => {
  async function createCustomTask(name: string, sql: string): Promise<void> {
    await h.send.command('new', ADMIN);
    await h.settle();
    const view = h.fake.lastView()!;
    await h.send.click({
      userId: ADMIN,
      actionId: 'type_select',
      selectedOption: 'custom',
      container: { type: 'modal', view },
      values: modalState(view, { type: 'custom' }),
    });
    await h.settle();
    const updated = h.fake.views.get(view.id)!;
    const sent = await h.send.submit(
      updated,
      ADMIN,
      modalState(updated, { name, param_custom_kind: 'sql', param_custom_sql: sql }),
    );
    expect(sent.json).toBeUndefined();
    await h.settle();
  }

  it('a custom task saved pending posts Approve/Reject; the author is refused, another admin approves', async () => {
    await createCustomTask('purge <sessions>', 'delete from admin_sessions where expires_at < now()');
    const task = (await findTaskByName(h.db.db, 'purge <sessions>'))!;
    expect(task.approvalState).toBe('pending');
    // Enqueued with the task, in its transaction.
    expect(
      (await outboxRows(h.db)).filter((row) => row.kind === 'approval_requested').at(-1)?.payload,
    ).toMatchObject({
      taskId: task.id,
      author: ADMIN,
      version: task.version,
    });
    await deliver();
    const request = lastAlert();
    const text = allText(request.blocks);
    expect(text).toContain(`<@${ADMIN}> created *purge &lt;sessions&gt;*, which runs code a person wrote`);
    expect(text).toContain('delete from admin_sessions where expires_at &lt; now()');
    expect(findButton(request.blocks, 'task_approve', `${task.id}:1`)).toBeDefined();
    expect(findButton(request.blocks, 'task_reject', `${task.id}:1`)).toBeDefined();

    const own = await h.send.click({
      userId: ADMIN,
      actionId: 'task_approve',
      value: `${task.id}:1`,
      container: onAlert(request),
    });
    await h.settle();
    expect(h.responsesTo(own.responseUrl).at(-1)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('must be approved by an admin other than the task’s author'),
    });
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('pending');
    await deliver();
    expect(request.edits).toBe(0);

    const operator = await h.send.click({
      userId: OPERATOR,
      actionId: 'task_approve',
      value: `${task.id}:1`,
      container: onAlert(request),
    });
    await h.settle();
    expect(h.textOf(operator.responseUrl)).toContain('Only an *admin*');

    const other = await h.send.click({
      userId: ADMIN2,
      actionId: 'task_approve',
      value: `${task.id}:1`,
      container: onAlert(request),
    });
    await h.settle();
    expect(h.textOf(other.responseUrl)).toContain(`<@${ADMIN2}> approved *purge &lt;sessions&gt;*`);
    expect(await getTask(h.db.db, task.id)).toMatchObject({ approvalState: 'approved', approvedBy: ADMIN2 });
    await deliver();
    expect(request.edits).toBe(1);
    expect(allText(request.blocks)).toContain(`Approved by <@${ADMIN2}>`);
    expect(findButton(request.blocks, 'task_approve')).toBeUndefined();
  });

  it('rejection asks for a reason in a modal, then updates the request in place', async () => {
    await createCustomTask('drop it', 'drop table logs');
    const task = (await findTaskByName(h.db.db, 'drop it'))!;
    await deliver();
    const request = lastAlert();
    await h.send.click({
      userId: ADMIN2,
      actionId: 'task_reject',
      value: `${task.id}:1`,
      container: onAlert(request),
    });
    await h.settle();
    const modal = h.fake.lastView() as StoredView;
    expect(modal.callback_id).toBe('approval_reject');
    const empty = await h.send.submit(modal, ADMIN2, {
      reject_reason: { reject_reason_input: { type: 'plain_text_input', value: '  ' } },
    });
    expect(empty.json).toMatchObject({
      response_action: 'errors',
      errors: { reject_reason: expect.any(String) },
    });
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('pending');
    const sent = await h.send.submit(modal, ADMIN2, {
      reject_reason: {
        reject_reason_input: { type: 'plain_text_input', value: 'never <!channel> drop tables' },
      },
    });
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect(await getTask(h.db.db, task.id)).toMatchObject({
      approvalState: 'rejected',
      rejectionReason: 'never <!channel> drop tables',
    });
    await deliver();
    const text = allText(request.blocks);
    expect(text).toContain(`Rejected by <@${ADMIN2}>`);
    expect(text).toContain('never &lt;!channel&gt; drop tables');
    expect(text).not.toContain('<!channel>');
  });
});

describe('/tasks why and the App Home', () => {
  it('explains the last slots: not approved, skipped by overlap, paused by whom and why', async () => {
    const task = await createTask(h.db.db, makeDraft({ name: 'explained', cron: '30 2 * * *' }), {
      actor: { id: ADMIN },
      now: T0,
      approvalState: 'pending',
    });
    const slots: Array<[string, string | null, string, string | null]> = [
      ['skipped', 'not_approved', '2026-03-29T01:00:00.000Z', null],
      ['skipped', 'overlap_skipped', '2026-03-30T00:30:00.000Z', null],
      ['failed', 'worker_lost', '2026-03-31T00:30:00.000Z', 'worker_lost'],
      ['timed_out', null, '2026-04-01T00:30:00.000Z', 'timed_out'],
    ];
    for (const [status, reason, at, errorCode] of slots) {
      await h.db.pool.query(
        `insert into task_executions (task_id, trigger, scheduled_for, status, reason, error_code, created_at)
         values ($1, 'schedule', $2, $3, $4, $5, $2)`,
        [task.id, at, status, reason, errorCode],
      );
    }
    await h.db.pool.query(
      `update scheduled_tasks set enabled = false, paused_by = $2, paused_at = now(), paused_reason = 'disk <full>' where id = $1`,
      [task.id, OPERATOR],
    );
    const sent = await h.send.command('why explained', VIEWER);
    await h.settle();
    const text = h.textOf(sent.responseUrl);
    expect(text).toContain(`*Paused* by <@${OPERATOR}>`);
    expect(text).toContain('disk &lt;full&gt;');
    expect(text).toContain('not run: the task was not approved');
    expect(text).toContain('skipped: the previous run was still running');
    expect(text).toContain('lost: the replica running it stopped');
    // The stored cause, as a sentence.
    expect(text).toContain('It ran past its timeout and was stopped.');
    // 02:30 Paris does not exist on 2026-03-29: that slot ran at 03:30.
    expect(text).toContain('DST: 02:30 does not exist on 2026-03-29');
  });

  it('shows undeliverable alerts on the App Home', async () => {
    await enqueue(
      h.db,
      [{ kind: 'task_message', dedupeKey: 'task_message:dead', channel: null, payload: { text: 'x' } }],
      clock.now(),
    );
    await h.db.pool.query(
      `update notification_outbox set status = 'dead' where dedupe_key = 'task_message:dead'`,
    );
    expect(await worker.deadCount()).toBe(1);
    await h.send.event({ type: 'app_home_opened', user: VIEWER, channel: 'D0VIEWER', tab: 'home' });
    await h.settle();
    expect(allText(h.fake.homes.get(VIEWER)?.blocks)).toContain('1 alert could not be delivered to Slack');
  });
});
