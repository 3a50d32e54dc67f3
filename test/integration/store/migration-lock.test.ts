import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY, runMigrations } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ max: 3 });
});
afterAll(async () => {
  await database.drop();
});

describe('runMigrations: the wait for the migration lock is bounded', () => {
  it('gives up within the bound naming the holder, and migrates once the lock is let go', async () => {
    const holder = new pg.Client({ connectionString: database.url, application_name: 'someone-s-psql' });
    await holder.connect();
    try {
      const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);

      const lines: string[] = [];
      const started = performance.now();
      const outcome = await runMigrations(database.pool, {
        waitMs: 1500,
        logEveryMs: 300,
        log: (line) => lines.push(line),
      }).then(
        () => new Error('runMigrations completed while another session held the migration lock'),
        (error: unknown) => error,
      );
      const elapsedMs = performance.now() - started;

      expect(outcome).toMatchObject({ code: 'migration_lock_timeout', field: 'MIGRATION_LOCK_WAIT_SECONDS' });
      const message = (outcome as Error).message;
      expect(message).toContain(
        `Gave up after 1.5 s waiting for the migration lock (advisory lock ${MIGRATION_LOCK_KEY}) held by pid ${holderPid} (application_name "someone-s-psql"`,
      );
      expect(message).toContain(`select pg_terminate_backend(${holderPid})`);
      expect(message).toContain('MIGRATION_LOCK_WAIT_SECONDS');
      // Bounded: at the bound, plus a generous margin for a busy machine.
      expect(elapsedMs).toBeGreaterThanOrEqual(1400);
      expect(elapsedMs).toBeLessThan(10_000);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines[0]).toContain(
        `waiting for the migration lock held by pid ${holderPid} (application_name "someone-s-psql"`,
      );

      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await runMigrations(database.pool, { waitMs: 10_000 });
    } finally {
      await holder.end();
    }
  });

  it('waits for a holder that lets go within the bound, then migrates', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const migrating = runMigrations(database.pool, { waitMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await migrating;
    } finally {
      await holder.end();
    }
    // Nothing of the migration's session is left behind: no advisory lock in this database.
    const { rows } = await database.pool.query<{ n: number }>(
      `select count(*)::int4 as n from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
