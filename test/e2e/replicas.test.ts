import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTask } from '../../src/domain/task.js';
import { createTask } from '../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type ReplicaProcess, startReplica } from '../support/replica-process.js';
import { createTestTaskLogin, type TestTaskLogin } from '../support/task-login.js';
import { waitUntil } from '../support/wait-until.js';

let database: TestDatabase;
let taskLogin: TestTaskLogin;
const replicas: ReplicaProcess[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  taskLogin = await createTestTaskLogin(database);
});
afterAll(async () => {
  for (const replica of replicas) replica.kill('SIGKILL');
  await Promise.all(replicas.map((replica) => replica.exited()));
  await database.drop();
  await taskLogin.drop();
});

describe('three replicas as separate processes, one killed with SIGKILL mid-execution', () => {
  it('executes every occurrence exactly once, recovers the killed one, and leaves nothing running', async () => {
    const now = new Date();
    const taskIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const draft = prepareTask(
        {
          name: `every second ${i}`,
          type: 'custom',
          cron: '* * * * * *',
          params: { kind: 'sql', sql: 'select pg_sleep(0.2)' },
          overlapPolicy: 'allow',
        },
        { now, defaultTimezone: 'Europe/Paris' },
      );
      taskIds.push((await createTask(database.db, draft, { actor: { id: 'U1' }, now })).id);
    }
    // A slow task so that some execution is surely running when the replica is killed.
    const slow = prepareTask(
      {
        name: 'slow',
        type: 'custom',
        cron: '*/2 * * * * *',
        params: { kind: 'sql', sql: 'select pg_sleep(3)' },
      },
      { now, defaultTimezone: 'Europe/Paris' },
    );
    const slowId = (await createTask(database.db, slow, { actor: { id: 'U1' }, now })).id;
    taskIds.push(slowId);

    const env = {
      DATABASE_URL: database.url,
      TASK_DATABASE_URL: taskLogin.url,
      LEASE_SECONDS: '5',
      HEARTBEAT_SECONDS: '1',
      POLL_INTERVAL_MS: '200',
      SHUTDOWN_GRACE_SECONDS: '10',
      RETRY_BACKOFF_SECONDS: '1',
    };
    for (const name of ['replica-1', 'replica-2', 'replica-3']) replicas.push(startReplica(name, env));
    await Promise.all(replicas.map((replica) => replica.ready()));

    // Kill whichever replica is running the slow task, in the middle of it.
    let victim: ReplicaProcess | undefined;
    await waitUntil(
      async () => {
        const running = await database.pool.query(
          `select worker_id from task_executions where task_id = $1 and status = 'running' and started_at < now() - interval '500 milliseconds'`,
          [slowId],
        );
        victim = replicas.find((replica) => replica.workerId === running.rows[0]?.worker_id);
        return victim !== undefined;
      },
      20_000,
      'the slow task runs on some replica',
    );
    victim!.kill('SIGKILL');
    await victim!.exited();
    const killedAt = await database.pool.query('select now() as at');

    // The survivors recover within the lease (5 s) and carry on; let them run a few more seconds.
    await waitUntil(
      async () => {
        const lost = await database.pool.query(
          `select count(*)::int as n from task_executions where worker_id = $1 and status = 'running'`,
          [victim!.workerId],
        );
        return lost.rows[0].n === 0;
      },
      15_000,
      'the killed replica’s running executions are recovered',
    );
    await sleep(2000);
    // Pause everything so no new occurrence is planned, then let the survivors drain and stop.
    await database.pool.query(`update scheduled_tasks set enabled = false`);
    await waitUntil(
      async () => {
        const open = await database.pool.query(
          `select count(*)::int as n from task_executions where status in ('queued', 'running') and task_id = any($1::uuid[])`,
          [taskIds],
        );
        return open.rows[0].n === 0;
      },
      20_000,
      'no execution is queued or running',
    );
    const survivors = replicas.filter((replica) => replica !== victim);
    for (const replica of survivors) replica.kill('SIGTERM');
    expect(await Promise.all(survivors.map((replica) => replica.exited()))).toEqual([0, 0]);

    // Exactly once: no occurrence has two rows…
    const duplicates = await database.pool.query(
      `select task_id, scheduled_for, count(*) from task_executions
        where trigger in ('schedule', 'catchup') group by 1, 2 having count(*) > 1`,
    );
    expect(duplicates.rows).toEqual([]);
    // …and every second between a task's first and last occurrence has one (run, or skipped by policy).
    const coverage = await database.pool.query(
      `select task_id, count(*)::int as n,
              (extract(epoch from max(scheduled_for) - min(scheduled_for)))::int + 1 as span
         from task_executions where trigger in ('schedule', 'catchup') and task_id = any($1::uuid[])
          and task_id <> $2 group by task_id`,
      [taskIds, slowId],
    );
    expect(coverage.rows).toHaveLength(8);
    for (const row of coverage.rows) expect(row.n).toBe(row.span);
    // The execution killed mid-run was marked failed (worker lost) and retried by a survivor.
    const lost = await database.pool.query(
      `select e.id, e.error, r.status as retry_status, r.worker_id as retry_worker
         from task_executions e left join task_executions r on r.parent_execution_id = e.id
        where e.worker_id = $1 and e.reason = 'worker_lost'`,
      [victim!.workerId],
    );
    expect(lost.rows.length).toBeGreaterThanOrEqual(1);
    for (const row of lost.rows) {
      expect(row.error).toMatch(/^Worker lost/);
      expect(row.retry_status).toBe('success');
      expect(row.retry_worker).not.toBe(victim!.workerId);
    }
    const stuck = await database.pool.query(
      `select count(*)::int as n from scheduled_tasks where is_running`,
    );
    expect(stuck.rows[0].n).toBe(0);
    // The kill happened while work was in flight (sanity check of the scenario itself).
    expect(killedAt.rows[0].at).toBeInstanceOf(Date);
  }, 90_000);
});
