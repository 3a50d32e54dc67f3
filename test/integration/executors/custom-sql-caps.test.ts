import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueBytes } from '../../../src/executors/capped-result.js';
import { createCustomExecutor } from '../../../src/executors/custom.js';
import type { ExecutorDeps } from '../../../src/executors/deps.js';
import { createNotificationExecutor } from '../../../src/executors/notification.js';
import { withTaskSql } from '../../../src/executors/task-sql-session.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createExecutorTestBed, createTestContext, type ExecutorTestBed, NOW } from './support.js';

/**
 * User SQL results are read through a cursor and capped (docs/RELIABILITY.md, "Review findings"): at most CUSTOM_RESULT_MAX_ROWS
 * rows and CUSTOM_RESULT_MAX_BYTES bytes of a statement's result are kept, the rest is never fetched.
 */
let bed: ExecutorTestBed;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  await bed.grantTaskLogin();
  // Counts the rows PostgreSQL actually produced (nextval is not rolled back).
  await bed.database.pool.query('create sequence produced_rows');
  await bed.database.pool.query(`grant usage on sequence produced_rows to "${bed.taskRole}"`);
});
afterAll(async () => {
  await bed.close();
});

function runCustom(sql: string, deps: Partial<ExecutorDeps> = {}) {
  const executor = createCustomExecutor({ ...bed.deps, ...deps });
  const { context, log } = createTestContext({ type: 'custom', params: { kind: 'sql', sql } });
  return { promise: executor(context), log };
}

const KIB = 1024;

