import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
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

// Started at the claim (docs/ENGINE.md): the slot of an idle task is inserted running by the claim
// transaction itself, instead of queued and then updated by a start transaction; a task whose run is in
// progress is claimed once it has ended (or, at the latest, within the start lead, queued: that case is
// early-start.test.ts's "defers the early start of a busy task").

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // Records every queued → running update of an execution, so a test can tell a row inserted running
  // from one inserted queued and started afterwards.
  await database.pool.query(`
    create table test_start_updates (id uuid not null);
    create function test_record_start_update() returns trigger language plpgsql as $$
      begin insert into test_start_updates values (new.id); return new; end $$;
    create trigger test_record_start_update after update of status on task_executions for each row
      when (old.status = 'queued' and new.status = 'running') execute function test_record_start_update();`);
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await database.pool.query('delete from scheduled_tasks; delete from notification_outbox');
});

const AT_CLAIM = { lookaheadMs: 2000, startLeadMs: 500 };

/** How many of the task's executions were updated from queued to running (by a start transaction). */
async function startUpdates(taskId: string): Promise<number> {
  const result = await database.pool.query(
    'select count(*)::int as n from test_start_updates u join task_executions e on e.id = u.id where e.task_id = $1',
    [taskId],
  );
  return result.rows[0].n;
}

async function nextRunOf(taskId: string): Promise<Date> {
  const result = await database.pool.query('select next_run_at from scheduled_tasks where id = $1', [taskId]);
  return result.rows[0].next_run_at;
}

async function isRunning(taskId: string): Promise<boolean> {
  const result = await database.pool.query('select is_running from scheduled_tasks where id = $1', [taskId]);
  return result.rows[0].is_running;
}

