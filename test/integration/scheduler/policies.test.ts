import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { settleExecutions } from '../../../src/store/execution-settlement.js';
import { createTask, updateTask } from '../../../src/store/tasks.js';
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

const minute = 60_000;

describe('overlap policy', () => {
  async function runTwoOccurrences(policy: 'skip' | 'queue' | 'allow') {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft(
        {
          name: `overlap ${policy}`,
          cron: '* * * * *',
          overlapPolicy: policy,
          params: { behaviour: 'hang' },
        },
        T,
      ),
      { actor, now: T },
    );
    clock.set(T.getTime() + minute);
    await scheduler.tick(clock.now()); // 10:01 starts and hangs
    clock.set(T.getTime() + 2 * minute);
    await scheduler.tick(clock.now()); // 10:02 meets the running 10:01
    const during = await executionsOf(database, task.id);
    scripted.releaseAll();
    await scheduler.idle();
    await scheduler.tick(clock.now()); // a queued run may start now that the first ended
    scripted.releaseAll();
    await scheduler.idle();
    scripted.releaseAll();
    await scheduler.idle();
    // Executors are told the policy (a backup removes leftover partial files according to it), by
    // whichever path started the run: at the claim, or later from the queue.
    expect(scripted.calls.map((call) => call.task.overlapPolicy)).toEqual(scripted.calls.map(() => policy));
    return { during, after: await executionsOf(database, task.id), calls: scripted.calls.length };
  }

  it('skip records the occurrence as skipped and never runs it', async () => {
    const { during, after, calls } = await runTwoOccurrences('skip');
    expect(during.map((row) => [row.status, row.reason])).toEqual([
      ['running', null],
      ['skipped', 'overlap_skipped'],
    ]);
    expect(after.map((row) => row.status)).toEqual(['success', 'skipped']);
    expect(calls).toBe(1);
  });

  it('queue runs it after the running one ends', async () => {
    const { during, after, calls } = await runTwoOccurrences('queue');
    expect(during.map((row) => [row.status, row.worker_id])).toEqual([
      ['running', 'worker-a'],
      ['queued', null],
    ]);
    expect(after.map((row) => row.status)).toEqual(['success', 'success']);
    expect(calls).toBe(2);
  });

  it('allow runs them concurrently', async () => {
    const { during, after, calls } = await runTwoOccurrences('allow');
    expect(during.map((row) => row.status)).toEqual(['running', 'running']);
    expect(after.map((row) => row.status)).toEqual(['success', 'success']);
    expect(calls).toBe(2);
  });
});

describe('is_running after a change of overlap policy', () => {
  it('stays true while a run started under allow is still in flight', async () => {
    const clock = createFakeClock(T);
    const scheduler = createTestScheduler(database, clock, createScriptedExecutor());
    const draft = { name: 'allow then skip', cron: '* * * * *', params: { behaviour: 'hang' } };
    const task = await createTask(database.db, makeDraft({ ...draft, overlapPolicy: 'allow' }, T), {
      actor,
      now: T,
    });
    clock.set(T.getTime() + minute);
    await scheduler.tick(clock.now());
    clock.set(T.getTime() + 2 * minute);
    await scheduler.tick(clock.now()); // two runs in flight, as allow permits
    const [first, second] = await executionsOf(database, task.id);
    expect([first?.status, second?.status]).toEqual(['running', 'running']);

    // Edited to skip while both run; the first then ends.
    const edited = new Date(T.getTime() + 2 * minute + 5000);
    await updateTask(database.db, task.id, makeDraft({ ...draft, overlapPolicy: 'skip' }, edited), {
      actor,
      now: edited,
      expectedVersion: task.version,
    });
    const settle = (id: string, at: number) =>
      settleExecutions(database.pool, {
        outcomes: [
          {
            id,
            status: 'success',
            finishedAt: new Date(at),
            durationMs: 1,
            logs: '',
            error: null,
            errorCode: null,
            result: null,
          },
        ],
        now: new Date(at),
        workerId: 'worker-a',
        retryAt: () => new Date(at),
        alerts: () => [],
      });
    const isRunning = async () =>
      (await database.pool.query('select is_running from scheduled_tasks where id = $1', [task.id])).rows[0]
        .is_running;
    await settle(first!.id, edited.getTime() + 1000);
    expect(await isRunning()).toBe(true);
    await settle(second!.id, edited.getTime() + 2000);
    expect(await isRunning()).toBe(false);
    await scheduler.stop();
  });
});

