import { randomBytes } from 'node:crypto';
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
const role = `chronops_task_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  await bed.database.pool.query(`create role ${role} nologin`);
  await bed.database.pool.query(`grant select on logs to ${role}`);
});
afterAll(async () => {
  await bed.database.pool.query(`drop owned by ${role}`);
  await bed.database.pool.query(`drop role ${role}`);
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
      where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()`,
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
      `create table chores (id int primary key, done boolean not null default false);
       insert into chores (id) select generate_series(1, 7);
       update chores set done = true where id <= 3;
       select id, done from chores order by id`,
    ).promise;
    expect(result.data).toEqual({
      kind: 'sql',
      statements: 4,
      rowCount: 7 + 3 + 7,
      rows: [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, done: id <= 3 })),
    });
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
      message: expect.stringMatching(/^sql: must be a single statement/),
    });
    const result = await run('select count(*)::int4 as n from logs', { readOnly: true }).promise;
    expect(result.data.rows).toEqual([{ n: before.logs }]);
    expect(await countRows(bed.database, [...DEMO_TABLES])).toEqual(before);
  });

  it('runs as TASK_DB_ROLE when configured', async () => {
    const before = await countRows(bed.database, ['logs', 'users']);
    const read = await run('select current_user as who, count(*)::int4 as n from logs', {
      deps: { taskDbRole: role },
    }).promise;
    expect(read.data.rows).toEqual([{ who: role, n: before.logs }]);
    await expect(run('delete from logs', { deps: { taskDbRole: role } }).promise).rejects.toThrow(
      /permission denied/,
    );
    await expect(run('select count(*) from users', { deps: { taskDbRole: role } }).promise).rejects.toThrow(
      /permission denied/,
    );
    expect(await countRows(bed.database, ['logs', 'users'])).toEqual(before);
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
        "select count(*)::int4 as count from pg_stat_activity where application_name = 'chronops:custom-sql'",
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
