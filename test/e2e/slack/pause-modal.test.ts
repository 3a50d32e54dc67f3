import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForTask } from '../../../src/store/audit.js';
import { createTask, getTask } from '../../../src/store/tasks.js';
import type { StoredView } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  allText,
  findButton,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

async function newTask(name: string) {
  return createTask(h.db.db, makeDraft({ name }), { actor: { id: ADMIN }, now: T0 });
}

/** The state Slack sends with the pause modal's submission. */
function reasonState(reason: string | null) {
  return { pause_reason: { pause_reason_input: { type: 'plain_text_input', value: reason } } };
}

/** Clicks Pause on the clicker's App Home and returns the modal it opened. */
async function pauseFromHome(userId: string, taskId: string): Promise<StoredView> {
  await h.send.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home' });
  await h.settle();
  const home = h.fake.homes.get(userId)!;
  const pause = findButton(home.blocks, 'task_pause_resume', taskId);
  expect(allText(pause?.element)).toBe('Pause');
  const opens = h.fake.callsTo('views.open').length;
  await h.send.click({
    userId,
    actionId: 'task_pause_resume',
    value: taskId,
    blockId: pause!.blockId,
    container: { type: 'home', view: home },
  });
  await h.settle();
  expect(h.fake.callsTo('views.open')).toHaveLength(opens + 1);
  return h.fake.lastView()!;
}

describe('the Pause button asks for a reason', () => {
  it('opens a modal with an optional, bounded reason; its submission pauses the task with that reason, audited', async () => {
    const task = await newTask('nightly vacuum');
    const view = await pauseFromHome(OPERATOR, task.id);
    expect(view.callback_id).toBe('task_pause');
    expect(allText(view.title)).toBe('Pause task');
    expect(allText(view.blocks)).toContain('Pause *nightly vacuum*?');
    const input = view.blocks.find((block) => block.block_id === 'pause_reason');
    expect(input).toMatchObject({
      type: 'input',
      optional: true,
      element: { type: 'plain_text_input', action_id: 'pause_reason_input', max_length: 500 },
    });
    // Nothing is paused by the click alone.
    expect((await getTask(h.db.db, task.id))?.enabled).toBe(true);

    const posts = h.fake.callsTo('chat.postMessage').length;
    const sent = await h.send.submit(view, OPERATOR, reasonState('  disk is full  '));
    expect(sent.status).toBe(200);
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect(await getTask(h.db.db, task.id)).toMatchObject({
      enabled: false,
      pausedReason: 'disk is full',
      pausedBy: OPERATOR,
    });
    const [entry] = await listAuditForTask(h.db.db, task.id);
    expect(entry).toMatchObject({
      action: 'task.paused',
      actor: OPERATOR,
      after: { reason: 'disk is full' },
    });
    // From the App Home there is no channel: the announcement goes to the alert channel.
    const announce = h.fake.callsTo('chat.postMessage').slice(posts);
    expect(announce.map((call) => call.args.channel)).toEqual(['C0ALERTS']);
    expect(String(announce[0]?.args.text)).toContain(`<@${OPERATOR}> paused *nightly vacuum* — disk is full`);
    // The audit command shows the reason, as it does for `/tasks pause <task> <reason>`.
    const audit = await h.send.command('audit nightly vacuum', VIEWER);
    await h.settle();
    expect(h.textOf(audit.responseUrl)).toContain('`task.paused` — disk is full');
  });

  it('pauses without a reason when none is given, announces in the channel clicked from; Resume acts at once', async () => {
    const task = await newTask('hourly export');
    await h.send.click({
      userId: OPERATOR,
      actionId: 'task_pause_resume',
      value: task.id,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    const view = h.fake.lastView()!;
    expect(view.callback_id).toBe('task_pause');
    expect(JSON.parse(view.private_metadata ?? '{}')).toEqual({ t: task.id, c: 'C0OPS' });
    await h.send.submit(view, OPERATOR, reasonState(null));
    await h.settle();
    expect(await getTask(h.db.db, task.id)).toMatchObject({ enabled: false, pausedReason: null });
    expect(h.fake.callsTo('chat.postMessage').at(-1)?.args).toMatchObject({ channel: 'C0OPS' });
    expect(String(h.fake.callsTo('chat.postMessage').at(-1)?.args.text)).toMatch(
      /paused \*hourly export\*\.$/,
    );

    const opens = h.fake.callsTo('views.open').length;
    const resume = await h.send.click({
      userId: OPERATOR,
      actionId: 'task_pause_resume',
      value: task.id,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    expect(h.fake.callsTo('views.open')).toHaveLength(opens);
    expect(h.textOf(resume.responseUrl)).toContain('resumed *hourly export*');
    expect((await getTask(h.db.db, task.id))?.enabled).toBe(true);
    expect((await listAuditForTask(h.db.db, task.id)).map((entry) => entry.action)).toEqual([
      'task.resumed',
      'task.paused',
      'task.created',
    ]);
  });

  it('refuses a viewer at the click and at a forged submission, changing nothing', async () => {
    const task = await newTask('report to finance');
    const opens = h.fake.callsTo('views.open').length;
    const click = await h.send.click({
      userId: VIEWER,
      actionId: 'task_pause_resume',
      value: task.id,
      container: { type: 'message', channelId: 'C0OPS' },
    });
    await h.settle();
    expect(h.fake.callsTo('views.open')).toHaveLength(opens);
    expect(h.textOf(click.responseUrl)).toContain('Only an *operator* can do this; nothing was changed.');

    // The modal an operator opened, submitted by the viewer (a forged or replayed payload).
    const view = await pauseFromHome(OPERATOR, task.id);
    await h.send.submit(view, VIEWER, reasonState('let me'));
    await h.settle();
    const dm = h.fake.callsTo('chat.postMessage').at(-1);
    expect(dm?.args).toMatchObject({ channel: VIEWER });
    expect(String(dm?.args.text)).toContain('Only an *operator*');
    expect((await getTask(h.db.db, task.id))?.enabled).toBe(true);
    expect((await listAuditForTask(h.db.db, task.id)).map((entry) => entry.action)).toEqual(['task.created']);
  });

  it('answers a reason longer than the field allows with a field error, and pauses nothing', async () => {
    const task = await newTask('cache warmup');
    const view = await pauseFromHome(ADMIN, task.id);
    const sent = await h.send.submit(view, ADMIN, reasonState('x'.repeat(501)));
    expect(sent.json).toEqual({
      response_action: 'errors',
      errors: { pause_reason: 'At most 500 characters.' },
    });
    await h.settle();
    expect((await getTask(h.db.db, task.id))?.enabled).toBe(true);
  });

  it('says so when the task was deleted while the modal was open', async () => {
    const task = await newTask('short lived');
    const view = await pauseFromHome(OPERATOR, task.id);
    await h.db.pool.query('delete from scheduled_tasks where id = $1', [task.id]);
    await h.send.submit(view, OPERATOR, reasonState('too late'));
    await h.settle();
    const dm = h.fake.callsTo('chat.postMessage').at(-1);
    expect(dm?.args).toMatchObject({ channel: OPERATOR });
    expect(String(dm?.args.text)).toContain(`No task named or with id \`${task.id}\``);
  });
});
