import { randomInt } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomExecutor } from '../../../src/executors/custom.js';
import { createNotificationExecutor } from '../../../src/executors/notification.js';
import type { ExecutionResult } from '../../../src/executors/types.js';
import { MIGRATION_LOCK_KEY, runMigrations } from '../../../src/store/database.js';
import { waitUntil } from '../../support/wait-until.js';
import { createExecutorTestBed, createTestContext, type ExecutorTestBed } from './support.js';

// User SQL runs on a connection of its own that is closed afterwards (task-sql-session.ts): a session
// advisory lock it takes — even on the key every replica migrates under — ends with the run. Each path
// that runs a person's SQL is shown here on the real database: the lock is held while the run is under
// way (so the test could see it stay), is gone once the run is over, and migrations still run.

let bed: ExecutorTestBed;
let gate: pg.Client;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  gate = new pg.Client({ connectionString: bed.database.url, application_name: 'test-gate' });
  await gate.connect();
});
afterAll(async () => {
  await gate.end();
  await bed.close();
});

/** Backends of this database holding the session advisory lock `key`, with their application_name. */
async function holdersOf(key: number): Promise<string[]> {
  const { rows } = await bed.database.pool.query<{ application_name: string }>(
    `select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = (($1::int8 >> 32) & 4294967295)::oid and l.objid = ($1::int8 & 4294967295)::oid`,
    [key],
  );
  return rows.map((row) => row.application_name);
}

/**
 * Runs `start(gateKey)` whose SQL takes the migration lock then waits on `gateKey` (held here), checks
 * that the run's own backend (`applicationName`) holds the migration lock meanwhile, lets the gate go,
 * and returns how the run ended.
 */
async function runThroughGate(
  applicationName: string,
  start: (gateKey: number) => Promise<ExecutionResult>,
  finish: (gateKey: number) => Promise<void> = (gateKey) =>
    gate.query('select pg_advisory_unlock($1)', [gateKey]).then(() => {}),
): Promise<PromiseSettledResult<ExecutionResult>> {
  const gateKey = randomInt(1, 2 ** 31);
  await gate.query('select pg_advisory_lock($1)', [gateKey]);
  const running = start(gateKey).then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );
  try {
    await waitUntil(
      async () => (await holdersOf(MIGRATION_LOCK_KEY)).includes(applicationName),
      15_000,
      `${applicationName} holds the migration lock`,
    );
  } finally {
    await finish(gateKey);
  }
  const outcome = await running;
  await gate.query('select pg_advisory_unlock_all()');
  return outcome;
}

async function expectNothingLeft(): Promise<void> {
  // Read at once: the connection is closed before the run settles, and PostgreSQL lets a backend's
  // locks go before it closes the socket.
  expect(await holdersOf(MIGRATION_LOCK_KEY)).toEqual([]);
  await runMigrations(bed.database.pool, { waitMs: 5000 });
}

describe('a session advisory lock taken by user SQL does not outlive the run', () => {
  it('custom SQL task: gone after a committed run, and migrations run', async () => {
    const outcome = await runThroughGate('chronops:custom-sql', (gateKey) => {
      const { context } = createTestContext({
        type: 'custom',
        params: {
          kind: 'sql',
          sql: `select pg_advisory_lock(${MIGRATION_LOCK_KEY}); select pg_advisory_lock(${gateKey});`,
        },
      });
      return createCustomExecutor(bed.deps)(context);
    });
    expect(outcome).toMatchObject({ status: 'fulfilled', value: { data: { kind: 'sql', statements: 2 } } });
    await expectNothingLeft();
  });

  it('custom SQL task: gone after a run aborted while it waits, and migrations run', async () => {
    const controller = new AbortController();
    const outcome = await runThroughGate(
      'chronops:custom-sql',
      (gateKey) => {
        const { context } = createTestContext({
          type: 'custom',
          params: {
            kind: 'sql',
            sql: `select pg_advisory_lock(${MIGRATION_LOCK_KEY}); select pg_advisory_lock(${gateKey});`,
          },
          signal: controller.signal,
        });
        return createCustomExecutor(bed.deps)(context);
      },
      // The gate stays held: the run is stopped while it waits, as a timeout or cancel would stop it.
      async () => controller.abort(new Error('cancelled by the test')),
    );
    expect(outcome.status).toBe('rejected');
    await expectNothingLeft();
  });

  it('custom notification query (read only, rolled back): gone after the run, and migrations run', async () => {
    const outcome = await runThroughGate('chronops:notification-sql', (gateKey) => {
      const { context } = createTestContext({
        type: 'notification',
        params: {
          query: 'custom',
          sql: `select pg_advisory_lock(${MIGRATION_LOCK_KEY}) as migration, pg_advisory_lock(${gateKey}) as gate`,
        },
      });
      return createNotificationExecutor(bed.deps)(context);
    });
    expect(outcome).toMatchObject({ status: 'fulfilled', value: { data: { query: 'custom', matched: 1 } } });
    await expectNothingLeft();
  });
});
