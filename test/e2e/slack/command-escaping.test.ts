import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSlackEscapes, parseTasksCommand } from '../../../src/slack/parse-command.js';
import { listExecutionHistory } from '../../../src/store/executions.js';
import { createTask, getTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import { ADMIN, OPERATOR, type SlackHarness, startSlackHarness } from '../../support/slack-harness.js';

// Slack sends a command's text with `&`, `<` and `>` as HTML entities (docs/SLACK.md, "Command text");
// the harness escapes what the test "types" as Slack does, so names with those characters must be
// decoded before they are looked up.
let h: SlackHarness;
let rdId: string;
let angleId: string;

beforeAll(async () => {
  h = await startSlackHarness();
  rdId = (await createTask(h.db.db, makeDraft({ name: 'R&D backup' }), { actor: { id: ADMIN }, now: T0 })).id;
  angleId = (
    await createTask(h.db.db, makeDraft({ name: 'rows <1000 > none' }), { actor: { id: ADMIN }, now: T0 })
  ).id;
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

describe('slash-command text as Slack escapes it', () => {
  it('finds a task named with & (`/tasks run R&D backup`) and runs it once', async () => {
    const sent = await h.send.command('run R&D backup', OPERATOR);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toContain(`<@${OPERATOR}> started *R&amp;D backup*`);
    const rows = (await listExecutionHistory(h.db.db, rdId)).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'queued', trigger: 'manual', triggeredBy: OPERATOR });
  });

  it('finds a task named with < and >, and keeps them in a pause reason', async () => {
    const sent = await h.send.command('pause "rows <1000 > none" disk < 10% & rising', OPERATOR);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toContain('paused *rows &lt;1000 &gt; none*');
    expect(await getTask(h.db.db, angleId)).toMatchObject({
      enabled: false,
      pausedReason: 'disk < 10% & rising',
    });
  });
});

describe('decodeSlackEscapes', () => {
  it('decodes the three entities once, leaving Slack link syntax and other entities alone', () => {
    expect(decodeSlackEscapes('R&amp;D &lt;b&gt;')).toBe('R&D <b>');
    // A person who typed "&lt;" literally: Slack sends "&amp;lt;", which is "&lt;" again, not "<".
    expect(decodeSlackEscapes('&amp;lt;')).toBe('&lt;');
    expect(decodeSlackEscapes('ping <@U0ADMIN> in <#C0GENERAL|general>')).toBe(
      'ping <@U0ADMIN> in <#C0GENERAL|general>',
    );
    expect(decodeSlackEscapes('&quot; &#39; &nbsp;')).toBe('&quot; &#39; &nbsp;');
  });

  it('parses names and arguments after decoding', () => {
    expect(parseTasksCommand('pause &quot;x&quot; a &amp; b')).toMatchObject({
      args: ['&quot;x&quot;', 'a', '&', 'b'],
    });
    expect(parseTasksCommand('run R&amp;D backup')).toMatchObject({ name: 'run', rest: 'R&D backup' });
  });
});
