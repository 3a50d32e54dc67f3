import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, createSystemClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler, executionsOf } from '../../support/scheduler.js';

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

describe('DST through the engine (Europe/Paris)', () => {
  it.each([
    {
      change: 'spring forward 2027-03-28',
      from: '2027-03-26T12:00:00Z',
      until: '2027-03-30T12:00:00Z',
      // 02:30 does not exist on the 28th: it runs once at 03:00 CEST (01:00Z).
      expected: [
        '2027-03-27T01:30:00.000Z',
        '2027-03-28T01:00:00.000Z',
        '2027-03-29T00:30:00.000Z',
        '2027-03-30T00:30:00.000Z',
      ],
    },
    {
      change: 'fall back 2026-10-25',
      from: '2026-10-23T12:00:00Z',
      until: '2026-10-27T12:00:00Z',
      // 02:30 happens twice on the 25th: it runs once, at the first (00:30Z).
      expected: [
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
        '2026-10-27T01:30:00.000Z',
      ],
    },
  ])(
    'a daily 02:30 task runs exactly once each day across the $change',
    async ({ from, until, expected }) => {
      const start = new Date(from);
      const clock = createFakeClock(start);
      const scripted = createScriptedExecutor();
      const scheduler = createTestScheduler(database, clock, scripted);
      const task = await createTask(
        database.db,
        makeDraft({ name: `dst ${from}`, cron: '30 2 * * *' }, start),
        {
          actor: { id: 'U1' },
          now: start,
        },
      );
      // Tick every 10 minutes of the injected clock, and also exactly at each stored next run.
      for (let at = start.getTime(); at <= new Date(until).getTime(); at += 10 * 60_000) {
        clock.set(at);
        await scheduler.tick(clock.now());
        const next = await database.pool.query('select next_run_at from scheduled_tasks where id = $1', [
          task.id,
        ]);
        const nextAt = (next.rows[0].next_run_at as Date).getTime();
        if (nextAt > at && nextAt < at + 10 * 60_000) {
          clock.set(nextAt);
          await scheduler.tick(clock.now());
        }
      }
      await scheduler.idle();
      const rows = await executionsOf(database, task.id);
      expect(rows.map((row) => (row.scheduled_for as Date).toISOString())).toEqual(expected);
      expect(rows.every((row) => row.status === 'success')).toBe(true);
      // Started at the exact instant each time (lateness 0 with the injected clock).
      expect(rows.map((row) => (row.started_at as Date).toISOString())).toEqual(expected);
    },
  );
});

describe('graceful shutdown', () => {
  it('stops claiming, lets short runs finish, aborts long ones after the grace period and retries them', async () => {
    const clock = createSystemClock();
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, {
      shutdownGraceSeconds: 0.3 as unknown as number,
      pollIntervalMs: 50,
      lookaheadMs: 100,
    });
    const now = new Date(clock.nowMs());
    const task = await createTask(
      database.db,
      makeDraft({ name: 'long', cron: '0 3 * * *', params: { behaviour: 'hang' } }, now),
      {
        actor: { id: 'U1' },
        now,
      },
    );
    const started = scheduler.events.waitFor('execution.started');
    scheduler.start();
    await database.pool.query(`select execute_task_now($1, 'U1')`, [task.id]);
    scheduler.wake();
    await started;
    await scheduler.stop();
    const rows = await executionsOf(database, task.id);
    expect(rows[0]).toMatchObject({ status: 'failed', trigger: 'manual' });
    expect(rows[0]!.error).toMatch(/shutting down/);
    // The retry policy applies: another replica will pick it up.
    expect(rows[1]).toMatchObject({ status: 'queued', attempt: 2, worker_id: null });
    const flags = await database.pool.query('select is_running from scheduled_tasks where id = $1', [
      task.id,
    ]);
    expect(flags.rows[0].is_running).toBe(false);
    // After stop, nothing is claimed any more.
    await database.pool.query(`select execute_task_now($1, 'U1')`, [task.id]);
    expect(scheduler.runningCount()).toBe(0);
  });
});
