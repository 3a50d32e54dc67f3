import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/service/start-service.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createTask } from '../../src/store/tasks.js';
import { createTestDatabase, scalar, type TestDatabase } from '../support/database.js';
import { makeDraft } from '../support/fixtures.js';

/**
 * The service starts as named steps, each pushing how to stop what it started (src/service/
 * stop-stack.ts). A step that fails stops everything before it: a port already taken must not leave a
 * scheduler running tasks, connections open or the replica's liveness lock held.
 */
let database: TestDatabase;
let taken: Server;
let port: number;

beforeAll(async () => {
  database = await createTestDatabase();
  taken = createServer(() => {});
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  await database.drop();
});

describe('a start that fails at a step', () => {
  it('names the step and stops what started before it: no run, no connection, no lock', async () => {
    const now = new Date();
    await createTask(database.db, makeDraft({ name: 'every second', cron: '* * * * * *' }, now), {
      actor: { id: 'U1' },
      now,
    });
    const config = loadConfig({
      DATABASE_URL: database.url,
      CHRONOPS_SANDBOX: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'silent',
      POLL_INTERVAL_MS: '200',
      WORKER_ID: 'replica-port-taken',
    });
    await expect(startService(config, createSilentLogger())).rejects.toMatchObject({
      name: 'StartStepError',
      step: 'http',
      message: expect.stringMatching(new RegExp(`^http: Port ${port} `)),
    });
    // Long enough for a scheduler left running to claim the every-second task several times.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await scalar(database.pool, 'select count(*) from task_executions')).toBe(0);
    expect(
      await scalar(
        database.pool,
        // The service's pools are chronops:<role>, its liveness lock <worker id>:liveness; this test's own
        // pool is plain "chronops".
        `select count(*) from pg_stat_activity
          where datname = current_database() and (application_name like 'chronops:%' or application_name like 'replica-port-taken%')`,
      ),
    ).toBe(0);
    // pg_locks is the whole server's: only this test database's advisory locks count.
    expect(
      await scalar(
        database.pool,
        `select count(*) from pg_locks
          where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
      ),
    ).toBe(0);
  });
});
