import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTask } from '../../src/domain/task.js';
import { createTask } from '../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type ReplicaProcess, startReplica } from '../support/replica-process.js';
import { createTestTaskLogin, type TestTaskLogin } from '../support/task-login.js';
import { waitUntil } from '../support/wait-until.js';

// A replica SIGKILLed in the middle of a run, with a lease far longer than the test may wait: the run
// can only be recovered in time through the killed process's liveness lock (docs/ENGINE.md, "Crash
// recovery"), and its retry must start at once, without the failure backoff.
const LEASE_SECONDS = 300;

let database: TestDatabase;
let taskLogin: TestTaskLogin;
const replicas: ReplicaProcess[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  taskLogin = await createTestTaskLogin(database);
});
afterAll(async () => {
  for (const replica of replicas) if (replica.child.exitCode === null) replica.kill('SIGKILL');
  await Promise.all(replicas.map((replica) => replica.exited()));
  await database.drop();
  await taskLogin.drop();
});

describe('a replica killed with SIGKILL mid-run', () => {
  it('has its run failed worker_lost and retried by a survivor long before the lease lapses', async () => {
    const now = new Date();
    const draft = prepareTask(
      {
        name: 'long clean-up',
        type: 'custom',
        cron: '0 0 1 1 *',
        params: { kind: 'sql', sql: 'select pg_sleep(600)' },
      },
      { now, defaultTimezone: 'Europe/Paris' },
    );
    const taskId = (await createTask(database.db, draft, { actor: { id: 'U1' }, now })).id;
    const env = {
      DATABASE_URL: database.url,
      TASK_DATABASE_URL: taskLogin.url,
      LEASE_SECONDS: String(LEASE_SECONDS),
      HEARTBEAT_SECONDS: '2',
      POLL_INTERVAL_MS: '500',
      // A backoff the test cannot wait for: a lost run must not be given one.
      RETRY_BACKOFF_SECONDS: '600',
      RETRY_BACKOFF_MAX_SECONDS: '600',
    };
    for (const name of ['crash-1', 'crash-2']) replicas.push(startReplica(name, env));
    await Promise.all(replicas.map((replica) => replica.ready()));
    await database.pool.query(`select execute_task_now($1, 'U1')`, [taskId]);

    let victim: ReplicaProcess | undefined;
    await waitUntil(
      async () => {
        const running = await database.pool.query<{ worker_id: string }>(
          `select worker_id from task_executions where task_id = $1 and status = 'running'`,
          [taskId],
        );
        victim = replicas.find((replica) => replica.workerId === running.rows[0]?.worker_id);
        return victim !== undefined;
      },
      30_000,
      'the run starts on a replica',
    );
    victim!.kill('SIGKILL');
    await victim!.exited();
    const killedAtMs = Date.now();

    await waitUntil(
      async () => {
        const retry = await database.pool.query(
          `select 1 from task_executions where task_id = $1 and trigger = 'retry' and status = 'running'`,
          [taskId],
        );
        return retry.rows.length === 1;
      },
      // Generous for a loaded machine, and still far below the 300 s lease.
      90_000,
      'the lost run is retried on the survivor',
    );
    const rows = await database.pool.query<{
      status: string;
      reason: string | null;
      error: string | null;
      worker_id: string;
      trigger: string;
      attempt: number;
      run_after: Date;
      started_at: Date | null;
      finished_at: Date | null;
    }>(
      `select status, reason, error, worker_id, trigger, attempt, run_after, started_at, finished_at
         from task_executions where task_id = $1 order by attempt`,
      [taskId],
    );
    const [lost, retry] = rows.rows;
    expect(lost).toMatchObject({ status: 'failed', reason: 'worker_lost', worker_id: victim!.workerId });
    expect(lost!.error).toMatch(/exited \(its liveness lock was released\)/);
    expect(retry).toMatchObject({ status: 'running', trigger: 'retry', attempt: 2 });
    expect(retry!.worker_id).not.toBe(victim!.workerId);
    // Due when the loss was recorded, not 600 s later.
    expect(retry!.run_after.getTime()).toBeLessThanOrEqual(lost!.finished_at!.getTime() + 1000);
    expect(retry!.started_at!.getTime() - killedAtMs).toBeLessThan((LEASE_SECONDS / 2) * 1000);
  }, 180_000);
});
