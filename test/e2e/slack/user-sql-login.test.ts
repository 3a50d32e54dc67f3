import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTasks, createTask, findTaskByName } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  modalState,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

// Without a restricted task login (no TASK_DATABASE_URL beside a real database), a task carrying SQL
// written by a person is refused where the person is, and nothing changes.
let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ userSqlAvailable: false });
});
afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

async function customModal() {
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
  return h.fake.views.get(view.id)!;
}

describe('user SQL without a restricted task login', () => {
  it('refuses to save a custom SQL task with a field error on the SQL, and stores nothing', async () => {
    const view = await customModal();
    const before = await countTasks(h.db.db);
    const sent = await h.send.submit(
      view,
      ADMIN,
      modalState(view, {
        name: 'nightly sql',
        param_custom_kind: 'sql',
        param_custom_sql: 'delete from logs',
      }),
    );
    expect(sent.json).toMatchObject({
      response_action: 'errors',
      errors: { param_custom_sql: expect.stringMatching(/TASK_DATABASE_URL/) },
    });
    expect(await countTasks(h.db.db)).toBe(before);
    expect(await findTaskByName(h.db.db, 'nightly sql')).toBeUndefined();
  });

  it('still saves a custom script task, which runs no SQL of its own', async () => {
    const view = await customModal();
    const sent = await h.send.submit(
      view,
      ADMIN,
      modalState(view, {
        name: 'nightly script',
        param_custom_kind: 'script',
        param_custom_script: 'rotate.sh',
      }),
    );
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect(await findTaskByName(h.db.db, 'nightly script')).toMatchObject({ type: 'custom' });
  });

  it('refuses Run now of an existing SQL task with a sentence saying how to set the login up', async () => {
    await createTask(
      h.db.db,
      makeDraft({ name: 'old sql', type: 'custom', params: { kind: 'sql', sql: 'select 1' } }),
      { actor: { id: ADMIN }, now: T0 },
    );
    const sent = await h.send.command('run old sql', OPERATOR);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toMatch(/no restricted database login.*TASK_DATABASE_URL/);
    const { rows } = await h.db.pool.query('select count(*)::int4 as n from task_executions');
    expect(rows[0]?.n).toBe(0);
  });
});
