import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 as T } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler, executionsOf } from '../../support/scheduler.js';

// Plan-ahead (SchedulerOptions.planAheadMs): a task is claimed when its next occurrence is within the
// look-ahead, and its occurrences are planned up to look-ahead + plan-ahead, so a task firing every
// second is claimed once for two occurrences.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await database.pool.query('delete from scheduled_tasks');
});

const AHEAD = { lookaheadMs: 1500, planAheadMs: 1000 };

async function nextRunAt(taskId: string): Promise<Date> {
  const result = await database.pool.query('select next_run_at from scheduled_tasks where id = $1', [taskId]);
  return result.rows[0].next_run_at;
}

describe('plan-ahead', () => {
  it('claims an every-second task once for the occurrences of the next 2.5 s', async () => {
    const clock = createFakeClock(T);
    const scheduler = createTestScheduler(database, clock, createScriptedExecutor(), AHEAD);
    const task = await createTask(database.db, makeDraft({ cron: '* * * * * *' }, T), { actor, now: T });
    const first = task.nextRunAt!;

    clock.set(first.getTime() - 1500);
    await scheduler.tick(clock.now());
    const claimed = await executionsOf(database, task.id);
    // The first slot is started at the claim (the task is idle); the second waits for its instant.
    expect(claimed.map((row) => [row.status, (row.scheduled_for as Date).getTime()])).toEqual([
      ['running', first.getTime()],
      ['queued', first.getTime() + 1000],
    ]);
    expect((await nextRunAt(task.id)).getTime()).toBe(first.getTime() + 2000);

    // Half a second later nothing is due within the look-ahead: no claim, no new row.
    clock.set(first.getTime() - 1000);
    await scheduler.tick(clock.now());
    expect(await executionsOf(database, task.id)).toHaveLength(2);
    await scheduler.stop();
  });

  it('leaves a task firing less often than the plan horizon at one occurrence per claim', async () => {
    const clock = createFakeClock(T);
    const scheduler = createTestScheduler(database, clock, createScriptedExecutor(), AHEAD);
    const task = await createTask(database.db, makeDraft({ cron: '*/5 * * * * *' }, T), { actor, now: T });
    const first = task.nextRunAt!;

    clock.set(first.getTime() - 1500);
    await scheduler.tick(clock.now());
    const claimed = await executionsOf(database, task.id);
    expect(claimed.map((row) => (row.scheduled_for as Date).getTime())).toEqual([first.getTime()]);
    expect((await nextRunAt(task.id)).getTime()).toBe(first.getTime() + 5000);
    await scheduler.stop();
  });
});
