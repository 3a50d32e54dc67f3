import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';

/**
 * Acknowledgements never wait for other requests' answers (src/slack/after-ack.ts): with one after-ack
 * slot held by a Run now stuck on the database, further commands and clicks are still acknowledged at
 * once, and answered in arrival order when the slot frees.
 */
let h: SlackHarness;
let taskId: string;

beforeAll(async () => {
  h = await startSlackHarness({ afterAckConcurrency: 1 });
  const task = await createTask(h.db.db, makeDraft({ name: 'stuck task' }), {
    actor: { id: ADMIN },
    now: T0,
  });
  taskId = task.id;
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

describe('ack first, answer in turn', () => {
  it('acknowledges while the after-ack work is busy, then answers everything in order', async () => {
    // Hold the lock Run now takes (store/slack-queries.ts), so the first request's work cannot finish.
    const blocker = await h.db.pool.connect();
    const sent = [];
    try {
      await blocker.query('begin');
      await blocker.query('select pg_advisory_xact_lock(hashtext($1))', [`run_now:${taskId}`]);
      sent.push(await h.send.command('run stuck task', OPERATOR));
      sent.push(await h.send.command('help', VIEWER));
      sent.push(await h.send.command('list', VIEWER));
      sent.push(
        await h.send.click({
          userId: VIEWER,
          actionId: 'task_pause_resume',
          value: taskId,
          container: { type: 'message', channelId: 'C0GENERAL' },
        }),
      );
      for (const request of sent) expect(request.status).toBe(200);
      // All acknowledged, none answered: the only slot is still taken by the first.
      expect(h.fake.responses).toEqual([]);
      await blocker.query('commit');
    } finally {
      blocker.release();
    }
    await h.settle();
    const answered = h.fake.responses.map((response) => `${h.fake.url}response/${response.id}`);
    expect(answered).toEqual(sent.map((request) => request.responseUrl));
    expect(h.textOf(sent[0]!.responseUrl)).toContain('stuck task');
  });
});