describe('misfire policy after an outage', () => {
  async function outage(policy: 'run_once' | 'skip' | 'run_all', cron: string, downMs: number) {
    // 'queue' so catch-up runs of one task follow each other instead of overlapping.
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, {
      catchupWindowSeconds: 3600,
      maxCatchupRuns: 3,
    });
    const task = await createTask(
      database.db,
      makeDraft(
        { name: `misfire ${policy} ${cron}`, cron, misfirePolicy: policy, overlapPolicy: 'queue' },
        T,
      ),
      { actor, now: T },
    );
    // No replica runs for `downMs`; then one comes back.
    clock.set(T.getTime() + downMs);
    for (let pass = 0; pass < 6; pass++) {
      await scheduler.tick(clock.now());
      await scheduler.idle();
    }
    const rows = await executionsOf(database, task.id);
    const summaries = await database.pool.query(
      `select payload from notification_outbox where kind = 'missed_runs'`,
    );
    const stored = await database.pool.query('select next_run_at from scheduled_tasks where id = $1', [
      task.id,
    ]);
    return {
      rows,
      summaries: summaries.rows,
      nextRunAt: stored.rows[0].next_run_at as Date,
      calls: scripted.calls,
    };
  }

  const brief = (rows: Array<Record<string, unknown>>) =>
    rows.map((row) => [
      (row.scheduled_for as Date).toISOString().slice(11, 16),
      row.status,
      row.trigger,
      row.reason,
    ]);

  it('run_once runs the latest missed occurrence once and skips the others', async () => {
    // Hourly task, down from 10:00 to 13:30: 11:00, 12:00, 13:00 were missed.
    const { rows, summaries, nextRunAt } = await outage('run_once', '0 * * * *', 3.5 * 3600_000);
    expect(brief(rows)).toEqual([
      ['11:00', 'skipped', 'schedule', 'misfire_skipped'],
      ['12:00', 'skipped', 'schedule', 'misfire_skipped'],
      ['13:00', 'success', 'catchup', 'misfire_caught_up'],
    ]);
    expect(nextRunAt.toISOString()).toBe('2026-11-28T14:00:00.000Z');
    expect(summaries).toHaveLength(1);
    expect(summaries[0].payload.tasks[0]).toMatchObject({
      policy: 'run_once',
      missedCount: 3,
      skippedCount: 2,
    });
  });

  it('skip records every missed occurrence as skipped and runs none', async () => {
    const { rows, calls } = await outage('skip', '0 * * * *', 3.5 * 3600_000);
    expect(brief(rows).map((row) => row[1])).toEqual(['skipped', 'skipped', 'skipped']);
    expect(calls).toHaveLength(0);
  });

  it('run_all runs each missed occurrence within the catch-up window, bounded', async () => {
    // Every 10 minutes, down 2 h: 12 missed, window 1 h keeps 6, bounded to 3 runs.
    const { rows, summaries } = await outage('run_all', '*/10 * * * *', 2 * 3600_000 + 30_000);
    const ran = rows.filter((row) => row.status === 'success');
    const skipped = rows.filter((row) => row.status === 'skipped');
    // Missed 10:10…11:50 (11); the 1 h window keeps 11:10…11:50; at most 3: the latest. 12:00 is on time.
    expect(brief(ran)).toEqual([
      ['11:30', 'success', 'catchup', 'misfire_caught_up'],
      ['11:40', 'success', 'catchup', 'misfire_caught_up'],
      ['11:50', 'success', 'catchup', 'misfire_caught_up'],
      ['12:00', 'success', 'schedule', null],
    ]);
    expect(skipped).toHaveLength(11 - 3);
    expect(skipped.every((row) => row.reason === 'misfire_skipped')).toBe(true);
    expect(summaries).toHaveLength(1);
  });

  it('a short delay is not a misfire: the late occurrence simply runs', async () => {
    const { rows, summaries } = await outage('skip', '0 12 * * *', 3600_000 + 20_000);
    expect(brief(rows)).toEqual([['11:00', 'success', 'schedule', null]]);
    expect(summaries).toHaveLength(0);
  });
});

describe('overdue watch', () => {
  it('raises one overdue alert per occurrence when no capacity claims a due task', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, { maxConcurrentExecutions: 1 });
    const blocker = await createTask(
      database.db,
      makeDraft(
        { name: 'blocker', cron: '0 11 28 11 *', params: { behaviour: 'hang' } },
        new Date(T.getTime() - 1),
      ),
      { actor, now: T },
    );
    const late = await createTask(
      database.db,
      makeDraft({ name: 'late', cron: '1 11 * * *', overdueGraceSeconds: 120 }, T),
      { actor, now: T },
    );
    expect(blocker.nextRunAt?.toISOString()).toBe(T.toISOString());
    await scheduler.tick(clock.now()); // blocker occupies the only slot
    for (const offset of [1, 2, 3, 3.5, 4]) {
      clock.set(T.getTime() + offset * minute + 1);
      await scheduler.tick(clock.now());
    }
    const alerts = await database.pool.query(
      `select dedupe_key, payload from notification_outbox where kind = 'overdue'`,
    );
    expect(alerts.rows.map((row) => row.dedupe_key)).toEqual([`overdue:${late.id}:2026-11-28T10:01:00.000Z`]);
    expect(alerts.rows[0].payload).toMatchObject({ taskName: 'late', graceSeconds: 120 });
    scripted.releaseAll();
    await scheduler.idle();
  });
});
