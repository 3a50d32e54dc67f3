import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorDeps } from '../../../src/executors/deps.js';
import { createNotificationExecutor } from '../../../src/executors/notification.js';
import { AppError } from '../../../src/shared/errors.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { waitUntil } from '../../support/wait-until.js';
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

function run(
  params: Record<string, unknown>,
  options: { signal?: AbortSignal; timeoutSeconds?: number; deps?: Partial<ExecutorDeps> } = {},
) {
  const executor = createNotificationExecutor({ ...bed.deps, ...options.deps });
  const { deps: _deps, ...contextOptions } = options;
  const { context } = createTestContext({
    type: 'notification',
    params,
    name: 'Quota watch',
    ...contextOptions,
  });
  return executor(context);
}

function sectionText(result: Awaited<ReturnType<typeof run>>): string {
  const block = result.messages?.[0]?.blocks?.[0] as { text: { text: string } } | undefined;
  return block?.text.text ?? '';
}

describe('notification executor', () => {
  it('lists users under the quota threshold, fewest messages left first, then "and N more"', async () => {
    const { rows } = await bed.database.pool.query<{ email: string; remaining: number }>(
      `select email, quota - messages_sent as remaining from users
        where quota - messages_sent < 10 order by quota - messages_sent, email`,
    );
    expect(rows.length).toBeGreaterThan(5);
    const result = await run({ query: 'low_quota', threshold: 10, maxListed: 5 });
    expect(result.data).toEqual({ query: 'low_quota', matched: rows.length, listed: 5 });
    expect(result.messages).toHaveLength(1);
    const text = sectionText(result);
    const listed = text.split('\n').slice(1);
    expect(listed).toEqual(
      rows
        .slice(0, 5)
        .map((row) => expect.stringMatching(new RegExp(`^• ${row.email} — ${row.remaining} left of \\d+$`))),
    );
    expect(text.split('\n')[0]).toBe(
      `*${rows.length} users have fewer than 10 messages left in their quota*`,
    );
    expect(result.messages![0]!.blocks![1]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `and ${rows.length - 5} more` }],
    });
  });

  it('posts nothing when nothing matches', async () => {
    const result = await run({ query: 'low_quota', threshold: 0 });
    expect(result.data).toEqual({ query: 'low_quota', matched: 0, listed: 0 });
    expect(result.messages).toEqual([]);
    expect(result.summary).toBe('nothing matched; no message');
  });

  it('runs a custom condition query and escapes what it returns', async () => {
    const expected = await bed.database.pool.query<{ count: number }>(
      "select count(*)::int4 as count from logs where level = 'error'",
    );
    const result = await run({
      query: 'custom',
      sql: "select '<!channel>' as who, id from logs where level = 'error' order by id; -- trailing comment",
      maxListed: 3,
      message: 'Errors in the <app> & co',
    });
    expect(result.data).toEqual({ query: 'custom', matched: expected.rows[0]?.count, listed: 3 });
    const text = sectionText(result);
    expect(text.split('\n')[0]).toBe('*Errors in the &lt;app&gt; &amp; co*');
    expect(text).toMatch(/^• who: &lt;!channel&gt;, id: \d+$/m);
    expect(text).not.toContain('<!channel>');
  });

  it('runs custom SQL read-only, one statement, nothing changed', async () => {
    const before = await countRows(bed.database, [...DEMO_TABLES]);
    // A data-modifying statement is not allowed in a subquery, and would meet a read-only transaction.
    await expect(run({ query: 'custom', sql: 'delete from users returning id' })).rejects.toThrow(
      /syntax error/,
    );
    await expect(
      run({ query: 'custom', sql: 'with gone as (delete from users returning id) select * from gone' }),
    ).rejects.toThrow(
      /read-only transaction|WITH clause containing a data-modifying statement must be at the top level/,
    );
    for (const sql of ['select 1) as q; delete from users; select (1', 'select 1; delete from users']) {
      await expect(run({ query: 'custom', sql })).rejects.toMatchObject({
        code: 'invalid_params',
        field: 'sql',
        message: 'sql: must be a single statement (found text after ";").',
      });
    }
    expect(await countRows(bed.database, [...DEMO_TABLES])).toEqual(before);
    // The pool still works after failed sessions were discarded.
    expect((await run({ query: 'low_quota', threshold: 10 })).data.matched).toBeGreaterThan(0);
  });

  it('cancels a slow custom query on abort', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const promise = run({ query: 'custom', sql: 'select pg_sleep(60)' }, { signal: controller.signal });
    setTimeout(() => controller.abort(new AppError('cancelled', 'stop')), 300);
    await expect(promise).rejects.toMatchObject({ code: 'cancelled', message: 'stop' });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('refuses a custom query without SQL, naming the field', async () => {
    await expect(run({ query: 'custom' })).rejects.toMatchObject({ code: 'invalid_params', field: 'sql' });
    await expect(run({ query: 'everyone' })).rejects.toMatchObject({
      code: 'invalid_params',
      field: 'query',
    });
  });

  it("runs a custom query as the restricted task login, with no right on chronops's tables", async () => {
    const who = await run({ query: 'custom', sql: 'select current_user::text as login' });
    expect(sectionText(who)).toContain(`login: ${bed.taskRole}`);
    for (const sql of [
      'select id from scheduled_tasks',
      'select id from audit_log',
      'select rolname from pg_authid',
      "select pg_read_binary_file('/etc/hostname') as f",
    ]) {
      await expect(run({ query: 'custom', sql }), sql).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses a custom query when no task login is configured, and one that logs in as a superuser', async () => {
    await expect(
      run({ query: 'custom', sql: 'select 1' }, { deps: { taskDatabaseUrl: undefined } }),
    ).rejects.toMatchObject({
      code: 'task_sql_unavailable',
      message: expect.stringMatching(/TASK_DATABASE_URL/),
    });
    await expect(
      run({ query: 'custom', sql: 'select 1' }, { deps: { taskDatabaseUrl: bed.database.url } }),
    ).rejects.toMatchObject({
      code: 'task_sql_unsafe_login',
      message: expect.stringMatching(/is a superuser/),
    });
    // The built-in low-quota query is chronops's own SQL and needs no task login.
    const builtIn = await run(
      { query: 'low_quota', threshold: 10 },
      { deps: { taskDatabaseUrl: undefined } },
    );
    expect(builtIn.data.matched).toBeGreaterThan(0);
  });

  it('never returns a session with state to a pool: an advisory lock taken by the query dies with it', async () => {
    await run({ query: 'custom', sql: 'select pg_advisory_lock(727274001) as locked' });
    // The backend releases its locks as it exits, a moment after the client has closed the socket.
    await waitUntil(
      async () => {
        const { rows } = await bed.database.pool.query<{ held: number }>(
          `select count(*)::int4 as held from pg_locks
            where locktype = 'advisory' and objid = 727274001
              and database = (select oid from pg_database where datname = current_database())`,
        );
        return rows[0]?.held === 0;
      },
      10_000,
      'the advisory lock taken by the notification query is released',
    );
  });
});
