import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForTask } from '../../../src/store/audit.js';
import { getExecution, listExecutionHistory, queueManualRun } from '../../../src/store/executions.js';
import { createTask, getTask } from '../../../src/store/tasks.js';
import type { StoredView } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  ADMIN2,
  allText,
  findButton,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

async function newTask(name: string, overrides = {}) {
  return createTask(h.db.db, makeDraft({ name, ...overrides }), { actor: { id: ADMIN }, now: T0 });
}

/** Ends an execution the way the engine would, for tests that need a failed one. */
async function finish(executionId: string, status: string, logs = '', error: string | null = null) {
  await h.db.pool.query(
    `update task_executions set status = $2, started_at = now(), finished_at = now(), duration_ms = 1234, logs = $3, error = $4 where id = $1`,
    [executionId, status, logs, error],
  );
}

async function listMessage(user: string) {
  const sent = await h.send.command('list', user);
  await h.settle();
  return h.responsesTo(sent.responseUrl).at(-1)?.blocks;
}

describe('task row buttons', () => {
  it('Run now queues one execution; a double click does not queue another', async () => {
    const task = await newTask('button run');
    const blocks = await listMessage(OPERATOR);
    const run = findButton(blocks, 'task_run_now', task.id)!;
    const click = () =>
      h.send.click({
        userId: OPERATOR,
        actionId: 'task_run_now',
        value: task.id,
        blockId: run.blockId,
        container: { type: 'message', channelId: 'C0OPS' },
      });
    const [first, second] = await Promise.all([click(), click()]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await h.settle();
    expect((await listExecutionHistory(h.db.db, task.id)).rows).toHaveLength(1);
    const texts = [h.textOf(first.responseUrl), h.textOf(second.responseUrl)].join('\n');
    expect(texts).toContain('started *button run*');
    expect(texts).toContain('already queued');
    expect((await listAuditForTask(h.db.db, task.id)).map((entry) => entry.action)).toContain('task.run_now');
  });

  it('Pause (through its reason modal) then Resume toggles the task', async () => {
    const task = await newTask('button pause');
    const click = () =>
      h.send.click({
        userId: OPERATOR,
        actionId: 'task_pause_resume',
        value: task.id,
        container: { type: 'message', channelId: 'C0OPS' },
      });
    await click();
    await h.settle();
    // Pause opens the reason modal (test/e2e/slack/pause-modal.test.ts); submitted empty, it pauses.
    await h.send.submit(h.fake.lastView()!, OPERATOR, {});
    await h.settle();
    expect((await getTask(h.db.db, task.id))?.enabled).toBe(false);
    await click();
    await h.settle();
    expect((await getTask(h.db.db, task.id))?.enabled).toBe(true);
    expect((await listAuditForTask(h.db.db, task.id)).map((entry) => entry.action).slice(0, 2)).toEqual([
      'task.resumed',
      'task.paused',
    ]);
  });

  it('Edit opens the edit modal for that task', async () => {
    const task = await newTask('button edit');
    await h.send.click({
      userId: ADMIN,
      actionId: 'task_edit',
      value: task.id,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    const view = h.fake.lastView()!;
    expect(JSON.parse(view.private_metadata ?? '{}')).toMatchObject({ t: task.id, v: task.version });
  });

  it('delete asks for confirmation first, then deletes on the confirmed click', async () => {
    const task = await newTask('doomed');
    const sent = await h.send.command('delete doomed', ADMIN);
    await h.settle();
    expect(await getTask(h.db.db, task.id)).toBeDefined();
    const button = findButton(h.responsesTo(sent.responseUrl).at(-1)?.blocks, 'task_delete', task.id)!;
    expect(button.element.confirm).toBeDefined();
    const click = await h.send.click({
      userId: ADMIN,
      actionId: 'task_delete',
      value: task.id,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    expect(await getTask(h.db.db, task.id)).toBeUndefined();
    expect(h.textOf(click.responseUrl)).toContain(`<@${ADMIN}> deleted *doomed*`);
    expect((await listAuditForTask(h.db.db, task.id))[0]?.action).toBe('task.deleted');
  });
});

describe('execution buttons', () => {
  it('View logs opens the execution modal with bounded logs', async () => {
    const task = await newTask('chatty');
    const executionId = await queueManualRun(h.db.db, task.id, OPERATOR);
    await finish(
      executionId,
      'failed',
      `${'line of output & <stuff>\n'.repeat(400)}last line`,
      'boom <!here>',
    );
    await h.send.click({
      userId: OPERATOR,
      actionId: 'execution_view',
      value: `task:${task.id}`,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    const view = h.fake.lastView()!;
    expect(view.callback_id).toBe('execution_modal');
    const text = allText(view.blocks);
    expect(text).toContain('last line');
    expect(text).toContain('Showing the last');
    expect(text).toContain('boom &lt;!here&gt;');
    expect(text).not.toContain('<!here>');
  });

  it('Retry queues a new attempt linked to the failed one, once', async () => {
    const task = await newTask('flaky');
    const failedId = await queueManualRun(h.db.db, task.id, OPERATOR);
    await finish(failedId, 'failed', '', 'connection reset');
    const sent = await h.send.command('history flaky', OPERATOR);
    await h.settle();
    const retryButton = findButton(
      h.responsesTo(sent.responseUrl).at(-1)?.blocks,
      'execution_retry',
      failedId,
    );
    expect(retryButton).toBeDefined();
    const click = () =>
      h.send.click({
        userId: OPERATOR,
        actionId: 'execution_retry',
        value: failedId,
        container: { type: 'message', channelId: 'C0OPS' },
      });
    await click();
    await click();
    await h.settle();
    const rows = (await listExecutionHistory(h.db.db, task.id)).rows;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      trigger: 'retry',
      attempt: 2,
      parentExecutionId: failedId,
      status: 'queued',
    });
  });

  it('/tasks retry <execution> does the same, and refuses a successful execution', async () => {
    const task = await newTask('retry by command');
    const okId = await queueManualRun(h.db.db, task.id, OPERATOR);
    await finish(okId, 'success');
    const refused = await h.send.command(`retry ${okId}`, OPERATOR);
    await h.settle();
    expect(h.textOf(refused.responseUrl)).toContain('only failed, timed-out or cancelled');
    const failedId = await queueManualRun(h.db.db, task.id, OPERATOR);
    await finish(failedId, 'timed_out');
    const sent = await h.send.command(`retry ${failedId}`, OPERATOR);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toContain('retried *retry by command*');
  });

  it('Cancel stops a queued execution (the stuck-run case without SQL)', async () => {
    const task = await newTask('stuck');
    const executionId = await queueManualRun(h.db.db, task.id, OPERATOR);
    await h.send.click({
      userId: OPERATOR,
      actionId: 'execution_view',
      value: executionId,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    const modal = h.fake.lastView() as StoredView;
    expect(findButton(modal.blocks, 'execution_cancel', executionId)?.element.confirm).toBeDefined();
    await h.send.click({
      userId: OPERATOR,
      actionId: 'execution_cancel',
      value: executionId,
      container: { type: 'modal', view: modal },
    });
    await h.settle();
    expect((await getExecution(h.db.db, executionId))?.status).toBe('cancelled');
    // The modal shows the new state in place.
    expect(allText(h.fake.views.get(modal.id)?.blocks)).toContain('cancelled');
  });
});

describe('approval', () => {
  it('lets another admin approve a pending custom task, not its author', async () => {
    const task = await createTask(
      h.db.db,
      makeDraft({ name: 'custom sql', type: 'custom', params: { kind: 'sql', sql: 'select 1' } }),
      { actor: { id: ADMIN }, now: T0, approvalState: 'pending' },
    );
    const own = await h.send.click({
      userId: ADMIN,
      actionId: 'task_approve',
      value: `${task.id}:1`,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    expect(h.textOf(own.responseUrl)).toContain('other than the task’s author');
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('pending');
    const runRefused = await h.send.command('run custom sql', OPERATOR);
    await h.settle();
    expect(h.textOf(runRefused.responseUrl)).toContain('awaiting approval');
    await h.send.click({
      userId: ADMIN2,
      actionId: 'task_approve',
      value: `${task.id}:1`,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('approved');
  });
});