describe('started at the claim', () => {
  it("inserts an idle task's slot running in the claim's transaction, and invokes it at the instant", async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, AT_CLAIM);
    const task = await createTask(database.db, makeDraft({ cron: '*/5 * * * *' }, T), { actor, now: T });
    const instant = task.nextRunAt!;

    // Anywhere within the look-ahead (here 1.5 s ahead) for an idle task.
    clock.set(instant.getTime() - 1500);
    const report = await scheduler.tick(clock.now());
    expect(report).toMatchObject({ planned: 1, started: 1 });
    const [row] = await executionsOf(database, task.id);
    expect(row).toMatchObject({ status: 'running', trigger: 'schedule', worker_id: 'worker-a' });
    expect((row!.started_at as Date).toISOString()).toBe(instant.toISOString());
    expect((row!.lease_until as Date).getTime()).toBeGreaterThan(instant.getTime());
    // Written once, by the claim: not queued and then updated.
    expect(await startUpdates(task.id)).toBe(0);
    const stored = await database.pool.query(
      'select is_running, last_run_at, next_run_at from scheduled_tasks where id = $1',
      [task.id],
    );
    expect(stored.rows[0].is_running).toBe(true);
    expect(stored.rows[0].last_run_at.toISOString()).toBe(instant.toISOString());
    expect(stored.rows[0].next_run_at.getTime()).toBe(instant.getTime() + 5 * 60_000);
    expect(scripted.calls).toHaveLength(0);

    clock.set(instant);
    await waitUntil(async () => scripted.calls.length === 1, 3000, 'the executor is invoked at the instant');
    await scheduler.idle();
    const [done] = await executionsOf(database, task.id);
    expect(done).toMatchObject({ status: 'success' });
    expect(await isRunning(task.id)).toBe(false);
    await scheduler.stop();
  });

  it('claims a task whose run is in progress only once that run has ended, and then starts its slot', async () => {
    const { clock, scripted, scheduler, task, second } = await startHangingTask(database, T, AT_CLAIM);

    // 1.5 s ahead the first run still hangs: the task is not claimed (its next run is not advanced).
    clock.set(second.getTime() - 1500);
    expect(await scheduler.tick(clock.now())).toMatchObject({ planned: 0, started: 0 });
    expect((await executionsOf(database, task.id)).map((row) => row.status)).toEqual(['running']);
    expect((await nextRunOf(task.id)).getTime()).toBe(second.getTime());

    // The run ends: the next tick claims the task and starts its slot at the claim.
    scripted.releaseAll();
    await waitUntil(async () => !(await isRunning(task.id)), 3000, 'the first run settles');
    clock.set(second.getTime() - 1400);
    expect(await scheduler.tick(clock.now())).toMatchObject({ planned: 1, started: 1 });
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => row.status)).toEqual(['success', 'running']);
    expect((rows[1]!.started_at as Date).toISOString()).toBe(second.toISOString());
    expect(await startUpdates(task.id)).toBe(0);
    clock.set(second);
    await waitUntil(async () => scripted.calls.length === 2, 3000, 'the second run is invoked');
    scripted.releaseAll();
    await scheduler.stop();
  });

  it('starts nothing when the unique occurrence index refuses the slot (another replica has it)', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, AT_CLAIM);
    const task = await createTask(database.db, makeDraft({ cron: '*/5 * * * *' }, T), { actor, now: T });
    const instant = task.nextRunAt!;
    // The row another replica wrote for this occurrence (as if its claim's next_run_at were not seen).
    await database.pool.query(
      `insert into task_executions (task_id, trigger, scheduled_for, status, worker_id, run_after)
       values ($1, 'schedule', $2, 'queued', 'worker-b', $2)`,
      [task.id, instant.toISOString()],
    );

    clock.set(instant.getTime() - 500);
    expect(await scheduler.tick(clock.now())).toMatchObject({ planned: 0, started: 0 });
    const stored = await database.pool.query(
      'select is_running, last_run_at from scheduled_tasks where id = $1',
      [task.id],
    );
    expect(stored.rows[0]).toEqual({ is_running: false, last_run_at: null });
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => [row.status, row.worker_id])).toEqual([['queued', 'worker-b']]);
    clock.set(instant.getTime() + 100);
    // Nothing of this task was started or waits for its instant here (no timer left on the clock).
    await scheduler.idle();
    expect(clock.pendingTimers()).toBe(0);
    expect(scripted.calls).toHaveLength(0);
    await scheduler.stop();
  });

  it('looks again every 50 ms, not in a busy loop, while a task due within the look-ahead still runs', async () => {
    // The real loop on the fake clock, whose timers fire as the test moves it: an every-second task
    // whose runs hang is due within the look-ahead all the time, but cannot be claimed until within the
    // start lead. No real time passes between the loop's ticks.
    const clock = createFakeClock('2026-11-28T10:00:00.000Z');
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, { lookaheadMs: 1500, startLeadMs: 250 });
    await createTask(
      database.db,
      makeDraft({ cron: '* * * * * *', overlapPolicy: 'skip', params: { behaviour: 'hang' } }, clock.now()),
      { actor, now: clock.now() },
    );
    let ticks = 0;
    scheduler.events.on('tick', () => {
      ticks++;
    });
    scheduler.start();
    const sleeps: number[] = [];
    /** Waits for the loop to fall asleep after its next tick, then moves the clock to its wake-up. */
    const step = async () => {
      const before = ticks;
      await waitUntil(
        async () => ticks > before && (scheduler.nextWakeAt()?.getTime() ?? 0) > clock.nowMs(),
        10_000,
        'the loop ticks and sleeps',
      );
      const wakeAt = scheduler.nextWakeAt()!.getTime();
      sleeps.push(wakeAt - clock.nowMs());
      clock.set(wakeAt);
    };
    while (scripted.calls.length === 0) await step();
    // Two seconds of the clock once the first run hangs.
    const endMs = clock.nowMs() + 2000;
    const first = sleeps.length;
    while (clock.nowMs() < endMs) await step();
    const during = sleeps.slice(first);
    // About 40 looks at one per 50 ms (fewer when a claim planned the next seconds ahead); a loop that
    // did not wait would tick as fast as the database answers, and never sleep.
    expect(during.length).toBeGreaterThanOrEqual(10);
    expect(during.length).toBeLessThanOrEqual(80);
    for (const sleep of during) expect(sleep).toBeGreaterThanOrEqual(1);
    expect(Math.min(...during)).toBeLessThanOrEqual(50);
    scripted.releaseAll();
    await scheduler.stop();
  });
});

describe('a retry or manual run waiting for its busy task', () => {
  it('gets the idle moment: the next slot is not started at the claim over it', async () => {
    const { clock, scripted, scheduler, task, second } = await startHangingTask(database, T, AT_CLAIM);
    // Queued while the first run is in progress: it waits for the task to be idle.
    const manual = await database.pool.query<{ id: string }>(`select execute_task_now($1, 'U9') as id`, [
      task.id,
    ]);
    // execute_task_now stamps the database's own time; this test runs on the fake clock.
    await database.pool.query('update task_executions set run_after = $2 where id = $1', [
      manual.rows[0]!.id,
      clock.now(),
    ]);
    await database.pool.query(`update scheduled_tasks set params = '{"behaviour":"succeed"}' where id = $1`, [
      task.id,
    ]);
    scripted.releaseAll();
    await scheduler.idle();
    // Within the look-ahead of the second slot: one tick claims that slot and starts the manual run.
    clock.set(new Date(second.getTime() - 1000));
    await scheduler.tick(clock.now());
    const rows = await executionsOf(database, task.id);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(manual.rows[0]!.id)?.status).toMatch(/^(running|success)$/);
    const slot = rows.find((row) => row.scheduled_for?.getTime() === second.getTime());
    expect(slot?.status).toBe('queued');
    await scheduler.idle();
  });
});
