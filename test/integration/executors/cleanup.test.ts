import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemTaskDefinitions } from '../../../src/domain/templates.js';
import { createCleanupExecutor } from '../../../src/executors/cleanup.js';
import type { Executor } from '../../../src/executors/types.js';
import { AppError } from '../../../src/shared/errors.js';
import { CHRONOPS_TABLES } from '../../../src/store/chronops-tables.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createTask } from '../../../src/store/tasks.js';
import { scalar } from '../../support/database.js';
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
    expect(await scalar(bed.database.pool, 'select count(*)::int4 as value from events')).toBe(8);
  });

  it('cleans old demo logs: every deleted row was older than 30 days, every newer one remains', async () => {
    const cutoff = new Date(NOW.getTime() - 30 * DAY_MS);
    const before = await scalar(bed.database.pool, 'select count(*)::int4 as value from logs');
    const old = await scalar(
      bed.database.pool,
      'select count(*)::int4 as value from logs where created_at < $1',
      [cutoff],
    );
    expect(old).toBeGreaterThan(1000);
    const result = await run({
      mode: 'older_than',
      table: 'logs',
      timestampColumn: 'created_at',
      olderThanDays: 30,
      batchSize: 500,
    }).promise;
    expect(result.data).toMatchObject({ deleted: old, batches: Math.floor(old / 500) + 1 });
    expect(await scalar(bed.database.pool, 'select count(*)::int4 as value from logs')).toBe(before - old);
    expect(
      await scalar(bed.database.pool, 'select count(*)::int4 as value from logs where created_at < $1', [
        cutoff,
      ]),
    ).toBe(0);
  });

  it('deletes expired rate limits (expires_at before now)', async () => {
    const expired = await scalar(
      bed.database.pool,
      'select count(*)::int4 as value from rate_limits where expires_at < $1',
      [NOW],
    );
    const total = await scalar(bed.database.pool, 'select count(*)::int4 as value from rate_limits');
    expect(expired).toBeGreaterThan(0);
    const result = await run({ mode: 'expired', table: 'rate_limits' }).promise;
    expect(result.data).toMatchObject({ mode: 'expired', deleted: expired, batches: 1 });
    expect(result.summary).toBe(`deleted ${expired} rows from public.rate_limits in 1 batch`);
    expect(await scalar(bed.database.pool, 'select count(*)::int4 as value from rate_limits')).toBe(
      total - expired,
    );
  });

  it('archives stale conversations: every row ends up exactly once across archive and source', async () => {
    const cutoff = new Date(NOW.getTime() - 30 * DAY_MS);
    const stale = await scalar(
      bed.database.pool,
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
    expect(await scalar(bed.database.pool, 'select count(*)::int4 as value from conversations_archive')).toBe(
      stale,
    );
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
    expect(await scalar(bed.database.pool, 'select count(*)::int4 as value from pings')).toBe(30);
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

describe('refuses tables other tables reference by foreign key', () => {
  const old = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

  async function relationExists(name: string): Promise<boolean> {
    return (
      (await scalar(bed.database.pool, 'select (to_regclass($1) is not null)::int4 as value', [name])) === 1
    );
  }

  it.each([
    ['archive', 'cascade'],
    ['older_than', 'cascade'],
    ['archive', 'restrict'],
    ['older_than', 'no action'],
    ['expired', 'set null'],
  ])(
    '%s mode, child key on delete %s: nothing moves, the sentence names the child table',
    async (mode, action) => {
      const suffix = `${mode}_${action.replace(' ', '_')}`;
      const parent = `tickets_${suffix}`;
      const child = `ticket_comments_${suffix}`;
      await bed.database.pool.query(
        `create table ${parent} (id serial primary key, closed_at timestamptz not null, expires_at timestamptz not null);
       create table ${child} (id serial primary key, ticket_id int references ${parent} (id) on delete ${action}, body text);
       insert into ${parent} (closed_at, expires_at) select $1::timestamptz, $1::timestamptz from generate_series(1, 5);
       insert into ${child} (ticket_id, body) select id, 'kept' from ${parent};`.replaceAll(
          '$1::timestamptz',
          `'${old(60).toISOString()}'::timestamptz`,
        ),
      );
      const params =
        mode === 'expired'
          ? { mode, table: parent }
          : { mode, table: parent, timestampColumn: 'closed_at', olderThanDays: 30 };

      const error = await run(params).promise.catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'invalid_params', field: 'table' });
      expect((error as AppError).message).toBe(
        `table: "${parent}" is referenced by foreign keys of public.${child}; deleting its rows would also delete, empty or block rows there, so clean-ups refuse it; a custom SQL task can delete from both tables explicitly.`,
      );
      expect(await scalar(bed.database.pool, `select count(*)::int4 as value from ${parent}`)).toBe(5);
      expect(
        await scalar(
          bed.database.pool,
          `select count(*)::int4 as value from ${child} where ticket_id is not null`,
        ),
      ).toBe(5);
      expect(await relationExists(`${parent}_archive`)).toBe(false);
    },
  );

  it('refuses a self-referencing table, and names every referencing table once', async () => {
    await bed.database.pool.query(
      `create table folders (id serial primary key, parent_id int references folders (id) on delete cascade,
                             created_at timestamptz not null);
       create table folder_files (id serial primary key, folder_id int references folders (id) on delete cascade);
       create table folder_tags (folder_id int references folders (id), other_id int references folders (id));`,
    );
    const error = await run({
      table: 'folders',
      timestampColumn: 'created_at',
      olderThanDays: 1,
    }).promise.catch((caught: unknown) => caught);
    expect((error as AppError).message).toMatch(
      /^table: "folders" is referenced by foreign keys of public\.folder_files, public\.folder_tags, public\.folders;/,
    );
  });

  it('counts partitions: a key on a partitioned table protects each of its partitions', async () => {
    await bed.database.pool.query(
      `create table readings (id int, at timestamptz, primary key (id, at)) partition by range (at);
       create table readings_2026 partition of readings for values from ('2026-01-01') to ('2027-01-01');
       create table reading_notes (reading_id int, reading_at timestamptz,
                                   foreign key (reading_id, reading_at) references readings on delete cascade);`,
    );
    for (const table of ['readings', 'readings_2026']) {
      const error = await run({ table, timestampColumn: 'at', olderThanDays: 1 }).promise.catch(
        (caught: unknown) => caught,
      );
      expect((error as AppError).message).toMatch(
        new RegExp(`^table: "${table}" is referenced by foreign keys of public\\.reading_notes;`),
      );
    }
  });

  it('demo schema: nothing references conversations, so the system archiving task runs; users is refused', async () => {
    const references = await bed.database.pool.query<{ child: string; parent: string }>(
      `select conrelid::regclass::text as child, confrelid::regclass::text as parent
         from pg_constraint where contype = 'f' and confrelid = any($1::regclass[]) order by 1`,
      [['users', 'conversations', 'rate_limits', 'admin_sessions', 'logs']],
    );
    expect(references.rows).toEqual([{ child: 'conversations', parent: 'users' }]);

    const system = systemTaskDefinitions({ defaultTimezone: 'Europe/Paris' }).find(
      (definition) => definition.key === 'system:conversation_archive',
    )!;
    const total = async () =>
      (await scalar(bed.database.pool, 'select count(*)::int4 as value from conversations')) +
      ((await relationExists('conversations_archive'))
        ? await scalar(bed.database.pool, 'select count(*)::int4 as value from conversations_archive')
        : 0);
    const before = await total();
    const { context } = createTestContext({
      type: 'cleanup',
      template: system.key,
      params: system.input.params ?? {},
    });
    const result = await cleanup(context);
    expect(result.data).toMatchObject({ mode: 'archive', table: 'public.conversations' });
    expect(await total()).toBe(before);
    expect(
      await scalar(
        bed.database.pool,
        'select count(*)::int4 as value from conversations where last_message_at < $1',
        [old(30)],
      ),
    ).toBe(0);

    const users = await scalar(bed.database.pool, 'select count(*)::int4 as value from users');
    const error = await run({
      table: 'users',
      timestampColumn: 'created_at',
      olderThanDays: 1,
    }).promise.catch((caught: unknown) => caught);
    expect((error as AppError).message).toMatch(
      /^table: "users" is referenced by foreign keys of public\.conversations;/,
    );
    expect(await scalar(bed.database.pool, 'select count(*)::int4 as value from users')).toBe(users);
  });
});

describe("refuses chronops's own tables, by catalog identity", () => {
  const everyChronopsTable = () => countRows(bed.database, CHRONOPS_TABLES);

  it.each([
    [
      'audit_log',
      { table: 'audit_log', timestampColumn: 'created_at', olderThanDays: 1 },
      'public.audit_log',
    ],
    [
      'audit_log, schema-qualified and in capitals',
      { table: 'PUBLIC.Audit_Log', timestampColumn: 'created_at', olderThanDays: 1 },
      'public.audit_log',
    ],
    [
      'notification_outbox (archive mode)',
      { mode: 'archive', table: 'notification_outbox', timestampColumn: 'created_at', olderThanDays: 1 },
      'public.notification_outbox',
    ],
    [
      'app_home_viewers',
      { table: 'app_home_viewers', timestampColumn: 'opened_at', olderThanDays: 1 },
      'public.app_home_viewers',
    ],
    [
      'the migration journal',
      { table: 'drizzle.__drizzle_migrations', timestampColumn: 'created_at', olderThanDays: 1 },
      'drizzle.__drizzle_migrations',
    ],
    [
      'task_executions outside the execution_history mode',
      { table: 'public.task_executions', timestampColumn: 'created_at', olderThanDays: 1 },
      'public.task_executions',
    ],
  ])('%s', async (_label, params, identity) => {
    await bed.database.pool.query(
      `insert into audit_log (actor, action, created_at) values ('UOLD', 'task.created', $1);
       insert into app_home_viewers (user_id, opened_at) values ('UOLD', $1) on conflict do nothing;`.replaceAll(
        '$1',
        `'${new Date(NOW.getTime() - 400 * DAY_MS).toISOString()}'`,
      ),
    );
    const before = await everyChronopsTable();
    const error = await run(params).promise.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'invalid_params', field: 'table' });
    expect((error as AppError).message).toMatch(
      new RegExp(
        `^table: "[a-z_]+" is chronops' own table \\(${identity.replace('.', '\\.')}\\); maintenance tasks may not delete from it\\.`,
      ),
    );
    expect(await everyChronopsTable()).toEqual(before);
    expect(await relationExists(`${identity}_archive`)).toBe(false);
  });

  async function relationExists(name: string): Promise<boolean> {
    return (
      (await scalar(bed.database.pool, 'select (to_regclass($1) is not null)::int4 as value', [name])) === 1
    );
  }

  it('follows the search_path of the target database to the table it resolves to', async () => {
    await bed.database.pool.query('create schema if not exists ops');
    // A target login whose search_path starts with a schema of its own: "audit_log" still means
    // chronops's public.audit_log there.
    const target = new pg.Pool({
      connectionString: bed.database.url,
      max: 2,
      options: '-c search_path=ops,public',
    });
    try {
      const guarded = createCleanupExecutor({
        ...bed.deps,
        targetPool: target,
        servicePool: bed.database.pool,
      });
      const before = await everyChronopsTable();
      const { context } = createTestContext({
        type: 'cleanup',
        params: { table: 'audit_log', timestampColumn: 'created_at', olderThanDays: 1 },
      });
      await expect(guarded(context)).rejects.toMatchObject({
        code: 'invalid_params',
        message: expect.stringMatching(/^table: "audit_log" is chronops' own table \(public\.audit_log\)/),
      });
      expect(await everyChronopsTable()).toEqual(before);
    } finally {
      await target.end();
    }
  });

  it("cleans an application's table that merely shares a name, in a schema of its own", async () => {
    await bed.database.pool.query(
      `create schema if not exists app;
       create table app.audit_log (id serial primary key, created_at timestamptz not null);
       insert into app.audit_log (created_at) values ($1), ($1);`.replaceAll(
        '$1',
        `'${new Date(NOW.getTime() - 40 * DAY_MS).toISOString()}'`,
      ),
    );
    const before = await everyChronopsTable();
    const result = await run({ table: 'app.audit_log', timestampColumn: 'created_at', olderThanDays: 30 })
      .promise;
    expect(result.data).toMatchObject({ table: 'app.audit_log', deleted: 2 });
    expect(await everyChronopsTable()).toEqual(before);
  });
});
