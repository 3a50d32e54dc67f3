import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler } from '../../support/scheduler.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('what a replica keeps per task', () => {
  it('forgets each execution’s alert settings once it is settled, whatever the number of tasks', async () => {
    const clock = createFakeClock(T0);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const TASKS = 40;
    for (let i = 0; i < TASKS; i++) {
      await createTask(
        database.db,
        makeDraft({
          name: `task ${i}`,
          cron: '*/5 * * * *',
          alertChannel: 'C0ALERTS',
          params: { behaviour: 'succeed' },
        }),
        { actor, now: T0 },
      );
    }
    clock.set('2026-11-28T10:05:00.010Z');
    expect((await scheduler.tick(clock.now())).started).toBe(TASKS);
    expect(scheduler.cacheSizes().startContexts).toBe(TASKS);
    await scheduler.idle();
    const settled = await database.pool.query(
      `select count(*)::int as n from task_executions where status = 'success'`,
    );
    expect(settled.rows[0].n).toBe(TASKS);
    expect(scheduler.cacheSizes()).toEqual({ schedules: 1, startContexts: 0 });
    await scheduler.stop();
  });
});
