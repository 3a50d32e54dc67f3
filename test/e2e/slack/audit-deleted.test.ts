import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, getTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  ADMIN2,
  modalState,
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

/** Deletes a task the way people do: `/tasks delete`, then the confirmed Delete button. */
async function deleteThroughSlack(name: string, taskId: string): Promise<void> {
  const prompt = await h.send.command(`delete ${name}`, ADMIN);
  await h.settle();
  expect(h.textOf(prompt.responseUrl)).toContain('cannot be undone');
  await h.send.click({
    userId: ADMIN,
    actionId: 'task_delete',
    value: taskId,
    container: { type: 'message', channelId: 'C0OPS' },
  });
  await h.settle();
  expect(await getTask(h.db.db, taskId)).toBeUndefined();
}

async function audit(ref: string) {
  const sent = await h.send.command(`audit ${ref}`, VIEWER);
  await h.settle();
  const [answer, ...more] = h.responsesTo(sent.responseUrl);
  expect(more).toEqual([]);
  return { text: h.textOf(sent.responseUrl), answer: answer! };
}

/** The audit lines of an answer, each reduced to its action, oldest last (as shown). */
function actionsShown(text: string): string[] {
  return [...text.matchAll(/`(task\.[a-z_]+)`/g)].map((match) => match[1]!);
}

describe('/tasks audit of a deleted task', () => {
  it('finds it by its former name, its last name and its id, with the whole history including the deletion', async () => {
    const task = await createTask(h.db.db, makeDraft({ name: 'old reports', cron: '0 6 * * *' }), {
      actor: { id: ADMIN },
      now: T0,
    });
    // Renamed and rescheduled through the edit modal, by another admin.
    await h.send.command('edit old reports', ADMIN2);
    await h.settle();
    const view = h.fake.lastView()!;
    const saved = await h.send.submit(
      view,
      ADMIN2,
      modalState(view, { name: 'quarterly reports', cron: '0 7 * * *' }),
    );
    expect(saved.json).toBeUndefined();
    await h.settle();
    expect((await getTask(h.db.db, task.id))?.name).toBe('quarterly reports');
    await deleteThroughSlack('quarterly reports', task.id);

    for (const ref of ['old reports', 'OLD Reports', 'quarterly reports', task.id]) {
      const { text, answer } = await audit(ref);
      expect(answer.text).toBe('Audit log of quarterly reports (deleted)');
      expect(text).toContain('Audit log of quarterly reports (deleted)');
      expect(actionsShown(text)).toEqual(['task.deleted', 'task.updated', 'task.created']);
      expect(text).toContain(`<@${ADMIN}> · \`task.deleted\``);
      expect(text).toMatch(/<@U0ADMIN2> · `task\.updated` — changed [^\n]*`name`/);
      expect(text).toContain(`<@${ADMIN}> · \`task.created\``);
    }
  });

  it('lists the ids when several deleted tasks had that name, and shows no history', async () => {
    const ids: string[] = [];
    for (let round = 0; round < 2; round++) {
      const task = await createTask(h.db.db, makeDraft({ name: 'temp job' }), {
        actor: { id: ADMIN },
        now: T0,
      });
      await deleteThroughSlack('temp job', task.id);
      ids.push(task.id);
    }
    const { text } = await audit('temp job');
    expect(text).toContain('Several tasks named *temp job* are in the audit log:');
    for (const id of ids)
      expect(text).toMatch(new RegExp(`\`${id}\` \\(deleted \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}\\)`));
    expect(text).toContain('`/tasks audit <id>`');
    expect(actionsShown(text)).toEqual([]);
    // Each id still reaches its own history.
    const first = await audit(ids[0]!);
    expect(first.answer.text).toBe('Audit log of temp job (deleted)');
    expect(actionsShown(first.text)).toEqual(['task.deleted', 'task.created']);
  });

  it('still answers a name no task ever had with "not found", and a live task as before', async () => {
    await createTask(h.db.db, makeDraft({ name: 'daily digest' }), { actor: { id: ADMIN }, now: T0 });
    const missing = await audit('daily digets');
    expect(missing.text).toContain('No task named or with id `daily digets`.');
    expect(missing.text).toContain('Did you mean *daily digest*?');
    const live = await audit('daily digest');
    expect(live.answer.text).toBe('Audit log of daily digest');
    expect(actionsShown(live.text)).toEqual(['task.created']);
  });
});
