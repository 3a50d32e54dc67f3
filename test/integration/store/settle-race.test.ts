import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleExecutions } from '../../../src/store/execution-settlement.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, scalar, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 } from '../../support/fixtures.js';
import { waitUntil } from '../../support/wait-until.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ max: 6 });
});
afterAll(async () => {
  await database.drop();
});

async function runningExecution(taskId: string, workerId: string): Promise<string> {
  const result = await database.pool.query<{ id: string }>(
    `insert into task_executions (task_id, trigger, status, worker_id, started_at, lease_until)
     values ($1, 'manual', 'running', $2, $3, $3::timestamptz + interval '1 hour') returning id`,
    [taskId, workerId, T0],
  );
  return result.rows[0]!.id;
}

const settle = (id: string, workerId: string) =>
  settleExecutions(database.pool, {
    outcomes: [
      {
        id,
        status: 'success',
        finishedAt: T0,
        durationMs: 10,
        logs: '',
        error: null,
        errorCode: null,
        result: null,
      },
    ],
    now: T0,
    workerId,
    retryAt: () => T0,
    alerts: () => [],
  });

describe('two replicas settling two runs of one `allow` task at the same moment', () => {
  it('leave it not running: the second sees what the first committed', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'parallel', overlapPolicy: 'allow' }), {
      actor,
      now: T0,
    });
    await database.pool.query('update scheduled_tasks set is_running = true where id = $1', [task.id]);
    const first = await runningExecution(task.id, 'replica-a');
    const second = await runningExecution(task.id, 'replica-b');

    // Hold the task row, so both settles mark their execution finished and then queue on it.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select id from scheduled_tasks where id = $1 for update', [task.id]);
      const settles = [settle(first, 'replica-a'), settle(second, 'replica-b')];
      await waitUntil(
        async () =>
          (await scalar(
            database.pool,
            `select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
          )) === 2,
        20_000,
        'both settles wait for the task row',
      );
      await blocker.query('commit');
      await Promise.all(settles);
    } finally {
      await blocker.end();
    }
    expect(await scalar(database.pool, `select count(*) from task_executions where status = 'running'`)).toBe(
      0,
    );
    const row = await database.pool.query(
      'select is_running, last_status from scheduled_tasks where id = $1',
      [task.id],
    );
    expect(row.rows[0]).toEqual({ is_running: false, last_status: 'success' });
  });
});
