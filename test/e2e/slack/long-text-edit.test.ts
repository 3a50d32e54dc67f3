import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, getTask } from '../../../src/store/tasks.js';
import type { StoredView } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  allText,
  modalState,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

// docs/SLACK.md, "Long text fields": a plain_text_input holds 3,000 characters and Slack refuses a view
// whose initial_value is longer (the fake does too). A task's SQL may be longer: the edit modal shows it
// read-only and a save keeps it whole; a text submitted at the limit that is a cut copy of the stored
// one is refused with a field error.
const SQL_BLOCK = 'param_custom_sql';
const LONG_SQL = `-- nightly rollup\n${Array.from(
  { length: 200 },
  (_, i) => `insert into rollups select ${i}, count(*) from events where kind = 'k${i}';`,
).join('\n')}\n-- the end`;

let h: SlackHarness;
let taskId: string;

beforeAll(async () => {
  expect(LONG_SQL.length).toBeGreaterThan(5000);
  h = await startSlackHarness();
  taskId = (
    await createTask(
      h.db.db,
      makeDraft({
        name: 'long rollup',
        type: 'custom',
        params: { kind: 'sql', sql: LONG_SQL, readOnly: false },
      }),
      { actor: { id: ADMIN }, now: T0 },
    )
  ).id;
});

afterAll(async () => {
  await h.close();
});

async function openEdit(): Promise<StoredView> {
  const before = h.fake.callsTo('views.open').length;
  await h.send.command('edit long rollup', ADMIN);
  await h.settle();
  expect(h.fake.callsTo('views.open')).toHaveLength(before + 1);
  expect(h.fake.callsTo('views.open').at(-1)?.response.ok).toBe(true);
  return h.fake.lastView()!;
}

describe('editing a task whose SQL is longer than a text input holds', () => {
  it('opens the modal with the SQL read-only: its beginning, its length and how to change it', async () => {
    const view = await openEdit();
    expect(h.fake.rejected).toEqual([]);
    const sqlBlocks = view.blocks.filter((block) => block.block_id === SQL_BLOCK);
    expect(sqlBlocks.map((block) => block.type)).toEqual(['section']);
    const text = allText(view.blocks);
    expect(text).toContain('-- nightly rollup');
    expect(text).toContain(`${LONG_SQL.length.toLocaleString('en-US')} characters, read-only here`);
    expect(text).toContain('SCRIPTS_DIR');
    expect(text).not.toContain('-- the end');
  });

  it('keeps the stored SQL whole when the modal is saved with other changes', async () => {
    const view = await openEdit();
    const before = await getTask(h.db.db, taskId);
    const sent = await h.send.submit(view, ADMIN, modalState(view, { cron: '45 4 * * *' }));
    expect(sent.json).toBeUndefined();
    await h.settle();
    const after = await getTask(h.db.db, taskId);
    expect(after).toMatchObject({ cron: '45 4 * * *', version: before!.version + 1 });
    expect(after!.params.sql).toBe(LONG_SQL);
    expect(h.fake.rejected).toEqual([]);
  });

  it('keeps it read-only through live updates of the modal (views.update)', async () => {
    const view = await openEdit();
    await h.send.click({
      userId: ADMIN,
      actionId: 'cron_input',
      value: '*/15 * * * *',
      container: { type: 'modal', view },
      values: modalState(view, { cron: '*/15 * * * *' }),
    });
    await h.settle();
    const update = h.fake.callsTo('views.update').at(-1);
    expect(update?.response.ok).toBe(true);
    const updated = h.fake.views.get(view.id)!;
    expect(updated.blocks.filter((block) => block.block_id === SQL_BLOCK).map((block) => block.type)).toEqual(
      ['section'],
    );
    const sent = await h.send.submit(updated, ADMIN, modalState(updated, { cron: '*/15 * * * *' }));
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect((await getTask(h.db.db, taskId))!.params.sql).toBe(LONG_SQL);
    expect(h.fake.rejected).toEqual([]);
  });

  it('refuses a submitted SQL cut at 3,000 characters (a view of the old kind) and changes nothing', async () => {
    const view = await openEdit();
    const before = await getTask(h.db.db, taskId);
    const values = {
      ...modalState(view, { cron: '0 5 * * *' }),
      [SQL_BLOCK]: { param_input: { type: 'plain_text_input', value: LONG_SQL.slice(0, 3000) } },
    };
    const sent = await h.send.submit(view, ADMIN, values);
    expect(sent.json?.response_action).toBe('errors');
    const errors = sent.json!.errors as Record<string, string>;
    expect(errors[SQL_BLOCK]).toContain(
      `first 3,000 of the saved text's ${LONG_SQL.length.toLocaleString('en-US')} characters`,
    );
    await h.settle();
    expect(await getTask(h.db.db, taskId)).toMatchObject({ version: before!.version, cron: before!.cron });
    expect((await getTask(h.db.db, taskId))!.params.sql).toBe(LONG_SQL);
  });

  it('saves a new SQL that fits, typed in place of the old one', async () => {
    const view = await openEdit();
    const values = {
      ...modalState(view),
      [SQL_BLOCK]: { param_input: { type: 'plain_text_input', value: 'select 42' } },
    };
    const sent = await h.send.submit(view, ADMIN, values);
    expect(sent.json).toBeUndefined();
    await h.settle();
    expect((await getTask(h.db.db, taskId))!.params.sql).toBe('select 42');
  });
});

describe('the fake Web API, as Slack', () => {
  it('refuses with invalid_arguments a view whose initial_value is longer than max_length or 3,000', async () => {
    const web = new WebClient('xoxb-test-token', {
      slackApiUrl: h.fake.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    const modal = (element: Record<string, unknown>) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Edit' },
      submit: { type: 'plain_text' as const, text: 'Save' },
      blocks: [
        {
          type: 'input' as const,
          block_id: 'sql',
          label: { type: 'plain_text' as const, text: 'SQL' },
          element: { type: 'plain_text_input', action_id: 'sql', multiline: true, ...element },
        },
      ],
    });
    const rejectedBefore = h.fake.rejected.length;
    for (const element of [
      { initial_value: 'x'.repeat(3001) },
      { initial_value: 'x'.repeat(11), max_length: 10 },
    ]) {
      await expect(
        web.views.open({ trigger_id: h.fake.newTriggerId(), view: modal(element) as never }),
      ).rejects.toMatchObject({ data: { ok: false, error: 'invalid_arguments' } });
    }
    expect(h.fake.rejected.slice(rejectedBefore).map((entry) => entry.problems[0])).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/element/initial_value]',
      '[ERROR] must be less than 11 characters [json-pointer:/view/blocks/0/element/initial_value]',
    ]);
    h.fake.rejected.splice(rejectedBefore);
    await expect(
      web.views.open({
        trigger_id: h.fake.newTriggerId(),
        view: modal({ initial_value: 'x'.repeat(3000) }) as never,
      }),
    ).resolves.toMatchObject({ ok: true });
  });
});
