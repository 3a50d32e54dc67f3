import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxWorker } from '../../../src/notify/outbox-worker.js';
import { createFakeClock, type FakeClock } from '../../../src/shared/clock.js';
import type { OutboxEntry } from '../../../src/store/outbox.js';
import { createTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import { createTestOutboxWorker, drain, enqueue, outboxRows } from '../../support/notify-worker.js';
import {
  ADMIN,
  allText,
  findButton,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';

/**
 * `/tasks alerts` and Redeliver, as Slack sends them (signed requests into the real Bolt
 * app), on alerts the real outbox worker gave up on against the fake Slack.
 */
let h: SlackHarness;
let clock: FakeClock;
let worker: OutboxWorker;
let taskId: string;

beforeAll(async () => {
  h = await startSlackHarness();
  clock = createFakeClock(Date.now());
  worker = createTestOutboxWorker(h.db, h.fake, clock);
  taskId = (
    await createTask(h.db.db, makeDraft({ name: 'orders <!channel> export' }), {
      actor: { id: ADMIN },
      now: T0,
    })
  ).id;
});
afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});
beforeEach(async () => {
  await h.db.pool.query('delete from notification_outbox');
});

/** An overdue alert for the task's channel C0GONE, which Slack refuses: dead at its first attempt. */
async function deadAlert(key: string, error = 'channel_not_found'): Promise<number> {
  const entry: OutboxEntry = {
    kind: 'overdue',
    dedupeKey: `overdue:${key}`,
    channel: 'C0GONE',
    taskId,
    payload: {
      taskId,
      taskName: 'orders <!channel> export',
      occurrence: new Date().toISOString(),
      lateByMs: 600_000,
      graceSeconds: 300,
      isRunning: false,
      lastStatus: null,
    },
  };
  clock.advance(60_000); // past the pacing of earlier posts to that channel
  await enqueue(h.db, [entry], clock.now());
  h.fake.failNext('chat.postMessage', error);
  await worker.deliverDue(clock.now());
  const row = (await outboxRows(h.db)).find(
    (candidate) => candidate.payload.occurrence === entry.payload.occurrence,
  );
  expect(row?.status).toBe('dead');
  return row!.id;
}

async function auditCount(): Promise<number> {
  const result = await h.db.pool.query(`select 1 from audit_log where action = 'alert.redelivered'`);
  return result.rowCount ?? 0;
}

function blocksOf(responseUrl: string | undefined, index = 0): unknown {
  return h.responsesTo(responseUrl)[index]?.blocks;
}

describe('/tasks alerts', () => {
  it('lists dead alerts newest first with the task, kind, when, the Slack error and attempts; Redeliver for operators', async () => {
    const older = await deadAlert('older', 'not_in_channel');
    const newer = await deadAlert('newer', 'channel_not_found');
    const byViewer = await h.send.command('alerts', VIEWER);
    const byOperator = await h.send.command('alerts', OPERATOR);
    await h.settle();

    expect(h.responsesTo(byViewer.responseUrl)[0]?.response_type).toBe('ephemeral');
    const text = h.textOf(byViewer.responseUrl);
    expect(text).toContain('Undeliverable alerts (2)');
    expect(text).toContain('*overdue alert* · *orders &lt;!channel&gt; export*');
    expect(text).toContain('> `channel_not_found`');
    expect(text).toContain('> `not_in_channel`');
    expect(text).toContain('1 attempt');
    expect(text).toContain('to <#C0GONE>');
    expect(text).toMatch(/given up <!date\^\d+\^/);
    expect(text.indexOf(`#${newer}`)).toBeLessThan(text.indexOf(`#${older}`));
    // Everyone may read the list; only operators and admins get the button.
    expect(findButton(blocksOf(byViewer.responseUrl), 'alert_redeliver')).toBeUndefined();
    expect(text).toContain('Only an *operator* or an *admin* can redeliver them.');
    expect(findButton(blocksOf(byOperator.responseUrl), 'alert_redeliver', String(newer))).toBeDefined();
    expect(findButton(blocksOf(byOperator.responseUrl), 'alert_redeliver', String(older))).toBeDefined();
  });

  it('says so when nothing is undeliverable', async () => {
    const sent = await h.send.command('alerts', VIEWER);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toContain('No undeliverable alerts.');
  });
});

