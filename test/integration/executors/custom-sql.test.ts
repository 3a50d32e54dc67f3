import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomExecutor } from '../../../src/executors/custom.js';
import type { ExecutorDeps } from '../../../src/executors/deps.js';
import { AppError } from '../../../src/shared/errors.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import {
  countRows,
  createExecutorTestBed,
  createTestContext,
  DEMO_TABLES,
  type ExecutorTestBed,
  NOW,
} from './support.js';

let bed: ExecutorTestBed;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  await bed.grantTaskLogin();
});
afterAll(async () => {
  await bed.close();
});

interface RunOptions {
  readOnly?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
  deps?: Partial<ExecutorDeps>;
  onLine?: (level: string, line: string) => void;
}

function run(sql: string, options: RunOptions = {}) {
  const executor = createCustomExecutor({ ...bed.deps, ...options.deps });
  const { context, log } = createTestContext({
    type: 'custom',
    params: { kind: 'sql', sql, ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }) },
    timeoutSeconds: options.timeoutSeconds ?? 60,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return { promise: executor(context), log };
}

/** Rows of pg_stat_activity for a backend pid, seen from another connection. */
async function backendsWithPid(pid: number): Promise<number> {
  const { rows } = await bed.database.pool.query<{ count: number }>(
    'select count(*)::int4 as count from pg_stat_activity where pid = $1',
    [pid],
  );
  return rows[0]?.count ?? -1;
}

async function sleepingBackends(): Promise<number> {
  const { rows } = await bed.database.pool.query<{ count: number }>(
    `select count(*)::int4 as count from pg_stat_activity
      where query like '%pg_sleep(60)%' and pid <> pg_backend_pid() and datname = current_database()`,
  );
  return rows[0]?.count ?? -1;
}

/** Runs `select pg_sleep(60)` and aborts it 1 s later, as the engine's timeout would. */
async function runAbortedSleep(timeoutSeconds: number) {
  const controller = new AbortController();
  let pid: number | undefined;
  const { promise } = run('select pg_sleep(60)', {
    timeoutSeconds,
    signal: controller.signal,
    onLine: (_level, line) => {
      const match = /on backend (\d+)/.exec(line);
      if (match) pid = Number(match[1]);
    },
  });
  const started = performance.now();
  const timer = setTimeout(() => controller.abort(new AppError('timed_out', 'engine timeout')), 1000);
  const error = await promise.catch((caught: unknown) => caught);
  clearTimeout(timer);
  return { error, elapsedMs: performance.now() - started, pid };
}

