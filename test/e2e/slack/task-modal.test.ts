import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForTask } from '../../../src/store/audit.js';
import { countTasks, createTask, findTaskByName, getTask, updateTask } from '../../../src/store/tasks.js';
import type { StoredView } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  ADMIN2,
  allText,
  modalState,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
  // Another task firing at 02:00 every day, for the stagger advice.
  await createTask(h.db.db, makeDraft({ name: 'existing 2am', cron: '0 2 * * *' }), {
    actor: { id: ADMIN },
    now: T0,
  });
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

async function openNew(text = 'new backup_database'): Promise<StoredView> {
  const before = h.fake.callsTo('views.open').length;
  await h.send.command(text, ADMIN);
  await h.settle();
  expect(h.fake.callsTo('views.open')).toHaveLength(before + 1);
  return h.fake.lastView()!;
}

describe('create via modal', () => {
  it('opens a modal prefilled from the template, with the cron preview and a stagger warning', async () => {
    const view = await openNew();
    expect(view.callback_id).toBe('task_modal');
    expect(allText(view.title)).toBe('New task');
    const text = allText(view.blocks);
    expect(text).toContain('At 02:00');
    expect(text).toContain('Next 5 runs (Europe/Paris · UTC)');
    // existing 2am fires in the same minute: advice with the nearest free minute.
    expect(text).toContain('1 other task also starts at');
    expect(text).toContain('`1 2 * * *`');
  });

  it('saves a valid submission, announces it and audits it', async () => {
    const view = await openNew();
    const sent = await h.send.submit(
      view,
      ADMIN,
      modalState(view, { name: 'db backup', cron: '15 3 * * *' }),
    );
    expect(sent.status).toBe(200);
    expect(sent.json).toBeUndefined();
    await h.settle();
    const task = await findTaskByName(h.db.db, 'db backup');
    expect(task).toMatchObject({
      type: 'backup',
      template: 'backup_database',
      cron: '15 3 * * *',
      params: { keep: 7 },
    });
    expect(task?.createdBy).toBe(ADMIN);
    const announce = h.fake.callsTo('chat.postMessage').at(-1);
    expect(announce?.args).toMatchObject({ channel: 'C0GENERAL' });
    expect(String(announce?.args.text)).toContain('created *db backup*');
    const audit = await listAuditForTask(h.db.db, task!.id);
    expect(audit.map((entry) => entry.action)).toEqual(['task.created']);
  });

  it('returns errors per block for an invalid submission and stores nothing', async () => {
    const view = await openNew();
    const before = await countTasks(h.db.db);
    const sent = await h.send.submit(
      view,
      ADMIN,
      modalState(view, {
        name: '',
        cron: '61 * * *',
        timeout: 'abc',
        timezone: 'Mars/Olympus',
        param_backup_keep: '0',
      }),
    );
    expect(sent.status).toBe(200);
    expect(sent.json?.response_action).toBe('errors');
    const errors = sent.json?.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual([
      'cron_0',
      'name',
      'param_backup_keep',
      'timeout',
      'timezone',
    ]);
    expect(errors.param_backup_keep).toContain('keep');
    expect(await countTasks(h.db.db)).toBe(before);
  });

  it('refuses a duplicate name on the name field', async () => {
    const view = await openNew();
    const sent = await h.send.submit(view, ADMIN, modalState(view, { name: 'EXISTING 2AM' }));
    expect(sent.json).toMatchObject({
      response_action: 'errors',
      errors: { name: 'A task with this name already exists.' },
    });
  });

  it('updates the preview while the cron is typed (views.update)', async () => {
    const view = await openNew();
    await h.send.click({
      userId: ADMIN,
      actionId: 'cron_input',
      value: '*/15 * * * *',
      container: { type: 'modal', view },
      values: modalState(view, { cron: '*/15 * * * *' }),
    });
    await h.settle();
    const update = h.fake.callsTo('views.update').at(-1);
    expect(update?.args.view_id).toBe(view.id);
    expect(allText((update!.args.view as StoredView).blocks)).toContain('Every 15 minutes');
  });

  it('fills the cron from a frequency preset with a new cron block id', async () => {
    const view = await openNew();
    await h.send.click({
      userId: ADMIN,
      actionId: 'preset_select',
      selectedOption: 'every_6h',
      container: { type: 'modal', view },
      values: modalState(view),
    });
    await h.settle();
    const updated = h.fake.views.get(view.id)!;
    const cronBlock = updated.blocks.find((block) => block.block_id === 'cron_1');
    expect(cronBlock?.element).toMatchObject({ initial_value: '0 */6 * * *' });
    // Submitting the updated view keys errors and values by the new block id.
    const sent = await h.send.submit(
      updated,
      ADMIN,
      modalState(updated, { name: 'six hourly', cron: 'nope' }),
    );
    expect(Object.keys(sent.json?.errors as object)).toEqual(['cron_1']);
  });

  it('shows the parameters of the chosen type', async () => {
    const view = await openNew('new');
    await h.send.click({
      userId: ADMIN,
      actionId: 'type_select',
      selectedOption: 'cleanup',
      container: { type: 'modal', view },
      values: modalState(view, { type: 'cleanup' }),
    });
    await h.settle();
    const updated = h.fake.views.get(view.id)!;
    const ids = updated.blocks.map((block) => block.block_id);
    expect(ids).toContain('param_cleanup_table');
    expect(ids).not.toContain('param_backup_keep');
    const sent = await h.send.submit(
      updated,
      ADMIN,
      modalState(updated, {
        name: 'purge sessions',
        type: 'cleanup',
        param_cleanup_mode: 'expired',
        param_cleanup_table: 'admin_sessions',
        // Not a parameter of the expired mode: dropped, not an error.
        param_cleanup_olderThanDays: '30',
      }),
    );
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect(await findTaskByName(h.db.db, 'purge sessions')).toMatchObject({
      type: 'cleanup',
      params: { mode: 'expired', table: 'admin_sessions', expiresColumn: 'expires_at' },
    });
  });

  it('creates custom tasks awaiting approval', async () => {
    const view = await openNew('new');
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
      modalState(updated, { name: 'vacuum', param_custom_kind: 'sql', param_custom_sql: 'vacuum analyze' }),
    );
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect(await findTaskByName(h.db.db, 'vacuum')).toMatchObject({
      type: 'custom',
      approvalState: 'pending',
      params: { kind: 'sql', sql: 'vacuum analyze', readOnly: false },
    });
    expect(String(h.fake.callsTo('chat.postMessage').at(-1)?.args.text)).toContain(
      'another admin must approve it before it runs',
    );
  });

  it('rejects parameters of a type the form was not showing', async () => {
    const view = await openNew('new');
    // The type changed without Slack's dispatch: the backup parameter blocks are read as custom ones.
    const sent = await h.send.submit(view, ADMIN, modalState(view, { name: 'sneaky', type: 'custom' }));
    expect(sent.json?.response_action).toBe('errors');
    expect(await findTaskByName(h.db.db, 'sneaky')).toBeUndefined();
  });
});

