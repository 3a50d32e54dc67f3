import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueManualRun } from '../../../src/store/executions.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import { waitUntil } from '../../support/wait-until.js';

// The original dashboard's troubleshooting guide tells operators to paste these statements into psql.
// They must keep working, character for character, against our schema.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('troubleshooting SQL from the original guide', () => {
  it('lists the last failed executions', async () => {
    const task = await createTask(database.db, makeDraft(), { actor: { id: 'U1' }, now: T0 });
    for (const [status, minutesAgo] of [
      ['failed', 3],
      ['success', 2],
      ['failed', 1],
    ] as const) {
      await database.pool.query(
        `insert into task_executions (task_id, trigger, status, created_at) values ($1, 'schedule', $2, now() - make_interval(mins => $3))`,
        [task.id, status, minutesAgo],
      );
    }
    const result = await database.pool.query(
      "SELECT * FROM task_executions WHERE status = 'failed' ORDER BY created_at DESC LIMIT 5",
    );
    expect(result.rows).toHaveLength(2);
    expect(result.rows.every((row) => row.status === 'failed' && row.task_id === task.id)).toBe(true);
    expect(result.rows[0].created_at.getTime()).toBeGreaterThan(result.rows[1].created_at.getTime());
  });

  it('counts the failures of the last day by cause, as the README shows', async () => {
    const task = await createTask(database.db, makeDraft({ name: 'by cause' }), {
      actor: { id: 'U1' },
      now: T0,
    });
    for (const [status, code] of [
      ['failed', 'worker_lost'],
      ['failed', 'worker_lost'],
      ['timed_out', 'timed_out'],
      ['success', null],
    ] as const) {
      await database.pool.query(
        `insert into task_executions (task_id, trigger, status, error_code, finished_at) values ($1, 'schedule', $2, $3, now())`,
        [task.id, status, code],
      );
    }
    const result = await database.pool.query(
      `SELECT error_code, count(*) FROM task_executions
 WHERE finished_at > now() - interval '1 day' AND status IN ('failed', 'timed_out') GROUP BY 1`,
    );
    const counts = Object.fromEntries(result.rows.map((row) => [row.error_code, Number(row.count)]));
    expect(counts).toMatchObject({ worker_lost: 2, timed_out: 1 });
  });

  it('unsticks a task and finds its running executions', async () => {
    const task = await createTask(database.db, makeDraft(), { actor: { id: 'U1' }, now: T0 });
    await database.pool.query(`update scheduled_tasks set is_running = true where id = $1`, [task.id]);
    await database.pool.query(
      `insert into task_executions (task_id, trigger, status, started_at) values ($1, 'manual', 'running', now())`,
      [task.id],
    );
    const update = await database.pool.query(
      `UPDATE scheduled_tasks SET is_running = FALSE WHERE id = '${task.id}'`,
    );
    expect(update.rowCount).toBe(1);
    const running = await database.pool.query(
      `SELECT * FROM task_executions WHERE task_id = '${task.id}' AND status = 'running'`,
    );
    expect(running.rows).toHaveLength(1);
    const after = await database.pool.query('select is_running from scheduled_tasks where id = $1', [
      task.id,
    ]);
    expect(after.rows[0].is_running).toBe(false);
  });

  it('queues a run with execute_task_now and wakes listeners with NOTIFY', async () => {
    const task = await createTask(database.db, makeDraft(), { actor: { id: 'U1' }, now: T0 });
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query('listen chronops_wakeup');

    const result = await database.pool.query(`SELECT execute_task_now('${task.id}', NULL);`);
    const executionId = result.rows[0].execute_task_now as string;
    // The queued row's own trigger notifies too (migration 0005); the function names the execution.
    await waitUntil(async () => payloads.includes(executionId), 5000, 'the NOTIFY naming the execution');
    await listener.end();

    const row = await database.pool.query('select * from task_executions where id = $1', [executionId]);
    expect(row.rows[0]).toMatchObject({ task_id: task.id, status: 'queued', trigger: 'sql', attempt: 1 });
    expect(row.rows[0].triggered_by).toMatch(/^sql:/);
  });

  it('records the Slack user as a manual trigger', async () => {
    const task = await createTask(database.db, makeDraft(), { actor: { id: 'U1' }, now: T0 });
    const id = await queueManualRun(database.db, task.id, 'U123');
    const row = await database.pool.query('select trigger, triggered_by from task_executions where id = $1', [
      id,
    ]);
    expect(row.rows[0]).toEqual({ trigger: 'manual', triggered_by: 'U123' });
  });

  it('raises a clear error for an unknown task id and queues nothing', async () => {
    const before = await database.pool.query('select count(*)::int as n from task_executions');
    await expect(
      database.pool.query(`SELECT execute_task_now('00000000-0000-4000-8000-000000000000', NULL)`),
    ).rejects.toMatchObject({
      code: 'P0002',
      message: 'execute_task_now: no scheduled task has id 00000000-0000-4000-8000-000000000000',
    });
    await expect(database.pool.query(`SELECT execute_task_now('TASK_ID', NULL)`)).rejects.toMatchObject({
      code: '22P02',
    });
    const after = await database.pool.query('select count(*)::int as n from task_executions');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses to run a task awaiting approval', async () => {
    const task = await createTask(database.db, makeDraft({ type: 'custom' }), {
      actor: { id: 'U1' },
      now: T0,
      approvalState: 'pending',
    });
    await expect(database.pool.query('select execute_task_now($1, null)', [task.id])).rejects.toMatchObject({
      code: '55000',
    });
  });
});
