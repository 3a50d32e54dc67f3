import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 as T } from '../../support/fixtures.js';
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

describe('execution lifecycle', () => {
  it('runs a due occurrence once and records a complete terminal row', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft({ cron: '*/5 * * * *', params: { behaviour: 'succeed' } }, T),
      {
        actor,
        now: T,
      },
    );
    expect(task.nextRunAt?.toISOString()).toBe('2026-11-28T10:05:00.000Z');

    expect((await scheduler.tick(new Date('2026-11-28T10:04:59.999Z'))).started).toBe(0);
    clock.set('2026-11-28T10:05:00.010Z');
    const report = await scheduler.tick(clock.now());
    expect(report.started).toBe(1);
    await scheduler.idle();

    const [execution] = await executionsOf(database, task.id);
    expect(execution).toMatchObject({
      status: 'success',
      trigger: 'schedule',
      attempt: 1,
      worker_id: 'worker-a',
      error: null,
      lease_until: null,
    });
    expect((execution!.scheduled_for as Date).toISOString()).toBe('2026-11-28T10:05:00.000Z');
    expect((execution!.started_at as Date).toISOString()).toBe('2026-11-28T10:05:00.010Z');
    expect(execution!.finished_at).toBeInstanceOf(Date);
    expect(execution!.duration_ms).toBe(0);
    expect(execution!.result).toEqual({ summary: 'done', behaviour: 'succeed' });
    expect(execution!.logs).toContain('behaviour succeed');
    const stored = await database.pool.query('select * from scheduled_tasks where id = $1', [task.id]);
    expect(stored.rows[0]).toMatchObject({ is_running: false, last_status: 'success' });
    expect(stored.rows[0].next_run_at.toISOString()).toBe('2026-11-28T10:10:00.000Z');
    // Ticking again at the same instant finds nothing to do.
    expect((await scheduler.tick(clock.now())).started).toBe(0);
    expect(scripted.calls).toHaveLength(1);
  });

  it('keeps is_running true while running and false after', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(database.db, makeDraft({ params: { behaviour: 'hang' } }, T), {
      actor,
      now: T,
    });
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    const during = await database.pool.query('select is_running from scheduled_tasks where id = $1', [
      task.id,
    ]);
    expect(during.rows[0].is_running).toBe(true);
    const runningRows = await database.pool.query(
      `SELECT * FROM task_executions WHERE task_id = '${task.id}' AND status = 'running'`,
    );
    expect(runningRows.rows).toHaveLength(1);
    scripted.releaseAll();
    await scheduler.idle();
    const after = await database.pool.query('select is_running from scheduled_tasks where id = $1', [
      task.id,
    ]);
    expect(after.rows[0].is_running).toBe(false);
  });

  it('runs a run queued with execute_task_now and records the trigger', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(database.db, makeDraft({ cron: '0 3 * * *' }, T), { actor, now: T });
    // Its own schedule kept out of the way: the tick below is at the database's real time, and the
    // suite may run just after the task's 03:00 Paris occurrence (measured: a run at 02:00:03 UTC).
    await database.pool.query(
      `update scheduled_tasks set next_run_at = now() + interval '1 day' where id = $1`,
      [task.id],
    );
    const queued = await database.pool.query(`select execute_task_now($1, null) as id`, [task.id]);
    // execute_task_now stamps run_after with the database's now(): tick at that instant.
    const runAfter = await database.pool.query('select run_after from task_executions where id = $1', [
      queued.rows[0].id,
    ]);
    // (+1 ms: the database keeps microseconds, a JS Date only milliseconds.)
    await scheduler.tick(new Date(runAfter.rows[0].run_after.getTime() + 1));
    await scheduler.idle();
    const [execution] = await executionsOf(database, task.id);
    expect(execution).toMatchObject({ status: 'success', trigger: 'sql', scheduled_for: null });
  });

  it('records slots of a task awaiting approval as not approved, and never runs it', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(database.db, makeDraft({ type: 'custom', cron: '*/5 * * * *' }, T), {
      actor,
      now: T,
      approvalState: 'pending',
    });
    clock.set('2026-11-28T10:05:00Z');
    await scheduler.tick(clock.now());
    clock.set('2026-11-28T10:10:00Z');
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => [row.status, row.reason, (row.scheduled_for as Date).toISOString()])).toEqual([
      ['skipped', 'not_approved', '2026-11-28T10:05:00.000Z'],
      ['skipped', 'not_approved', '2026-11-28T10:10:00.000Z'],
    ]);
    expect(scripted.calls).toHaveLength(0);
  });

  it('bounds the stored log with a truncation marker', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const chatty = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, {
      ...scripted,
      executor: async (context) => {
        for (let i = 0; i < 5000; i++) context.log.info(`line ${i} ${'x'.repeat(40)}`);
        return chatty.executor(context);
      },
    });
    const task = await createTask(database.db, makeDraft({}, T), { actor, now: T });
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const [execution] = await executionsOf(database, task.id);
    const logs = execution!.logs as string;
    expect(Buffer.byteLength(logs)).toBeLessThanOrEqual(64 * 1024);
    expect(logs).toMatch(/\[… log truncated: \d+ line\(s\), \d+ bytes left out …\]/);
    expect(logs).toContain('line 0 ');
    expect(logs).toContain('finished: done');
  });
});