describe('edit via modal', () => {
  it('refuses the second of two concurrent edits with a clear message and keeps the first', async () => {
    const task = await findTaskByName(h.db.db, 'existing 2am');
    await h.send.command('edit existing 2am', ADMIN);
    await h.settle();
    const view = h.fake.lastView()!;
    expect(allText(view.title)).toBe('Edit task');
    // Someone else saves first.
    await updateTask(h.db.db, task!.id, makeDraft({ name: 'existing 2am', cron: '5 2 * * *' }), {
      actor: { id: ADMIN2 },
      now: T0,
      expectedVersion: task!.version,
    });
    const sent = await h.send.submit(view, ADMIN, modalState(view, { cron: '45 4 * * *' }));
    expect(sent.json?.response_action).toBe('errors');
    expect((sent.json!.errors as Record<string, string>).name).toContain(
      `Someone (${ADMIN2}) saved this task`,
    );
    const after = await getTask(h.db.db, task!.id);
    expect(after?.cron).toBe('5 2 * * *');
    expect(after?.version).toBe(task!.version + 1);
  });

  it('saves an edit made on the latest version', async () => {
    await h.send.command('edit existing 2am', ADMIN);
    await h.settle();
    const view = h.fake.lastView()!;
    const sent = await h.send.submit(
      view,
      ADMIN,
      modalState(view, { cron: '45 4 * * *', description: 'moved' }),
    );
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect(await findTaskByName(h.db.db, 'existing 2am')).toMatchObject({
      cron: '45 4 * * *',
      description: 'moved',
    });
  });
});