describe('Redeliver', () => {
  it('puts the alert back to pending with attempts reset, audited; the list says so and the worker delivers it', async () => {
    const id = await deadAlert('redeliver');
    const list = await h.send.command('alerts', OPERATOR);
    await h.settle();
    const redeliver = findButton(blocksOf(list.responseUrl), 'alert_redeliver', String(id))!;

    const click = await h.send.click({
      userId: OPERATOR,
      actionId: 'alert_redeliver',
      value: String(id),
      blockId: redeliver.blockId,
      container: { type: 'message', channelId: 'C0GENERAL' },
    });
    await h.settle();
    const [answer] = h.responsesTo(click.responseUrl);
    expect(answer?.replace_original).toBe(true);
    const text = allText(answer);
    expect(text).toContain(
      `<@${OPERATOR}> redelivered the overdue alert of *orders &lt;!channel&gt; export*`,
    );
    expect(text).toContain('it is pending again');
    expect(text).toContain('Undeliverable alerts (0)');
    expect((await outboxRows(h.db))[0]).toMatchObject({ status: 'pending', attempts: 0, dead_at: null });
    expect(await auditCount()).toBe(1);

    await drain(worker, clock);
    const [row] = await outboxRows(h.db);
    expect(row).toMatchObject({ status: 'delivered', slack_channel: 'C0GONE' });
    expect(h.fake.messagesIn('C0GONE')).toHaveLength(1);

    // Clicked again (the old list): a sentence, nothing changed.
    const again = await h.send.click({
      userId: OPERATOR,
      actionId: 'alert_redeliver',
      value: String(id),
      container: { type: 'message', channelId: 'C0GENERAL' },
    });
    await h.settle();
    expect(h.textOf(again.responseUrl)).toContain(
      'The overdue alert of *orders &lt;!channel&gt; export* is no longer undeliverable (delivered): it was redelivered already. Nothing was changed.',
    );
    expect((await outboxRows(h.db))[0]!.status).toBe('delivered');
    expect(await auditCount()).toBe(1);
    expect(h.fake.messagesIn('C0GONE')).toHaveLength(1);
  });

  it('refuses a viewer, and an id that is no dead alert, changing nothing', async () => {
    const id = await deadAlert('refused');
    const before = await auditCount();
    const forged = await h.send.click({
      userId: VIEWER,
      actionId: 'alert_redeliver',
      value: String(id),
      container: { type: 'message', channelId: 'C0GENERAL' },
    });
    const bogus = await h.send.click({
      userId: OPERATOR,
      actionId: 'alert_redeliver',
      value: '12; drop table audit_log',
      container: { type: 'message', channelId: 'C0GENERAL' },
    });
    await h.settle();
    expect(h.textOf(forged.responseUrl)).toContain('Only an *operator* can do this; nothing was changed.');
    expect(h.textOf(bogus.responseUrl)).toContain('No undeliverable alert `12; drop table audit_log`');
    expect((await outboxRows(h.db))[0]).toMatchObject({ id, status: 'dead', attempts: 1 });
    expect(await auditCount()).toBe(before);
  });
});

describe('App Home', () => {
  it('shows the count and the latest dead alerts, with Redeliver for operators only; Redeliver there answers in a DM', async () => {
    const id = await deadAlert('home', 'is_archived');
    await h.send.event({ type: 'app_home_opened', user: VIEWER, channel: 'D0VIEWER', tab: 'home' });
    await h.send.event({ type: 'app_home_opened', user: OPERATOR, channel: 'D0OPER', tab: 'home' });
    await h.settle();
    const viewerHome = h.fake.homes.get(VIEWER)!;
    const operatorHome = h.fake.homes.get(OPERATOR)!;
    expect(allText(viewerHome.blocks)).toContain('1 alert could not be delivered to Slack');
    expect(allText(viewerHome.blocks)).toContain('> `is_archived`');
    expect(findButton(viewerHome.blocks, 'alert_redeliver')).toBeUndefined();
    const button = findButton(operatorHome.blocks, 'alert_redeliver', String(id));
    expect(button).toBeDefined();

    await h.send.click({
      userId: OPERATOR,
      actionId: 'alert_redeliver',
      value: String(id),
      blockId: button!.blockId,
      container: { type: 'home', view: operatorHome },
    });
    await h.settle();
    const dm = h.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === OPERATOR)
      .map((call) => String(call.args.text));
    expect(dm.at(-1)).toContain(`<@${OPERATOR}> redelivered the overdue alert`);
    expect((await outboxRows(h.db))[0]!.status).toBe('pending');
    // The homes are republished without it.
    expect(allText(h.fake.homes.get(OPERATOR)?.blocks)).not.toContain('could not be delivered');
  });
});
