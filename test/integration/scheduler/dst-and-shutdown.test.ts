import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, createSystemClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler, executionsOf } from '../../support/scheduler.js';
import { waitUntil } from '../../support/wait-until.js';

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

  it('claims and starts nothing once stop begins, even in the tick that was under way', async () => {
    const clock = createSystemClock();
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, { shutdownGraceSeconds: 10 });
    const now = clock.now();
    const actor = { actor: { id: 'U1' }, now };
    const long = await createTask(
      database.db,
      makeDraft({ name: 'long', cron: '* * * * *', params: { behaviour: 'hang' } }, now),
      actor,
    );
    const other = await createTask(
      database.db,
      makeDraft({ name: 'run now', cron: '0 3 * * *' }, now),
      actor,
    );
    // Due now: the tick's plan phase starts it. A manual run of the other task waits for its claim phase.
    await database.pool.query('update scheduled_tasks set next_run_at = $2 where id = $1', [
      long.id,
      new Date(now.getTime() - 1000),
    ]);
    await database.pool.query(`select execute_task_now($1, 'U1')`, [other.id]);
    // SIGTERM arriving while the tick awaits the database: stop begins as the plan phase starts `long`.
    let stopping: Promise<void> | undefined;
    scheduler.events.on('execution.started', (started) => {
      if (started.taskId === long.id) stopping ??= scheduler.stop();
    });
    const report = await scheduler.tick(clock.now());
    expect(stopping).toBeDefined();
    expect(report).toMatchObject({ started: 1, claimed: 0 });
    expect(scripted.calls.map((call) => call.task.name)).toEqual(['long']);
    // The running one finishes within the grace period, and stop returns once it has.
    scripted.releaseAll();
    await stopping;
    expect((await executionsOf(database, long.id)).map((row) => row.status)).toEqual(['success']);
    const [manual] = await executionsOf(database, other.id);
    expect(manual).toMatchObject({ status: 'queued', worker_id: null, started_at: null });
    expect(scripted.calls).toHaveLength(1);
  });

  it('waits for the running execution within the grace period, claiming nothing due meanwhile', async () => {
    const clock = createSystemClock();
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, {
      shutdownGraceSeconds: 20,
      pollIntervalMs: 50,
    });
    const now = clock.now();
    const actor = { actor: { id: 'U1' }, now };
    const long = await createTask(
      database.db,
      makeDraft({ name: 'long', cron: '0 3 * * *', params: { behaviour: 'hang' } }, now),
      actor,
    );
    const everySecond = await createTask(
      database.db,
      makeDraft({ name: 'every second', cron: '* * * * * *' }, now),
      actor,
    );
    const started = scheduler.events.waitFor('execution.started', (event) => event.taskId === long.id);
    scheduler.start();
    await database.pool.query(`select execute_task_now($1, 'U1')`, [long.id]);
    scheduler.wake();
    await started;
    const succeeded = async () =>
      (await executionsOf(database, everySecond.id)).filter((row) => row.status === 'success').length;
    await waitUntil(async () => (await succeeded()) >= 2, 15_000, 'the every-second task ran twice');

    const stopBeganMs = clock.nowMs();
    let returned = false;
    const stopping = scheduler.stop().then(() => {
      returned = true;
    });
    // Two of its instants pass while stop waits for `long`.
    await waitUntil(async () => clock.nowMs() > stopBeganMs + 2500, 10_000, '2.5 s passed');
    expect(returned).toBe(false);
    expect(scheduler.runningCount()).toBe(1);
    const claimedSince = async () =>
      (await executionsOf(database, everySecond.id)).filter(
        (row) => (row.created_at as Date).getTime() > stopBeganMs,
      );
    expect(await claimedSince()).toEqual([]);
    scripted.releaseAll();
    await stopping;
    expect(clock.nowMs() - stopBeganMs).toBeLessThan(20_000);
    expect((await executionsOf(database, long.id)).map((row) => row.status)).toEqual(['success']);
    expect(await claimedSince()).toEqual([]);
    const rows = await executionsOf(database, everySecond.id);
    expect(rows.every((row) => row.status === 'success' || row.status === 'skipped')).toBe(true);
  });
});