describe('custom executor: SQL', () => {
  it('runs a script of several statements in one transaction and reports rows', async () => {
    const result = await run(
      `update rate_limits set hits = hits where key in (select key from rate_limits order by key limit 3);
       insert into logs (level, message, created_at) select 'info', 'chore ' || g, now() from generate_series(1, 7) g;
       delete from logs where message like 'chore %' and message <> 'chore 1';
       select message from logs where message like 'chore %' order by message`,
    ).promise;
    expect(result.data).toEqual({
      kind: 'sql',
      statements: 4,
      rowCount: 3 + 7 + 6 + 1,
      rows: [{ message: 'chore 1' }],
    });
    await bed.database.pool.query("delete from logs where message like 'chore %'");
  });

  it('keeps only the first 20 rows in the result', async () => {
    const result = await run('select g as n, repeat($$x$$, 2000) as filler from generate_series(1, 100) g')
      .promise;
    expect(result.data.rowCount).toBe(100);
    const rows = result.data.rows as Array<{ n: number; filler: string }>;
    expect(rows.map((row) => row.n)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(rows[0]?.filler).toHaveLength(501);
  });

  it('rolls back everything when a statement fails', async () => {
    const before = await countRows(bed.database, ['logs']);
    await expect(run('delete from logs; select 1/0').promise).rejects.toThrow(/division by zero/);
    expect(await countRows(bed.database, ['logs'])).toEqual(before);
  });

  it('refuses writes when read-only, including one smuggled after COMMIT', async () => {
    const before = await countRows(bed.database, [...DEMO_TABLES]);
    await expect(run('delete from logs', { readOnly: true }).promise).rejects.toThrow(
      /read-only transaction/,
    );
    await expect(run('commit; delete from logs', { readOnly: true }).promise).rejects.toMatchObject({
      code: 'invalid_params',
      field: 'sql',
      message: expect.stringMatching(/^sql: COMMIT is not allowed/),
    });
    const result = await run('select count(*)::int4 as n from logs; select 2 as two', { readOnly: true })
      .promise;
    expect(result.data).toMatchObject({ statements: 2, rows: [{ two: 2 }] });
    expect(await countRows(bed.database, [...DEMO_TABLES])).toEqual(before);
  });

  it('runs as the restricted task login, not as chronops', async () => {
    const read = await run('select current_user::text as who, session_user::text as login').promise;
    expect(read.data.rows).toEqual([{ who: bed.taskRole, login: bed.taskRole }]);
  });

  describe('cannot escape to the service’s privileges', () => {
    it.each([
      [
        'RESET ROLE then COPY … TO PROGRAM',
        (file: string) => `reset role; copy (select 1) to program 'touch ${file}'`,
      ],
      ['COPY … TO a server file', (file: string) => `copy (select 1) to '${file}'`],
      ['pg_read_binary_file', () => "select pg_read_binary_file('/etc/hostname')"],
      ['SET ROLE postgres', () => 'set role postgres; delete from logs'],
      ['SET SESSION AUTHORIZATION', () => 'set session authorization postgres; delete from logs'],
      ['reading pg_authid', () => 'select rolname, rolpassword from pg_authid'],
      ['writing scheduled_tasks', () => "update scheduled_tasks set approval_state = 'approved'"],
      ['rewriting the audit log', () => 'delete from audit_log'],
      ['reading task_executions', () => 'select logs from task_executions'],
      [
        'queueing a run through execute_task_now',
        () => "select execute_task_now('00000000-0000-4000-8000-000000000001', null)",
      ],
      ['creating a table in public', () => 'create table planted (id int)'],
    ])('%s fails, and changes nothing', async (_what, sqlFor) => {
      const file = join(bed.dir, 'copied-by-task');
      rmSync(file, { force: true });
      const before = await countRows(bed.database, ['logs', 'audit_log', 'scheduled_tasks']);
      const error = await run(sqlFor(file)).promise.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/permission denied|must be superuser|not allowed/);
      expect(existsSync(file)).toBe(false);
      expect(await countRows(bed.database, ['logs', 'audit_log', 'scheduled_tasks'])).toEqual(before);
    });

    it.each([
      'commit; delete from audit_log',
      'rollback; delete from logs',
      'end; delete from logs',
      'abort',
      'begin; delete from logs',
      'start transaction',
      "prepare transaction 'x'",
      'delete from logs where id = -1; /* hidden */ COMMIT; delete from logs',
    ])('%j is refused before anything runs', async (sql) => {
      const before = await countRows(bed.database, ['logs', 'audit_log']);
      await expect(run(sql).promise).rejects.toMatchObject({
        code: 'invalid_params',
        message: expect.stringMatching(/is not allowed: the task's SQL runs inside one transaction/),
      });
      expect(await countRows(bed.database, ['logs', 'audit_log'])).toEqual(before);
    });

    it('a COMMIT inside a DO block cannot end the transaction either', async () => {
      await expect(run('do $$ begin commit; end $$').promise).rejects.toThrow(
        /invalid transaction termination/,
      );
    });

    it('keeps SAVEPOINT and ROLLBACK TO, which stay inside the transaction', async () => {
      const result = await run(
        'savepoint a; delete from logs; rollback to savepoint a; select count(*)::int4 > 0 as kept from logs',
      ).promise;
      expect(result.data.rows).toEqual([{ kept: true }]);
    });
  });

  it('refuses a task login that could reach past its role, and runs nothing', async () => {
    const before = await countRows(bed.database, ['logs']);
    await expect(
      run('delete from logs', { deps: { taskDatabaseUrl: bed.database.url } }).promise,
    ).rejects.toMatchObject({
      code: 'task_sql_unsafe_login',
      message: expect.stringMatching(/is a superuser/),
    });
    await bed.database.pool.query(`grant select on audit_log to ${bed.taskRole}`);
    try {
      await expect(run('delete from logs').promise).rejects.toMatchObject({
        code: 'task_sql_unsafe_login',
        message: expect.stringMatching(/has rights on chronops's own tables \(public.audit_log\)/),
      });
    } finally {
      await bed.database.pool.query(`revoke all on audit_log from ${bed.taskRole}`);
    }
    expect(await countRows(bed.database, ['logs'])).toEqual(before);
  });

  it('refuses user SQL when no task login is configured, with the sentence that says how', async () => {
    await expect(run('select 1', { deps: { taskDatabaseUrl: undefined } }).promise).rejects.toMatchObject({
      code: 'task_sql_unavailable',
      message: expect.stringMatching(/set TASK_DATABASE_URL/),
    });
  });

  it('gives up a lock wait at the task timeout (lock_timeout) and leaves no backend waiting', async () => {
    const holder = new pg.Client({ connectionString: bed.database.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table logs in access exclusive mode');
      const started = performance.now();
      const error = await run('delete from logs where id = -1', { timeoutSeconds: 1 }).promise.catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'timed_out', message: expect.stringMatching(/lock_timeout/) });
      expect(performance.now() - started).toBeLessThan(5000);
      const { rows } = await bed.database.pool.query<{ count: number }>(
        // This database only: other test files run custom SQL beside this one.
        "select count(*)::int4 as count from pg_stat_activity where application_name = 'chronops:custom-sql' and datname = current_database()",
      );
      expect(rows[0]?.count).toBe(0);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  });

  it('stops pg_sleep(60) with a 1 s timeout within 3 s, and its backend is gone', async () => {
    const { error, elapsedMs, pid } = await runAbortedSleep(1);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('timed_out');
    expect(elapsedMs).toBeLessThan(3000);
    expect(pid).toEqual(expect.any(Number));
    expect(await backendsWithPid(pid!)).toBe(0);
    expect(await sleepingBackends()).toBe(0);
  });

  it('cancels the query on abort alone (no statement_timeout yet), and its backend is gone', async () => {
    const { error, elapsedMs, pid } = await runAbortedSleep(3600);
    expect(error).toMatchObject({ code: 'timed_out', message: 'engine timeout' });
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(elapsedMs).toBeLessThan(3000);
    expect(await backendsWithPid(pid!)).toBe(0);
    expect(await sleepingBackends()).toBe(0);
  });

  it("reports the server's statement_timeout as timed_out", async () => {
    const started = performance.now();
    const error = await run('select pg_sleep(60)', { timeoutSeconds: 1 }).promise.catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'timed_out' });
    expect((error as Error).message).toMatch(/statement_timeout/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await sleepingBackends()).toBe(0);
  });

  it('returns no connection to the pool and leaves no session behind', async () => {
    const client = new pg.Client({ connectionString: bed.database.url });
    await client.connect();
    try {
      await run('select 1').promise;
      const { rows } = await client.query<{ count: number }>(
        // This database only: other test files run custom SQL beside this one.
        "select count(*)::int4 as count from pg_stat_activity where application_name = 'chronops:custom-sql' and datname = current_database()",
      );
      expect(rows[0]?.count).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses invalid params before connecting', async () => {
    const executor = createCustomExecutor(bed.deps);
    const { context } = createTestContext({ type: 'custom', params: { kind: 'sql', sql: '   ' } });
    await expect(executor(context)).rejects.toMatchObject({ code: 'invalid_params', field: 'sql' });
    const other = createTestContext({ type: 'custom', params: { kind: 'shell', command: 'rm -rf /' } });
    await expect(executor(other.context)).rejects.toMatchObject({ code: 'invalid_params', field: 'kind' });
  });
});
