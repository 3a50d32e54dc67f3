import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxWorker } from '../../../src/notify/outbox-worker.js';
import { createFakeClock, type FakeClock } from '../../../src/shared/clock.js';
import { listAuditForTask } from '../../../src/store/audit.js';
import { findTaskByName, getTask } from '../../../src/store/tasks.js';
import type { StoredMessage, StoredView } from '../../support/fake-slack.js';
import { ALERT_CHANNEL, createTestOutboxWorker, drain } from '../../support/notify-worker.js';
import {
  ADMIN,
  ADMIN2,
  ADMIN3,
  allText,
  findButton,
  modalState,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

/**
 * An approval approves exactly what the approver saw (docs/SECURITY.md): Approve and Reject name the
 * task and the version of its code, the decision is taken only at that version and by someone who did
 * not write it, older cards are marked superseded in place, and a card never cuts the code silently.
 * Everything goes through the real Bolt app with signed requests and the notifier's real messages.
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

/** The approval cards posted for a task, oldest first. */
function cardsOf(taskName: string): StoredMessage[] {
  return h.fake
    .messagesIn(ALERT_CHANNEL)
    .filter((message) => !message.thread_ts && allText(message.blocks).includes(taskName));
}

const onCard = (message: StoredMessage) => ({
  type: 'message' as const,
  channelId: ALERT_CHANNEL,
  messageTs: message.ts,
});

/** Opens the create modal, picks the type, fills the params and submits it as `userId`. */
async function createViaModal(
  userId: string,
  name: string,
  type: 'custom' | 'notification',
  params: Record<string, string>,
): Promise<void> {
  await h.send.command('new', userId);
  await h.settle();
  const view = h.fake.lastView()!;
  await h.send.click({
    userId,
    actionId: 'type_select',
    selectedOption: type,
    container: { type: 'modal', view },
    values: modalState(view, { type }),
  });
  await h.settle();
  let updated = h.fake.views.get(view.id)!;
  // The SQL field appears once its discriminator (custom kind / notification query) is chosen.
  const discriminator = type === 'custom' ? 'param_custom_kind' : 'param_notification_query';
  const selectBlock = updated.blocks.find((block) => block.block_id === discriminator);
  if (!selectBlock) throw new Error(`no ${discriminator} block in the modal`);
  await h.send.click({
    userId,
    actionId: String((selectBlock.element as { action_id: string }).action_id),
    selectedOption: params[discriminator] ?? '',
    container: { type: 'modal', view: updated },
    values: modalState(updated, { type, ...params }),
  });
  await h.settle();
  updated = h.fake.views.get(view.id)!;
  const sent = await h.send.submit(updated, userId, modalState(updated, { name, ...params }));
  expect(sent.json).toBeUndefined();
  await h.settle();
}

/** Opens the edit modal of `name` as `userId`, changes the params and saves. */
async function editViaModal(userId: string, name: string, params: Record<string, string>): Promise<void> {
  await h.send.command(`edit ${name}`, userId);
  await h.settle();
  const view = h.fake.lastView()!;
  const sent = await h.send.submit(view, userId, modalState(view, params));
  expect(sent.json).toBeUndefined();
  await h.settle();
}

async function click(userId: string, actionId: string, value: string, card: StoredMessage) {
  const sent = await h.send.click({ userId, actionId, value, container: onCard(card) });
  await h.settle();
  return h.textOf(sent.responseUrl);
}

describe('approval cards are bound to a version', () => {
  it('a card for version 1 cannot approve version 2, and is marked superseded in place', async () => {
    await createViaModal(ADMIN, 'bound v1', 'custom', {
      param_custom_kind: 'sql',
      param_custom_sql: 'select 1',
    });
    const v1 = (await findTaskByName(h.db.db, 'bound v1'))!;
    expect(v1).toMatchObject({ approvalState: 'pending', approvalVersion: 1, approvalRequestedBy: ADMIN });
    await deliver();
    const [card1] = cardsOf('bound v1');
    expect(card1).toBeDefined();
    expect(findButton(card1!.blocks, 'task_approve', `${v1.id}:1`)).toBeDefined();
    expect(findButton(card1!.blocks, 'task_reject', `${v1.id}:1`)).toBeDefined();
    expect(allText(card1!.blocks)).toContain('select 1');

    // The author rewrites the SQL before anyone approved it.
    await editViaModal(ADMIN, 'bound v1', { param_custom_sql: 'delete from users' });
    const v2 = (await getTask(h.db.db, v1.id))!;
    expect(v2).toMatchObject({ approvalState: 'pending', approvalVersion: 2 });

    const refused = await click(ADMIN2, 'task_approve', `${v1.id}:1`, card1!);
    expect(refused).toContain('This card is for version 1 of *bound v1*, which was saved again since');
    expect(refused).toContain('Nothing was changed');
    expect(await getTask(h.db.db, v1.id)).toMatchObject({ approvalState: 'pending', version: 2 });

    await deliver();
    const cards = cardsOf('bound v1');
    expect(cards).toHaveLength(2);
    // The old card says it was superseded, and has no buttons left.
    expect(allText(cards[0]!.blocks)).toContain('Superseded');
    expect(findButton(cards[0]!.blocks, 'task_approve')).toBeUndefined();
    expect(findButton(cards[0]!.blocks, 'task_reject')).toBeUndefined();
    // The new card shows the new SQL and approves it.
    expect(allText(cards[1]!.blocks)).toContain('delete from users');
    const approved = await click(ADMIN2, 'task_approve', `${v1.id}:2`, cards[1]!);
    expect(approved).toContain(`<@${ADMIN2}> approved *bound v1*`);
    expect(await getTask(h.db.db, v1.id)).toMatchObject({ approvalState: 'approved', approvedBy: ADMIN2 });
    const audit = await listAuditForTask(h.db.db, v1.id);
    expect(audit.find((entry) => entry.action === 'task.approved')?.after).toMatchObject({
      approvalVersion: 2,
    });
  });

  it('a rejected version cannot be approved from its old card, nor rejected twice', async () => {
    await createViaModal(ADMIN, 'bound rejected', 'custom', {
      param_custom_kind: 'sql',
      param_custom_sql: 'truncate logs',
    });
    const task = (await findTaskByName(h.db.db, 'bound rejected'))!;
    await deliver();
    const [card] = cardsOf('bound rejected');
    await h.send.click({
      userId: ADMIN2,
      actionId: 'task_reject',
      value: `${task.id}:1`,
      container: onCard(card!),
    });
    await h.settle();
    const modal = h.fake.lastView() as StoredView;
    expect(JSON.parse(String(modal.private_metadata))).toMatchObject({ t: task.id, v: 1 });
    await h.send.submit(modal, ADMIN2, {
      reject_reason: { reject_reason_input: { type: 'plain_text_input', value: 'no truncate' } },
    });
    await h.settle();
    expect(await getTask(h.db.db, task.id)).toMatchObject({ approvalState: 'rejected', rejectedBy: ADMIN2 });

    // The card was re-rendered without buttons, but Slack clients may still show the old one: a click
    // on it (same value) decides nothing.
    const again = await click(ADMIN3, 'task_approve', `${task.id}:1`, card!);
    expect(again).toContain(`This version of *bound rejected* was already rejected by <@${ADMIN2}>`);
    expect(await getTask(h.db.db, task.id)).toMatchObject({ approvalState: 'rejected', approvedBy: null });
  });

  it('neither the creator nor the admin who saved the version may approve it', async () => {
    await createViaModal(ADMIN, 'bound editors', 'custom', {
      param_custom_kind: 'sql',
      param_custom_sql: 'select 2',
    });
    const task = (await findTaskByName(h.db.db, 'bound editors'))!;
    await editViaModal(ADMIN2, 'bound editors', { param_custom_sql: 'select 3' });
    expect(await getTask(h.db.db, task.id)).toMatchObject({
      approvalVersion: 2,
      approvalRequestedBy: ADMIN2,
    });
    await deliver();
    const card = cardsOf('bound editors').at(-1)!;
    for (const author of [ADMIN, ADMIN2]) {
      expect(await click(author, 'task_approve', `${task.id}:2`, card)).toContain(
        'must be approved by an admin other than the task’s author and the one who saved this version',
      );
    }
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('pending');
    // A pause in between bumps the task's version but not the one awaiting approval: the card holds.
    await h.send.command('pause bound editors', ADMIN3);
    await h.settle();
    expect(await click(ADMIN3, 'task_approve', `${task.id}:2`, card)).toContain('approved *bound editors*');
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('approved');
  });

  it('a card from before versions were bound decides nothing and is refreshed with versioned buttons', async () => {
    await createViaModal(ADMIN, 'bound legacy', 'custom', {
      param_custom_kind: 'sql',
      param_custom_sql: 'select 4',
    });
    const task = (await findTaskByName(h.db.db, 'bound legacy'))!;
    await deliver();
    const card = cardsOf('bound legacy').at(-1)!;
    const before = card.edits;
    const text = await click(ADMIN2, 'task_approve', task.id, card);
    expect(text).toContain('does not say which version of *bound legacy* it decides on');
    expect((await getTask(h.db.db, task.id))?.approvalState).toBe('pending');
    await deliver();
    expect(card.edits).toBe(before + 1);
    expect(findButton(card.blocks, 'task_approve', `${task.id}:1`)).toBeDefined();
  });
});

describe('every piece of user SQL needs the two-person rule', () => {
  it('a notification task with its own query waits for a second admin, and cannot run before', async () => {
    await createViaModal(ADMIN, 'bound notify', 'notification', {
      param_notification_query: 'custom',
      param_notification_sql: 'select email from users',
    });
    const task = (await findTaskByName(h.db.db, 'bound notify'))!;
    expect(task).toMatchObject({ approvalState: 'pending', approvalVersion: 1 });
    const run = await h.send.command('run bound notify', ADMIN2);
    await h.settle();
    expect(h.textOf(run.responseUrl)).toContain('awaiting approval');
    await deliver();
    const card = cardsOf('bound notify').at(-1)!;
    expect(allText(card.blocks)).toContain('select email from users');
    expect(allText(card.blocks)).toContain('read-only SQL, on the restricted task login');
    expect(await click(ADMIN, 'task_approve', `${task.id}:1`, card)).toContain(
      'other than the task’s author',
    );
    expect(await click(ADMIN2, 'task_approve', `${task.id}:1`, card)).toContain('approved *bound notify*');
    // Editing it asks again.
    await editViaModal(ADMIN3, 'bound notify', { param_notification_sql: 'select email, quota from users' });
    expect(await getTask(h.db.db, task.id)).toMatchObject({ approvalState: 'pending', approvalVersion: 3 });
  });

  it('the built-in low-quota notification needs no approval', async () => {
    await createViaModal(ADMIN, 'bound quota', 'notification', { param_notification_query: 'low_quota' });
    expect(await findTaskByName(h.db.db, 'bound quota')).toMatchObject({
      approvalState: 'approved',
      approvalVersion: null,
    });
  });
});

describe('the card shows the whole code, or says it is an excerpt', () => {
  it('long SQL gets a marked excerpt and View full text, whose pages hold every character', async () => {
    // 2,990 characters typed, about 3,900 once escaped for mrkdwn: more than a section holds.
    const lines = Array.from({ length: 200 }, (_, i) => `and id <> ${String(i).padStart(4, '0')} `);
    const sql = `delete from logs where true\n${lines.join('\n')}`.slice(0, 2990).trimEnd();
    await createViaModal(ADMIN, 'bound long', 'custom', { param_custom_kind: 'sql', param_custom_sql: sql });
    const task = (await findTaskByName(h.db.db, 'bound long'))!;
    await deliver();
    const card = cardsOf('bound long').at(-1)!;
    const text = allText(card.blocks);
    expect(text).toContain('*Excerpt only*');
    expect(text).toContain(`of ${sql.length.toLocaleString('en-US')} characters`);
    expect(findButton(card.blocks, 'approval_full_text', `${task.id}:1`)).toBeDefined();

    await h.send.click({
      userId: ADMIN2,
      actionId: 'approval_full_text',
      value: `${task.id}:1`,
      container: onCard(card),
    });
    await h.settle();
    let modal = h.fake.lastView() as StoredView;
    expect(modal.callback_id).toBe('approval_full_text');
    const shown: string[] = [];
    for (let page = 0; page < 10; page += 1) {
      shown.push(codeIn(modal));
      const next = findButton(modal.blocks, 'approval_full_text_page_next');
      if (!next) break;
      await h.send.click({
        userId: ADMIN2,
        actionId: 'approval_full_text_page_next',
        value: String(next.element.value),
        container: { type: 'modal', view: modal },
      });
      await h.settle();
      modal = h.fake.views.get(modal.id) as StoredView;
    }
    expect(unescapeMrkdwn(shown.join(''))).toBe(sql);
  });
});

/** The code of a full-text modal page: its code blocks, fences removed, joined. */
function codeIn(view: StoredView): string {
  return view.blocks
    .map((block) => (block.text as { text?: string } | undefined)?.text ?? '')
    .filter((text) => text.startsWith('```'))
    .map((text) => text.slice(3, -3))
    .join('');
}

const unescapeMrkdwn = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
