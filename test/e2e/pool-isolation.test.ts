import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service/start-service.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createTask } from '../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeDraft } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * Heartbeats never starve. A whole service with every executor connection held for
 * longer than the lease — 24 clean-ups blocked on a locked table, more than the 20 connections the
 * service once shared between the scheduler and its executors — keeps every lease fresh, and no
 * execution gets a second attempt while its first is alive: the scheduler's claims and heartbeats
 * have a pool of their own (docs/ENGINE.md, "Connections").
 */
const TASKS = 24;
const LEASE_SECONDS = 6;
let database: TestDatabase;
let service: RunningService;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.pool.query(
    'create table pool_locked (id serial primary key, created_at timestamptz not null)',
  );
  await database.pool.query(
    "insert into pool_locked (created_at) select now() - interval '30 days' from generate_series(1, 10)",
  );
  service = await startService(
    loadConfig({
      DATABASE_URL: database.url,
      CHRONOPS_SANDBOX: 'true',
      PORT: '0',
      LOG_LEVEL: 'silent',
      POLL_INTERVAL_MS: '200',
      LEASE_SECONDS: String(LEASE_SECONDS),
      HEARTBEAT_SECONDS: '2',
      EXECUTOR_POOL_SIZE: '4',
    }),
    createSilentLogger(),
  );
});
afterAll(async () => {
  await service?.stop();
  await database.drop();
});

describe('executors holding every connection of theirs', () => {
  it('never delay a heartbeat past the lease, and no run is attempted twice', async () => {
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i += 1) {
      const task = await createTask(
        database.db,
        makeDraft({
          name: `blocked cleanup ${i}`,
          cron: '0 3 1 1 *',
          timeoutSeconds: 120,
          maxRetries: 3,
          params: {
            mode: 'older_than',
            table: 'pool_locked',
            timestampColumn: 'created_at',
            olderThanDays: 1,
          },
        }),
        { actor: { id: 'U1' }, now: new Date() },
      );
      ids.push(task.id);
    }
    const locker = await database.pool.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table pool_locked in access exclusive mode');
      for (const id of ids) await database.pool.query(`select execute_task_now($1, 'U1')`, [id]);
      await waitUntil(
        async () => {
          const { rows } = await database.pool.query<{ n: number }>(
            `select count(*)::int as n from task_executions where task_id = any($1::uuid[]) and status = 'running'`,
            [ids],
          );
          return rows[0]?.n === TASKS;
        },
        60_000,
        'every clean-up to be running',
      );
      // Three leases long: every running row keeps a lease in the future, sampled twice a second.
      const until = Date.now() + 3 * LEASE_SECONDS * 1000;
      let samples = 0;
      while (Date.now() < until) {
        const { rows } = await database.pool.query<{ lapsed: number; running: number; retries: number }>(
          `select count(*) filter (where status = 'running' and lease_until < now())::int as lapsed,
                  count(*) filter (where status = 'running')::int as running,
                  count(*) filter (where attempt > 1)::int as retries
             from task_executions where task_id = any($1::uuid[])`,
          [ids],
        );
        expect(rows[0]).toEqual({ lapsed: 0, running: TASKS, retries: 0 });
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(samples).toBeGreaterThan(10);
      await locker.query('rollback');
    } finally {
      locker.release();
    }
    await waitUntil(
      async () => {
        const { rows } = await database.pool.query<{ n: number }>(
          `select count(*)::int as n from task_executions where task_id = any($1::uuid[]) and status = 'success'`,
          [ids],
        );
        return rows[0]?.n === TASKS;
      },
      90_000,
      'every clean-up to finish once the lock is gone',
    );
    const { rows } = await database.pool.query<{
      status: string;
      trigger: string;
      attempt: number;
      n: number;
    }>(
      `select status, trigger, attempt, count(*)::int as n from task_executions where task_id = any($1::uuid[])
        group by 1, 2, 3 order by 1, 2, 3`,
      [ids],
    );
    expect(rows).toEqual([{ status: 'success', trigger: 'manual', attempt: 1, n: TASKS }]);
  }, 240_000);
});
