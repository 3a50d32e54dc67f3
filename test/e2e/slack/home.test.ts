import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueManualRun } from '../../../src/store/executions.js';
import { createTask } from '../../../src/store/tasks.js';
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
let failedId: string;

beforeAll(async () => {
  h = await startSlackHarness();
  // 500 tasks: every surface must stay within Slack's limits (the fake rejects anything over).
  const drafts = Array.from({ length: 500 }, (_, i) =>
    makeDraft(
      {
        name: `task ${String(i).padStart(3, '0')} ${'x'.repeat(i % 7 === 0 ? 70 : 5)}`,
        cron: `${i % 60} * * * *`,
      },
      new Date(),
    ),
  );
  const tasks = [];
  for (let i = 0; i < drafts.length; i += 10) {
    const chunk = drafts.slice(i, i + 10);
    tasks.push(
      ...(await Promise.all(
        chunk.map((draft) => createTask(h.db.db, draft, { actor: { id: ADMIN }, now: T0 })),
      )),
    );
  }
  failedId = await queueManualRun(h.db.db, tasks[3]!.id, OPERATOR);
  await h.db.pool.query(
    `update task_executions set status = 'failed', started_at = now(), finished_at = now(), duration_ms = 20, error = 'disk full' where id = $1`,
    [failedId],
  );
}, 60_000);

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

describe('App Home with 500 tasks', () => {
  it('publishes the dashboard on app_home_opened within 100 blocks', async () => {
    const sent = await h.send.event({
      type: 'app_home_opened',
      user: VIEWER,
      channel: 'D0VIEWER',
      tab: 'home',
    });
    expect(sent.status).toBe(200);
    await h.settle();
    const home = h.fake.homes.get(VIEWER)!;
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    const text = allText(home.blocks);
    expect(text).toContain('Active tasks*\n500');
    expect(text).toContain('Failures (24 h)*\n1');
    expect(text).toContain('Tasks (500)');
    expect(text).toContain('Page 1 of 17');
    expect(text).toMatch(/:large_(green|yellow)_circle: \*task 000/);
    expect(text).toContain('(Europe/Paris)');
    expect(text).toContain('disk full');
    expect(findButton(home.blocks, 'execution_retry', failedId)).toBeDefined();
    expect(findButton(home.blocks, 'execution_view', failedId)).toBeDefined();
  });

  it('pages through the tasks', async () => {
    const home = h.fake.homes.get(VIEWER)!;
    const next = findButton(home.blocks, 'home_page_next')!;
    await h.send.click({
      userId: VIEWER,
      actionId: 'home_page_next',
      value: String(next.element.value),
      container: { type: 'home', view: home },
    });
    await h.settle();
    const page2 = h.fake.homes.get(VIEWER)!;
    expect(allText(page2.blocks)).toContain('Page 2 of 17');
    expect(allText(page2.blocks)).toContain('task 030');
  });

  it('falls back to the first page when the page asked for no longer exists', async () => {
    const home = h.fake.homes.get(VIEWER)!;
    // A Next button rendered before tasks were deleted: its offset is now past the last task.
    await h.send.click({
      userId: VIEWER,
      actionId: 'home_page_next',
      value: '510',
      container: { type: 'home', view: home },
    });
    await h.settle();
    const text = allText(h.fake.homes.get(VIEWER)!.blocks);
    expect(text).toContain('Page 1 of 17');
    expect(text).toContain('task 000');
  });

  it('republishes open homes after a change', async () => {
    const before = h.fake.callsTo('views.publish').length;
    const sent = await h.send.command('pause task 001 xxxxx', OPERATOR);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toContain('paused');
    expect(h.fake.callsTo('views.publish').length).toBeGreaterThan(before);
  });

  it('republishes, from another replica, the homes opened through this one', async () => {
    const other = await startSlackHarness({ replicaOf: h });
    try {
      const publishesTo = (userId: string) =>
        h.fake.callsTo('views.publish').filter((call) => call.args.user_id === userId).length;
      await h.send.event({ type: 'app_home_opened', user: VIEWER, channel: 'D0VIEWER', tab: 'home' });
      await h.settle();
      const before = publishesTo(VIEWER);
      const sent = await other.send.command('pause task 002 xxxxx', OPERATOR);
      await other.settle();
      expect(other.textOf(sent.responseUrl)).toContain('paused');
      expect(publishesTo(VIEWER)).toBeGreaterThan(before);
      // As it was, for the tests below.
      await other.send.command('resume task 002 xxxxx', OPERATOR);
      await other.settle();
    } finally {
      await other.close();
    }
  });

  it('keeps /tasks list within 50 blocks and pages it', async () => {
    const sent = await h.send.command('list', VIEWER);
    await h.settle();
    const blocks = h.responsesTo(sent.responseUrl).at(-1)?.blocks as unknown[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const next = findButton(blocks, 'list_page_next')!;
    const click = await h.send.click({
      userId: VIEWER,
      actionId: 'list_page_next',
      value: String(next.element.value),
      container: { type: 'message', channelId: 'C0GENERAL' },
    });
    await h.settle();
    const page = h.responsesTo(click.responseUrl).at(-1)!;
    expect(page.replace_original).toBe(true);
    expect(allText(page.blocks)).toContain('Page 2 of 34');
  });

  it('shows stats, templates and the audit log', async () => {
    const stats = await h.send.command('stats', VIEWER);
    const templates = await h.send.command('templates', VIEWER);
    const audit = await h.send.command('audit task 001 xxxxx', VIEWER);
    await h.settle();
    expect(h.textOf(stats.responseUrl)).toContain('Active tasks*\n499');
    expect(h.textOf(templates.responseUrl)).toContain('backup_database');
    const auditText = h.textOf(audit.responseUrl);
    expect(auditText).toContain('`task.paused`');
    expect(auditText).toContain('`task.created`');
    expect(auditText).toContain(`<@${OPERATOR}>`);
  });

  it('opens the create modal with the stagger analysis of 500 tasks in well under Slack’s 3 s', async () => {
    const started = performance.now();
    await h.send.command('new cleanup_old_logs', ADMIN);
    await h.settle();
    expect(performance.now() - started).toBeLessThan(1500);
    expect(allText(h.fake.lastView()?.blocks)).toContain('other tasks also start at');
  });
});
