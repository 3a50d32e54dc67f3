import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskType } from '../../../src/domain/task-types.js';
import { createCleanupExecutor } from '../../../src/executors/cleanup.js';
import { createNotificationExecutor } from '../../../src/executors/notification.js';
import { createReportExecutor } from '../../../src/executors/report.js';
import type { Executor } from '../../../src/executors/types.js';
import { runExecution } from '../../../src/scheduler/execution-runner.js';
import { createSystemClock } from '../../../src/shared/clock.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { waitUntil } from '../../support/wait-until.js';
import { createExecutorTestBed, type ExecutorTestBed, NOW } from './support.js';

/**
 * A timeout stops the work itself (docs/ENGINE.md): chronops's built-in SQL blocked on a lock ends
 * `timed_out` at the task's timeout, through the real execution runner, and its statement does not
 * keep waiting in PostgreSQL — 2 s later no backend of it is left in pg_stat_activity.
 */
let bed: ExecutorTestBed;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
});
afterAll(async () => {
  await bed.close();
});

let counter = 0;
function started(type: TaskType, params: Record<string, unknown>, template: string | null = null) {
  counter += 1;
  const suffix = String(counter).padStart(12, '0');
  return {
    id: `00000000-0000-4000-8000-${suffix}`,
    taskId: `00000000-0000-4000-9000-${suffix}`,
    attempt: 1,
    trigger: 'manual',
    scheduledFor: null,
    startedAt: new Date(),
    task: {
      id: `00000000-0000-4000-9000-${suffix}`,
      name: `blocked ${type}`,
      type,
      template,
      params,
      timeoutSeconds: 1,
      overlapPolicy: 'skip',
      maxRetries: 0,
      alertChannel: null,
      notifyOnSuccess: false,
    },
  } as unknown as Parameters<typeof runExecution>[0];
}

/** Backends other than the locker's that wait on, or run, a statement touching `table`. */
async function statementsOn(
  table: string,
  lockerPid: number,
): Promise<Array<{ pid: number; query: string }>> {
  const { rows } = await bed.database.pool.query<{ pid: number; query: string }>(
    `select pid, query from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and pid <> $1
        and state <> 'idle' and query ilike $2`,
    [lockerPid, `%${table}%`],
  );
  return rows;
}

async function blockedRun(table: string, executor: Executor, execution: Parameters<typeof runExecution>[0]) {
  const locker = new pg.Client({ connectionString: bed.database.url });
  await locker.connect();
  try {
    const lockerPid =
      (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid ?? 0;
    await locker.query('begin');
    await locker.query(`lock table ${table} in access exclusive mode`);
    const settled = await runExecution(execution, executor, createSystemClock()).done;
    // From the execution's own start, which its deadline counts from: connecting the locker took part
    // of the second on a busy machine (748 ms measured from here once).
    const elapsedMs = Date.now() - execution.startedAt.getTime();
    // The statement was waiting on the lock while the run timed out.
    expect(settled?.status).toBe('timed_out');
    expect(elapsedMs).toBeGreaterThanOrEqual(800);
    expect(elapsedMs).toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Still holding the lock: a statement of the run that kept waiting would show here.
    expect(await statementsOn(table, lockerPid)).toEqual([]);
    await locker.query('rollback');
  } finally {
    await locker.end();
  }
}

describe('a timeout stops the SQL itself', () => {
  it('a clean-up blocked on a lock ends timed_out, and leaves no statement waiting', async () => {
    const executor = createCleanupExecutor(bed.deps);
    await blockedRun(
      'logs',
      executor,
      started('cleanup', {
        mode: 'older_than',
        table: 'logs',
        timestampColumn: 'created_at',
        olderThanDays: 1,
      }),
    );
  });

  it('a report blocked on a lock ends timed_out, and leaves no statement waiting', async () => {
    const executor = createReportExecutor(bed.deps);
    await blockedRun('task_executions', executor, started('report', { queries: ['slowest_tasks'] }));
  });

  it('a low-quota notification blocked on a lock ends timed_out, and leaves no statement waiting', async () => {
    const executor = createNotificationExecutor(bed.deps);
    await blockedRun('users', executor, started('notification', { query: 'low_quota', threshold: 10 }));
  });

  it('a clean-up cancelled while blocked stops its statement at once', async () => {
    const executor = createCleanupExecutor(bed.deps);
    const locker = new pg.Client({ connectionString: bed.database.url });
    await locker.connect();
    try {
      const lockerPid =
        (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid ?? 0;
      await locker.query('begin');
      await locker.query('lock table rate_limits in access exclusive mode');
      const execution = started('cleanup', {
        mode: 'expired',
        table: 'rate_limits',
        expiresColumn: 'expires_at',
      });
      (execution.task as { timeoutSeconds: number }).timeoutSeconds = 60;
      const running = runExecution(execution, executor, createSystemClock());
      await waitUntil(
        async () => (await statementsOn('rate_limits', lockerPid)).length > 0,
        20_000,
        'the clean-up to reach its blocked statement',
      );
      running.abort('cancelled');
      expect((await running.done)?.status).toBe('cancelled');
      await waitUntil(
        async () => (await statementsOn('rate_limits', lockerPid)).length === 0,
        5_000,
        'the cancelled statement to leave pg_stat_activity',
      );
      await locker.query('rollback');
    } finally {
      await locker.end();
    }
  });
});
