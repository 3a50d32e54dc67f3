import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExecutionHistory } from '../../../src/store/executions.js';
import { createTask, getTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';

let h: SlackHarness;
let backupId: string;

beforeAll(async () => {
  h = await startSlackHarness();
  const task = await createTask(
    h.db.db,
    makeDraft({ name: 'nightly backup', type: 'backup', params: { keep: 7 }, cron: '0 2 * * *' }),
    {
      actor: { id: ADMIN },
      now: T0,
    },
  );
  backupId = task.id;
  await createTask(h.db.db, makeDraft({ name: 'logs cleanup' }), { actor: { id: ADMIN }, now: T0 });
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

describe('/tasks commands', () => {
  it('acks with 200 at once and answers help ephemerally for an empty command', async () => {
    const sent = await h.send.command('', VIEWER);
    expect(sent.status).toBe(200);
    await h.settle();
    const [reply] = h.responsesTo(sent.responseUrl);
    expect(reply?.response_type).toBe('ephemeral');
    expect(h.textOf(sent.responseUrl)).toContain('/tasks run <task>');
  });

  it('answers an unknown subcommand with the help', async () => {
    const sent = await h.send.command('frobnicate now', VIEWER);
    await h.settle();
    const text = h.textOf(sent.responseUrl);
    expect(text).toContain("I don't know `frobnicate`");
    expect(text).toContain('/tasks list');
  });

  it('lists the tasks with their status', async () => {
    const sent = await h.send.command('list', VIEWER);
    await h.settle();
    const text = h.textOf(sent.responseUrl);
    expect(text).toContain('Tasks (2)');
    expect(text).toContain('*nightly backup*');
    expect(text).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
  });

  it('suggests near names when a task is not found', async () => {
    const sent = await h.send.command('run nightly bakcup', OPERATOR);
    await h.settle();
    expect(h.textOf(sent.responseUrl)).toContain('Did you mean *nightly backup*?');
    expect((await listExecutionHistory(h.db.db, backupId)).rows).toEqual([]);
  });

  it('runs a task by name: one queued manual execution, announced in the channel, scheduler woken', async () => {
    const wakesBefore = h.wakes.count;
    const sent = await h.send.command('run Nightly Backup', OPERATOR);
    await h.settle();
    const [reply] = h.responsesTo(sent.responseUrl);
    expect(reply?.response_type).toBe('in_channel');
    expect(String(reply?.text)).toContain(`<@${OPERATOR}> started *nightly backup*`);
    const rows = (await listExecutionHistory(h.db.db, backupId)).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'queued', trigger: 'manual', triggeredBy: OPERATOR });
    expect(h.wakes.count).toBe(wakesBefore + 1);
  });

  it('does not queue a second run for a repeated request (double click) nor for a Slack retry', async () => {
    const again = await h.send.command(`run ${backupId}`, OPERATOR);
    // Slack re-sends the same request when the first answer took too long (http_timeout).
    const retried = await h.send.retry(again, 1, 'http_timeout');
    expect(retried.status).toBe(200);
    await h.settle();
    expect(h.textOf(again.responseUrl)).toContain('already queued');
    expect(h.responsesTo(again.responseUrl)).toHaveLength(1);
    expect((await listExecutionHistory(h.db.db, backupId)).rows).toHaveLength(1);
  });

  it('answers a 100 kB task reference at once, without trying every prefix or a quadratic match', async () => {
    const huge = Array.from({ length: 20_000 }, (_, i) => `w${i % 10}xyz`).join(' ');
    expect(huge.length).toBeGreaterThan(100_000);
    for (const command of [`pause ${huge}`, `run ${huge}`]) {
      const sent = await h.send.command(command, OPERATOR);
      await h.settle();
      expect(h.textOf(sent.responseUrl)).toMatch(/No task/);
    }
  });

  it('pauses with a multi-word name and a reason, then resumes', async () => {
    const paused = await h.send.command('pause nightly backup disk is full', OPERATOR);
    await h.settle();
    expect(h.textOf(paused.responseUrl)).toContain('paused *nightly backup* — disk is full');
    expect(await getTask(h.db.db, backupId)).toMatchObject({ enabled: false, pausedReason: 'disk is full' });
    const resumed = await h.send.command('resume "nightly backup"', OPERATOR);
    await h.settle();
    expect(h.textOf(resumed.responseUrl)).toContain('resumed *nightly backup*');
    const task = await getTask(h.db.db, backupId);
    expect(task?.enabled).toBe(true);
    expect(task?.nextRunAt?.getTime()).toBeGreaterThan(Date.now());
  });
});
