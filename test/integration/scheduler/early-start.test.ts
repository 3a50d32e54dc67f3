import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { cancelExecution } from '../../../src/store/execution-commands.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 as T } from '../../support/fixtures.js';
import {
  createScriptedExecutor,
  createTestScheduler,
  executionsOf,
  startHangingTask,
} from '../../support/scheduler.js';
import { waitUntil } from '../../support/wait-until.js';

// Early starts (SchedulerOptions.startLeadMs): a queued execution is recorded running shortly before
// its instant, and its executor is invoked at the instant. (An idle task's slot is recorded running by
// the claim itself, with the same invocation at the instant: start-at-claim.test.ts.) These tests use a fake clock for the database
// side and the real timer that waits for the instant (a few hundred ms).

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await database.pool.query('delete from scheduled_tasks; delete from notification_outbox');
});

const EARLY = { lookaheadMs: 2000, startLeadMs: 500 };

async function statusOf(id: string): Promise<string> {
  const result = await database.pool.query('select status from task_executions where id = $1', [id]);
  return result.rows[0].status;
}

describe('early start', () => {
  it('defers the early start of a busy task and decides at the instant: runs if the other run ended', async () => {
    const { clock, scripted, scheduler, task, second } = await startHangingTask(database, T, EARLY);

    // 400 ms before the next instant the first run still hangs: the next one is not started early.
    clock.set(second.getTime() - 400);
    const report = await scheduler.tick(clock.now());
    expect(report.started).toBe(0);
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => row.status)).toEqual(['running', 'queued']);

    // It ends before the instant: decided at the instant, the next run starts (deciding early would
    // have skipped it).
    scripted.releaseAll();
    await waitUntil(
      async () => (await statusOf(rows[0]!.id as string)) === 'success',
      3000,
      'the first run settles',
    );
    clock.set(second);
    expect((await scheduler.tick(clock.now())).started).toBe(1);
    expect(await statusOf(rows[1]!.id as string)).toBe('running');
    scripted.releaseAll();
    await waitUntil(
      async () => (await statusOf(rows[1]!.id as string)) === 'success',
      3000,
      'the second run settles',
    );
    await scheduler.stop();
  });

  it('tries a deferred early start again before the instant: started early once the other run ended', async () => {
    const { clock, scripted, scheduler, task, second } = await startHangingTask(database, T, EARLY);
    clock.set(second.getTime() - 400);
    expect((await scheduler.tick(clock.now())).started).toBe(0);
    const rows = await executionsOf(database, task.id);
    scripted.releaseAll();
    await waitUntil(
      async () => (await statusOf(rows[0]!.id as string)) === 'success',
      3000,
      'the first run settles',
    );

    // 100 ms later, still before the instant, the retry finds the task idle: recorded early, with the
    // instant as its start, and the executor not called before the instant.
    clock.set(second.getTime() - 250);
    expect((await scheduler.tick(clock.now())).started).toBe(1);
    const [, next] = await executionsOf(database, task.id);
    expect(next!.status).toBe('running');
    expect((next!.started_at as Date).toISOString()).toBe(second.toISOString());
    expect(scripted.calls).toHaveLength(1);
    clock.set(second);
    await waitUntil(async () => scripted.calls.length === 2, 3000, 'the executor is invoked at the instant');
    scripted.releaseAll();
    await scheduler.stop();
  });

  it('defers the early start of a busy task and decides at the instant: skipped if still running', async () => {
    const { clock, scripted, scheduler, task, second } = await startHangingTask(database, T, EARLY);
    clock.set(second.getTime() - 400);
    await scheduler.tick(clock.now());
    clock.set(second);
    await scheduler.tick(clock.now());
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => [row.status, row.reason])).toEqual([
      ['running', null],
      ['skipped', 'overlap_skipped'],
    ]);
    expect(scripted.calls).toHaveLength(1);
    scripted.releaseAll();
    await scheduler.stop();
  });

  it('never invokes the executor of an early start cancelled before its instant', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, EARLY);
    const task = await createTask(database.db, makeDraft({ cron: '*/5 * * * *' }, T), { actor, now: T });
    clock.set(task.nextRunAt!.getTime() - 400);
    await scheduler.tick(clock.now());
    const [early] = await executionsOf(database, task.id);
    expect(early!.status).toBe('running');

    await cancelExecution(database.pool, {
      executionId: early!.id as string,
      actorId: 'U9',
      now: clock.now(),
    });
    expect(await scheduler.cancelLocal(early!.id as string)).toBe(true);
    await scheduler.idle();
    expect(await statusOf(early!.id as string)).toBe('cancelled');
    // Past the instant, the executor still has not been called.
    clock.set(task.nextRunAt!.getTime() + 1000);
    // The instant's timer fired as the clock passed it (the fake clock's timers), and found it cancelled.
    expect(clock.pendingTimers()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(scripted.calls).toHaveLength(0);
  });
});
