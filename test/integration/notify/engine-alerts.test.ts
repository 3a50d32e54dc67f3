import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportExecutor, type ReportResultData } from '../../../src/executors/report.js';
import { executionAlerts } from '../../../src/scheduler/alerts.js';
import { createFakeClock } from '../../../src/shared/clock.js';
import { settleExecutions } from '../../../src/store/execution-settlement.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler, executionsOf } from '../../support/scheduler.js';
import { createTestContext } from '../executors/support.js';

let db: TestDatabase;
const actor = { id: 'U0ADMIN' };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('duration anomalies', () => {
  it('are enqueued in the settle transaction when a run is far shorter than its median', async () => {
    const task = await createTask(db.db, makeDraft({ name: 'big backup' }), { actor, now: T0 });
    for (let i = 0; i < 6; i++) {
      await db.pool.query(
        `insert into task_executions (task_id, trigger, status, duration_ms, created_at, finished_at)
         values ($1, 'schedule', 'success', $2, $3, $3)`,
        [task.id, 720_000 + i * 1000, new Date(T0.getTime() - (i + 1) * 86_400_000)],
      );
    }
    const running = await db.pool.query<{ id: string }>(
      `insert into task_executions (task_id, trigger, status, worker_id, started_at, created_at)
       values ($1, 'schedule', 'running', 'w1', $2, $2) returning id`,
      [task.id, T0],
    );
    const id = running.rows[0]!.id;
    const settled = await settleExecutions(db.pool, {
      outcomes: [
        {
          id,
          status: 'success',
          finishedAt: T0,
          durationMs: 8000,
          logs: '',
          error: null,
          errorCode: null,
          result: null,
        },
      ],
      now: T0,
      workerId: 'w1',
      retryAt: () => T0,
      alerts: (rows) => executionAlerts(rows, () => ({ alertChannel: null, notifyOnSuccess: false })),
    });
    expect(settled[0]?.recentSuccessDurationsMs).toHaveLength(6);
    const outbox = await db.pool.query(
      `select kind, payload from notification_outbox where execution_id = $1`,
      [id],
    );
    expect(outbox.rows).toEqual([
      {
        kind: 'duration_anomaly',
        payload: expect.objectContaining({
          direction: 'short',
          durationMs: 8000,
          medianMs: 722_500,
          samples: 6,
        }),
      },
    ]);
  });
});

describe('duration anomalies with a replica cache', () => {
  it('use the durations the cache knows instead of the history, and remember what the history said', async () => {
    const cachedTask = await createTask(db.db, makeDraft({ name: 'cached backup' }), { actor, now: T0 });
    const freshTask = await createTask(db.db, makeDraft({ name: 'fresh backup' }), { actor, now: T0 });
    for (let i = 0; i < 6; i++) {
      await db.pool.query(
        `insert into task_executions (task_id, trigger, status, duration_ms, created_at, finished_at)
         values ($1, 'schedule', 'success', 9000, $2, $2)`,
        [freshTask.id, new Date(T0.getTime() - (i + 1) * 86_400_000)],
      );
    }
    const ids: string[] = [];
    for (const task of [cachedTask, freshTask]) {
      const running = await db.pool.query<{ id: string }>(
        `insert into task_executions (task_id, trigger, status, worker_id, started_at, created_at)
         values ($1, 'schedule', 'running', 'w1', $2, $2) returning id`,
        [task.id, T0],
      );
      ids.push(running.rows[0]!.id);
    }
    const remembered = new Map<string, number[]>();
    const cache = {
      lookup: (taskId: string) =>
        taskId === cachedTask.id ? [720_000, 720_000, 720_000, 720_000, 720_000] : undefined,
      remember: (taskId: string, durations: number[]) => remembered.set(taskId, durations),
    };
    const settled = await settleExecutions(db.pool, {
      outcomes: ids.map((id) => ({
        id,
        status: 'success' as const,
        finishedAt: T0,
        durationMs: 8000,
        logs: '',
        error: null,
        errorCode: null,
        result: null,
      })),
      now: T0,
      workerId: 'w1',
      retryAt: () => T0,
      alerts: (rows) => executionAlerts(rows, () => ({ alertChannel: null, notifyOnSuccess: false })),
      durations: cache,
    });
    const byTask = new Map(settled.map((row) => [row.taskId, row.recentSuccessDurationsMs]));
    // The cached task has no history at all: its durations can only have come from the cache.
    expect(byTask.get(cachedTask.id)).toHaveLength(5);
    expect(byTask.get(freshTask.id)).toEqual([9000, 9000, 9000, 9000, 9000, 9000]);
    expect([...remembered.keys()]).toEqual([freshTask.id]);
    const anomalies = await db.pool.query<{ execution_id: string }>(
      `select execution_id from notification_outbox where kind = 'duration_anomaly' and execution_id = any($1::uuid[])`,
      [ids],
    );
    expect(anomalies.rows.map((row) => row.execution_id)).toEqual([ids[0]]);
  });
});

