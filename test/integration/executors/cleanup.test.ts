import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanupExecutor } from '../../../src/executors/cleanup.js';
import type { Executor } from '../../../src/executors/types.js';
import { AppError } from '../../../src/shared/errors.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createTask } from '../../../src/store/tasks.js';
import { makeDraft } from '../../support/fixtures.js';
import {
  countRows,
  createExecutorTestBed,
  createTestContext,
  DEMO_TABLES,
  type ExecutorTestBed,
  NOW,
} from './support.js';

const DAY_MS = 86_400_000;
let bed: ExecutorTestBed;
let cleanup: Executor;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  cleanup = createCleanupExecutor(bed.deps);
});
afterAll(async () => {
  await bed.close();
});

async function scalar(text: string, values: unknown[] = []): Promise<number> {
  const { rows } = await bed.database.pool.query<{ value: number }>(text, values);
  return Number(rows[0]?.value);
}

function run(
  params: Record<string, unknown>,
  options: { signal?: AbortSignal; onLine?: (level: string, line: string) => void } = {},
) {
  const { context, log } = createTestContext({ type: 'cleanup', params, ...options });
  return { promise: cleanup(context), log };
}

describe('cleanup executor', () => {
  it('deletes exactly the rows older than the retention, in batches', async () => {
    await bed.database.pool.query(
      'create table events (id serial primary key, happened_at timestamptz not null)',
    );
    await bed.database.pool.query(
      `insert into events (happened_at)
       select $1::timestamptz - make_interval(days => 31 + g) from generate_series(1, 12) g
       union all select $1::timestamptz - make_interval(days => g) from generate_series(1, 8) g`,
      [NOW],
    );
    const { promise } = run({
      table: 'events',
      timestampColumn: 'happened_at',
      olderThanDays: 30,
      batchSize: 5,
    });
    const result = await promise;
    expect(result.data).toEqual({
      mode: 'older_than',
      table: 'public.events',
      deleted: 12,
      archived: 0,
      batches: 3,
      cutoff: new Date(NOW.getTime() - 30 * DAY_MS).toISOString(),
    });
    expect(await scalar('select count(*)::int4 as value from events')).toBe(8);
  });

  it('cleans old demo logs: every deleted row was older than 30 days, every newer one remains', async () => {
    const cutoff = new Date(NOW.getTime() - 30 * DAY_MS);
    const before = await scalar('select count(*)::int4 as value from logs');
    const old = await scalar('select count(*)::int4 as value from logs where created_at < $1', [cutoff]);
    expect(old).toBeGreaterThan(1000);
    const result = await run({
      mode: 'older_than',
      table: 'logs',
      timestampColumn: 'created_at',
      olderThanDays: 30,
      batchSize: 500,
    }).promise;
    expect(result.data).toMatchObject({ deleted: old, batches: Math.floor(old / 500) + 1 });
    expect(await scalar('select count(*)::int4 as value from logs')).toBe(before - old);
    expect(await scalar('select count(*)::int4 as value from logs where created_at < $1', [cutoff])).toBe(0);
  });

  it('deletes expired rate limits (expires_at before now)', async () => {
    const expired = await scalar('select count(*)::int4 as value from rate_limits where expires_at < $1', [
      NOW,
    ]);
    const total = await scalar('select count(*)::int4 as value from rate_limits');
    expect(expired).toBeGreaterThan(0);
    const result = await run({ mode: 'expired', table: 'rate_limits' }).promise;
    expect(result.data).toMatchObject({ mode: 'expired', deleted: expired, batches: 1 });
    expect(result.summary).toBe(`deleted ${expired} rows from public.rate_limits in 1 batch`);
    expect(await scalar('select count(*)::int4 as value from rate_limits')).toBe(total - expired);
  });

  it('archives stale conversations: every row ends up exactly once across archive and source', async () => {
    const cutoff = new Date(NOW.getTime() - 30 * DAY_MS);
    const stale = await scalar(
      'select count(*)::int4 as value from conversations where last_message_at < $1',
      [cutoff],
    );
    const fingerprint = async (table: string) =>
      (await bed.database.pool.query(`select id, user_id, title, created_at, last_message_at from ${table}`))
        .rows;
    const original = await fingerprint('conversations');
    const params = {
      mode: 'archive',
      table: 'conversations',
      timestampColumn: 'last_message_at',
      olderThanDays: 30,
      batchSize: 300,
    };

    const result = await run(params).promise;
    expect(result.data).toMatchObject({
      mode: 'archive',
      deleted: stale,
      archived: stale,
      batches: Math.floor(stale / 300) + 1,
    });
    const source = await fingerprint('conversations');
    const archive = await fingerprint('conversations_archive');
    expect(archive).toHaveLength(stale);
    expect(source).toHaveLength(original.length - stale);
    const ids = [...source, ...archive].map((row) => Number(row.id)).sort((a, b) => a - b);
    expect(new Set(ids).size).toBe(original.length);
    expect(ids).toEqual(original.map((row) => Number(row.id)).sort((a, b) => a - b));
    // Archived rows are copied intact, not just their ids.
    const byId = new Map(original.map((row) => [Number(row.id), row]));
    for (const row of archive) expect(row).toEqual(byId.get(Number(row.id)));

    const again = await run(params).promise;
    expect(again.data).toMatchObject({ archived: 0, batches: 1 });
    expect(await scalar('select count(*)::int4 as value from conversations_archive')).toBe(stale);
  });

  it('prunes execution history, keeping failures longer than successes and never touching live rows', async () => {
    const task = await createTask(bed.database.db, makeDraft(), { actor: { id: 'UTEST' }, now: NOW });
    const ages: Array<[string, number, boolean]> = [
      ['success', 40, true],
      ['success', 10, false],
      ['skipped', 40, true],
      ['cancelled', 31, true],
      ['failed', 40, false],
      ['failed', 100, true],
      ['timed_out', 100, true],
      ['timed_out', 60, false],
      ['running', 200, false],
      ['queued', 200, false],
    ];
    for (const [status, days] of ages) {
      await bed.database.pool.query(
        `insert into task_executions (task_id, trigger, status, created_at) values ($1, 'manual', $2, $3)`,
        [task.id, status, new Date(NOW.getTime() - days * DAY_MS)],
      );
    }
    const result = await run({ mode: 'execution_history', successDays: 30, failureDays: 90, batchSize: 2 })
      .promise;
    expect(result.data).toMatchObject({
      mode: 'execution_history',
      table: 'public.task_executions',
      deleted: 5,
      batches: 3,
    });
    const { rows } = await bed.database.pool.query<{ status: string; days: number }>(
      `select status, round(extract(epoch from ($1::timestamptz - created_at)) / 86400)::int4 as days
         from task_executions where task_id = $2 order by status, days`,
      [NOW, task.id],
    );
    expect(rows).toEqual(
      ages
        .filter(([, , deleted]) => !deleted)
        .map(([status, days]) => ({ status, days }))
        .sort((a, b) => a.status.localeCompare(b.status) || a.days - b.days),
    );
  });

  it('stops between batches when aborted, keeping the batches already committed', async () => {
    await bed.database.pool.query('create table pings (id serial primary key, at timestamptz not null)');
    await bed.database.pool.query(
      `insert into pings (at) select $1::timestamptz - interval '40 days' from generate_series(1, 50)`,
      [NOW],
    );
    const controller = new AbortController();
    const { promise } = run(
      { table: 'pings', timestampColumn: 'at', olderThanDays: 30, batchSize: 10 },
      {
        signal: controller.signal,
        onLine: (_level, line) => {
          if (line.startsWith('batch 2:')) controller.abort(new AppError('cancelled', 'stopped by test'));
        },
      },
    );
    await expect(promise).rejects.toMatchObject({ code: 'cancelled', message: 'stopped by test' });
    expect(await scalar('select count(*)::int4 as value from pings')).toBe(30);
  });

  describe('refuses bad identifiers before deleting anything', () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [
        'an injection in the table name',
        { table: 'users; drop table x', timestampColumn: 'created_at', olderThanDays: 1 },
        'table',
        /^table: "users; drop table x" is not a valid table name/,
      ],
      [
        'a quoted table name with a comment',
        { table: '"users"--', timestampColumn: 'created_at', olderThanDays: 1 },
        'table',
        /^table: "\\"users\\"--" is not a valid table name/,
      ],
      [
        'an unknown table',
        { table: 'no_such_table', timestampColumn: 'created_at', olderThanDays: 1 },
        'table',
        /^table: there is no table "no_such_table"/,
      ],
      [
        'an unknown column',
        { table: 'users', timestampColumn: 'signed_up_at', olderThanDays: 1 },
        'timestampColumn',
        /^timestampColumn: table "users" has no column "signed_up_at"/,
      ],
      [
        'a non-timestamp column',
        { table: 'users', timestampColumn: 'email', olderThanDays: 1 },
        'timestampColumn',
        /^timestampColumn: column "email" of "users" is text, not a timestamp/,
      ],
      [
        'an injection in a column name',
        { mode: 'expired', table: 'rate_limits', expiresColumn: 'expires_at < now() or 1=1 --' },
        'expiresColumn',
        /^expiresColumn: .* is not a valid column name/,
      ],
      [
        'a system catalog',
        { table: 'pg_catalog.pg_class', timestampColumn: 'created_at', olderThanDays: 1 },
        'table',
        /^table: "pg_catalog.pg_class" is a system catalog/,
      ],
      [
        "chronops' own tables",
        { table: 'scheduled_tasks', timestampColumn: 'created_at', olderThanDays: 1 },
        'table',
        /^table: "scheduled_tasks" is chronops' own table/,
      ],
      [
        'a view',
        { table: 'recent_users', timestampColumn: 'created_at', olderThanDays: 1 },
        'table',
        /^table: "recent_users" is not a table/,
      ],
      [
        'an unknown parameter',
        { mode: 'archive', table: 'users', timestampColumn: 'created_at', olderThanDays: 1, extra: 1 },
        'extra',
        /^extra: is not a parameter of cleanup tasks/,
      ],
    ];

    it.each(cases)('%s', async (_label, params, field, message) => {
      await bed.database.pool.query('create or replace view recent_users as select * from users');
      const before = await countRows(bed.database, [...DEMO_TABLES, 'scheduled_tasks', 'task_executions']);
      const error = await run(params).promise.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'invalid_params', field });
      expect((error as AppError).message).toMatch(message);
      expect(await countRows(bed.database, [...DEMO_TABLES, 'scheduled_tasks', 'task_executions'])).toEqual(
        before,
      );
    });
  });
});