describe('custom SQL results are capped', () => {
  it('keeps the first 1,000 rows of a 5,000,000-row select, quickly, without loading the rest', async () => {
    await bed.database.pool.query("select setval('produced_rows', 1, false)");
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 5);
    const started = performance.now();
    const { promise, log } = runCustom(
      `select nextval('produced_rows') as n, md5(g::text) as digest
         from (select generate_series(1, 5000000) as g) as series`,
    );
    const result = await promise.finally(() => clearInterval(sampler));
    const elapsedMs = performance.now() - started;

    expect(result.data).toMatchObject({
      kind: 'sql',
      statements: 1,
      rowCount: 1000,
      truncated: 'first 1,000 of more rows kept (CUSTOM_RESULT_MAX_ROWS)',
    });
    expect(result.summary).toBe(
      '1 statement, 1000+ rows (first 1,000 of more rows kept (CUSTOM_RESULT_MAX_ROWS))',
    );
    expect((result.data.rows as unknown[]).length).toBe(20);
    expect(log.text()).toMatch(
      /statement 1: first 1,000 of more rows kept \(CUSTOM_RESULT_MAX_ROWS\); the rest was not read/,
    );
    // The portal was closed: PostgreSQL produced the rows read (1,001 and a batch's worth), not 5,000,000.
    const produced = await bed.database.pool.query<{ n: string }>(
      'select last_value as n from produced_rows',
    );
    expect(Number(produced.rows[0]?.n)).toBeLessThan(2000);
    // Loaded whole, 5,000,000 rows take well over a gigabyte of heap and many seconds.
    expect(heapPeak - heapBefore).toBeLessThan(64 * 1024 * KIB);
    expect(elapsedMs).toBeLessThan(5000);
  });

  it('keeps a result that fits whole, with no truncation note', async () => {
    const result = await runCustom('select g as n from generate_series(1, 1000) g').promise;
    expect(result.data.rowCount).toBe(1000);
    expect(result.data).not.toHaveProperty('truncated');
    expect(result.summary).toBe('1 statement, 1000 rows');
  });

  it('cuts a row wider than CUSTOM_RESULT_MAX_BYTES and keeps nothing after it', async () => {
    const caps = { maxRows: 1000, maxBytes: 64 * KIB };
    const { promise, log } = runCustom(
      "select g as n, repeat('x', 200000) as wide from generate_series(1, 3) g",
      { resultCaps: caps },
    );
    const result = await promise;
    expect(result.data).toMatchObject({
      rowCount: 1,
      truncated: 'first 1 row kept, cut at 64 KiB (CUSTOM_RESULT_MAX_BYTES)',
    });
    expect(log.text()).toMatch(/cut at 64 KiB \(CUSTOM_RESULT_MAX_BYTES\); the rest was not read/);

    // What the session hands the executor: the wide value cut to the bytes left, multi-byte text included.
    const rows = await withTaskSql(
      {
        url: bed.deps.taskDatabaseUrl,
        protectedTables: [],
        readOnly: true,
        timeoutMs: 30_000,
        caps,
        signal: new AbortController().signal,
        log: createTestContext({ type: 'custom', params: {} }).log,
        applicationName: 'chronops:test',
      },
      false,
      async (transaction) => {
        const wide = await transaction.run<{ n: number; wide: string }>(
          "select g as n, repeat('é', 200000) as wide from generate_series(1, 3) g",
        );
        const narrow = await transaction.run<{ n: number; filler: string }>(
          "select g as n, repeat('y', 10000) as filler from generate_series(1, 100) g",
        );
        return { wide, narrow };
      },
    );
    expect(rows.wide.truncated).toEqual({ by: 'bytes', keptRows: 1 });
    expect(rows.wide.rowCount).toBeNull();
    const cutValue = rows.wide.rows[0]!.wide;
    expect(cutValue.endsWith('…')).toBe(true);
    expect(cutValue.slice(0, -1)).toMatch(/^é+$/);
    expect(Buffer.byteLength(cutValue)).toBeLessThanOrEqual(64 * KIB + 3);
    expect(Buffer.byteLength(cutValue)).toBeGreaterThan(63 * KIB);
    // 10,008 bytes a row: six fit in 64 KiB, the seventh is cut, nothing after it is kept.
    expect(rows.narrow.truncated).toEqual({ by: 'bytes', keptRows: 7 });
    expect(rows.narrow.rows.map((row) => row.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const kept = rows.narrow.rows.reduce((sum, row) => sum + valueBytes(row.n) + valueBytes(row.filler), 0);
    expect(kept).toBeLessThanOrEqual(64 * KIB + 3);
  });

  it('still reports DML row counts, and applies a DML whose RETURNING rows pass the cap', async () => {
    const { promise, log } = runCustom(
      `insert into logs (level, message, created_at)
         select 'info', 'capped ' || g, now() from generate_series(1, 50) g returning id;
       update logs set level = 'warn' where message like 'capped %';
       delete from logs where message like 'capped %' and level = 'warn'`,
      { resultCaps: { maxRows: 10, maxBytes: 64 * KIB } },
    );
    const result = await promise;
    // The insert kept 10 of its 50 RETURNING rows; all 50 were inserted, updated and deleted.
    expect(result.data).toMatchObject({
      statements: 3,
      rowCount: 10 + 50 + 50,
      truncated: 'statement 1: first 10 of more rows kept (CUSTOM_RESULT_MAX_ROWS)',
    });
    expect(log.text()).toMatch(/UPDATE: 50 rows/);
    expect(log.text()).toMatch(/DELETE: 50 rows/);
    const left = await bed.database.pool.query(
      "select count(*)::int as n from logs where message like 'capped %'",
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('bounds the bytes a custom notification query reads', async () => {
    const executor = createNotificationExecutor({
      ...bed.deps,
      resultCaps: { maxRows: 1000, maxBytes: 16 * KIB },
    });
    const { context, log } = createTestContext({
      type: 'notification',
      params: {
        query: 'custom',
        sql: "select g as n, repeat('z', 100000) as wide from generate_series(1, 40) g",
        maxListed: 5,
      },
    });
    const result = await executor(context);
    expect(result.data).toMatchObject({ query: 'custom', matched: 40 });
    expect(log.text()).toMatch(/the matched rows passed CUSTOM_RESULT_MAX_BYTES: 1 read, the last one cut/);
  });
});