describe('approvals in the engine', () => {
  it("records a pending custom task's slot as not approved, and runs nothing", async () => {
    const task = await createTask(
      db.db,
      makeDraft({ name: 'pending sql', type: 'custom', cron: '*/5 * * * *' }),
      { actor, now: T0, approvalState: 'pending' },
    );
    const clock = createFakeClock(T0);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(db, clock, scripted);
    clock.set(T0.getTime() + 5 * 60_000 + 1000);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    await scheduler.stop();
    const rows = await executionsOf(db, task.id);
    expect(rows.map((row) => [row.status, row.reason])).toEqual([['skipped', 'not_approved']]);
    expect(scripted.calls.filter((call) => call.task.id === task.id)).toEqual([]);
  });
});

describe('daily report look-ahead', () => {
  it('finds a run in a DST gap, tasks colliding, durations near their timeout, long pauses', async () => {
    // The system daily report runs at 08:00 Paris on Saturday 2027-03-27; the clocks go forward that night.
    const now = new Date('2027-03-27T07:00:00.000Z');
    // Only this test's tasks are active (the earlier ones run every 5 minutes and would collide with all).
    await db.pool.query('update scheduled_tasks set enabled = false');
    const make = (name: string, cron: string, extra = {}) =>
      createTask(db.db, makeDraft({ name, cron, ...extra }, now), { actor, now });
    await make('gap <job>', '30 2 * * *');
    await make('collide a', '0 5 * * *');
    await make('collide b', '0 5 * * *');
    const slow = await make('slow one', '0 12 * * *', { timeoutSeconds: 100 });
    await db.pool.query(
      `insert into task_executions (task_id, trigger, status, duration_ms, created_at) values ($1, 'schedule', 'success', 90000, $2)`,
      [slow.id, now],
    );
    const paused = await make('forgotten', '0 13 * * *');
    await db.pool.query(
      `update scheduled_tasks set enabled = false, paused_by = 'U0OPER', paused_reason = 'vendor outage',
              paused_at = $2 where id = $1`,
      [paused.id, new Date(now.getTime() - 10 * 86_400_000)],
    );
    const executor = createReportExecutor({
      targetPool: db.pool,
      targetDatabaseUrl: db.url,
      backupDir: '/nonexistent',
      scriptsDir: '/nonexistent',
    });
    const { context } = createTestContext({
      type: 'report',
      params: { queries: ['failing_tasks', 'slowest_tasks'] },
      name: 'Daily report',
      template: 'system:daily_report',
      now,
    });
    const result = await executor(context);
    const data = result.data as ReportResultData;
    expect(data.overview).toMatchObject({ running: 0 });
    const lookahead = data.lookahead!;
    // 02:30 does not exist that night: the fixed-time job runs once at 03:30 (01:00 UTC).
    expect(lookahead.dst.map((notice) => [notice.name, notice.kind, notice.runAt.toISOString()])).toEqual([
      ['gap <job>', 'gap', '2027-03-28T01:00:00.000Z'],
    ]);
    expect(lookahead.collisions).toEqual([
      {
        minute: new Date('2027-03-28T03:00:00.000Z'),
        names: expect.arrayContaining(['collide a', 'collide b']),
      },
    ]);
    expect(lookahead.nearTimeout).toEqual([expect.objectContaining({ name: 'slow one', share: 0.9 })]);
    expect(lookahead.longPaused).toEqual([
      expect.objectContaining({ name: 'forgotten', days: 10, pausedBy: 'U0OPER', reason: 'vendor outage' }),
    ]);
    const text = JSON.stringify(result.messages?.[0]?.blocks);
    expect(text).toContain('*Next 24 h*');
    expect(text).toContain('*gap &lt;job&gt;*: 02:30 does not exist');
    expect(text).toContain('03:00 UTC: *collide a*, *collide b*');
    expect(text).toContain('Overview (24 h)');
    expect(text).not.toContain('<job>');
  });
});
