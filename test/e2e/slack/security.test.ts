import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExecutionHistory } from '../../../src/store/executions.js';
import { countTasks, createTask, getTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  allText,
  GROUP_OPERATOR,
  OPERATOR,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';
import { slackSignature } from '../../support/slack-signing.js';

let h: SlackHarness;
let taskId: string;

beforeAll(async () => {
  h = await startSlackHarness();
  const task = await createTask(h.db.db, makeDraft({ name: 'guarded' }), { actor: { id: ADMIN }, now: T0 });
  taskId = task.id;
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

const runs = async () => (await listExecutionHistory(h.db.db, taskId)).rows.length;

describe('request signatures', () => {
  it('rejects a forged signature with 401 and does nothing', async () => {
    const sent = await h.send.command('run guarded', OPERATOR, { secret: 'not-the-secret' });
    expect(sent.status).toBe(401);
    await h.settle();
    expect(h.responsesTo(sent.responseUrl)).toEqual([]);
    expect(await runs()).toBe(0);
  });

  it('rejects a stale timestamp (older than 5 minutes) with 401', async () => {
    const sent = await h.send.command('run guarded', OPERATOR, {
      timestampSec: Math.floor(Date.now() / 1000) - 600,
    });
    expect(sent.status).toBe(401);
    await h.settle();
    expect(await runs()).toBe(0);
  });

  it('rejects a body altered after signing', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = 'command=%2Ftasks&text=help&user_id=U1';
    const sent = await h.send.raw('command=%2Ftasks&text=run+guarded&user_id=U1', {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, signed),
    });
    expect(sent.status).toBe(401);
  });
});

describe('roles', () => {
  // First: the user-group membership is cached once looked up.
  it('grants the operator role through a user group, and denies it when the lookup fails', async () => {
    h.fake.failNext('usergroups.users.list', 'ratelimited');
    const denied = await h.send.command('run guarded', GROUP_OPERATOR);
    await h.settle();
    expect(h.textOf(denied.responseUrl)).toContain('Only an *operator*');
    expect(await runs()).toBe(0);
    const allowed = await h.send.command('run guarded', GROUP_OPERATOR);
    await h.settle();
    expect(h.textOf(allowed.responseUrl)).toContain('started *guarded*');
    expect(await runs()).toBe(1);
  });

  it('tells a viewer which role is needed, and changes nothing', async () => {
    const before = await runs();
    for (const text of ['run guarded', 'pause guarded', 'delete guarded', 'new', 'edit guarded']) {
      const sent = await h.send.command(text, VIEWER);
      await h.settle();
      const [reply] = h.responsesTo(sent.responseUrl);
      expect(reply?.response_type).toBe('ephemeral');
      expect(String(reply?.text)).toMatch(/Only an \*(operator|admin)\* can do this; nothing was changed\./);
    }
    expect(await runs()).toBe(before);
    expect(await getTask(h.db.db, taskId)).toMatchObject({ enabled: true, version: 1 });
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('refuses admin actions to an operator, by button too', async () => {
    const click = await h.send.click({
      userId: OPERATOR,
      actionId: 'task_delete',
      value: taskId,
      container: { type: 'message', channelId: 'C1' },
    });
    await h.settle();
    expect(h.textOf(click.responseUrl)).toContain('Only an *admin* can do this');
    expect(await getTask(h.db.db, taskId)).toBeDefined();
  });

  it('answers forbidden App Home clicks in a direct message', async () => {
    const before = await runs();
    await h.send.event({ type: 'app_home_opened', user: VIEWER, channel: 'D0V', tab: 'home' });
    await h.settle();
    const home = h.fake.homes.get(VIEWER)!;
    await h.send.click({
      userId: VIEWER,
      actionId: 'task_run_now',
      value: taskId,
      container: { type: 'home', view: home },
    });
    await h.settle();
    const dm = h.fake.callsTo('chat.postMessage').at(-1);
    expect(dm?.args).toMatchObject({ channel: VIEWER });
    expect(String(dm?.args.text)).toContain('Only an *operator*');
    expect(await runs()).toBe(before);
  });
});

describe('escaping', () => {
  it('shows a task named <!channel> as text that pings nobody', async () => {
    const evil = await createTask(h.db.db, makeDraft({ name: '<!channel> & <@U0ADMIN> *bold*' }), {
      actor: { id: ADMIN },
      now: T0,
    });
    const list = await h.send.command('list', VIEWER);
    const run = await h.send.command(`run ${evil.id}`, OPERATOR);
    await h.settle();
    const posted = `${h.textOf(list.responseUrl)}\n${h.textOf(run.responseUrl)}`;
    expect(posted).toContain('&lt;!channel&gt; &amp; &lt;@U0ADMIN&gt;');
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('<@U0ADMIN>');
    const notFound = await h.send.command('logs <!everyone>', VIEWER);
    await h.settle();
    expect(h.textOf(notFound.responseUrl)).not.toContain('<!everyone>');
  });
});

describe('robustness', () => {
  it('acknowledges and drops Slack’s retries of a slash command it already handled', async () => {
    const before = await countTasks(h.db.db);
    const runsBefore = await runs();
    const first = await h.send.command('pause guarded for the retry test', ADMIN);
    await h.settle();
    for (const [num, reason] of [
      [1, 'http_timeout'],
      [2, 'http_error'],
    ] as const) {
      const retried = await h.send.retry(first, num, reason);
      expect(retried.status).toBe(200);
    }
    await h.settle();
    expect(h.responsesTo(first.responseUrl)).toHaveLength(1);
    expect(await runs()).toBe(runsBefore);
    expect(await countTasks(h.db.db)).toBe(before);
    await h.send.command('resume guarded', ADMIN);
    await h.settle();
  });

  it('answers a stale button (trigger expired) without crashing', async () => {
    const sent = await h.send.click({
      userId: ADMIN,
      actionId: 'task_edit',
      value: '00000000-0000-0000-0000-000000000000',
      container: { type: 'message', channelId: 'C1' },
    });
    await h.settle();
    expect(allText(h.responsesTo(sent.responseUrl))).toContain('No task');
  });
});
