import { describe, expect, it } from 'vitest';
import {
  protectedTableNamed,
  REPORT_QUERY_NAMES,
  requireTaskParams,
  validateTaskParams,
} from '../../../src/domain/task-params.js';
import type { TaskType } from '../../../src/domain/task-types.js';
import { AppError } from '../../../src/shared/errors.js';
import { CHRONOPS_TABLES } from '../../../src/store/chronops-tables.js';

function errorsOf(type: TaskType, params: unknown, template: string | null = null): Record<string, string> {
  const result = validateTaskParams(type, template, params);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.params)}`);
  return result.errors;
}

describe('validateTaskParams: defaults and normalisation', () => {
  it.each<[TaskType, unknown, unknown]>([
    ['backup', {}, { keep: 7 }],
    ['backup', undefined, { keep: 7 }],
    ['backup', { keep: 3 }, { keep: 3 }],
    [
      'cleanup',
      { table: 'logs', timestampColumn: 'created_at', olderThanDays: 30 },
      {
        mode: 'older_than',
        table: 'logs',
        timestampColumn: 'created_at',
        olderThanDays: 30,
        batchSize: 5000,
      },
    ],
    [
      'cleanup',
      {
        mode: 'older_than',
        table: 'Public.Logs',
        timestampColumn: 'Created_At',
        olderThanDays: 1,
        batchSize: 10,
      },
      {
        mode: 'older_than',
        table: 'public.logs',
        timestampColumn: 'created_at',
        olderThanDays: 1,
        batchSize: 10,
      },
    ],
    [
      'cleanup',
      { mode: 'expired', table: 'rate_limits' },
      { mode: 'expired', table: 'rate_limits', expiresColumn: 'expires_at', batchSize: 5000 },
    ],
    [
      'cleanup',
      { mode: 'archive', table: 'conversations', timestampColumn: 'last_message_at', olderThanDays: 30 },
      {
        mode: 'archive',
        table: 'conversations',
        timestampColumn: 'last_message_at',
        olderThanDays: 30,
        batchSize: 5000,
      },
    ],
    [
      'cleanup',
      { mode: 'execution_history', successDays: 30, failureDays: 90 },
      { mode: 'execution_history', successDays: 30, failureDays: 90, batchSize: 5000 },
    ],
    ['report', {}, { queries: [...REPORT_QUERY_NAMES], csv: false }],
    [
      'report',
      { queries: ['slowest_tasks', 'slowest_tasks'], csv: true },
      { queries: ['slowest_tasks'], csv: true },
    ],
    ['notification', { query: 'low_quota' }, { query: 'low_quota', threshold: 10, maxListed: 10 }],
    [
      'notification',
      { query: 'custom', sql: ' select 1 ', maxListed: 3, message: 'Heads up' },
      { query: 'custom', sql: 'select 1', maxListed: 3, message: 'Heads up' },
    ],
    [
      'custom',
      { kind: 'sql', sql: 'vacuum analyze' },
      { kind: 'sql', sql: 'vacuum analyze', readOnly: false },
    ],
    [
      'custom',
      { kind: 'script', script: 'nightly/vacuum.sh' },
      { kind: 'script', script: 'nightly/vacuum.sh', args: [], env: [] },
    ],
    [
      'custom',
      { kind: 'script', script: 'sync.sh', env: ['MY_API_KEY', 'PGPASSWORD'] },
      { kind: 'script', script: 'sync.sh', args: [], env: ['MY_API_KEY', 'PGPASSWORD'] },
    ],
  ])('%s %j', (type, params, expected) => {
    expect(validateTaskParams(type, null, params)).toEqual({ ok: true, params: expected });
  });
});

describe('validateTaskParams: refusals name the field', () => {
  it.each<[string, TaskType, Record<string, unknown>, string, string | RegExp]>([
    [
      'SQL in a table name',
      'cleanup',
      { table: 'users; drop table x', timestampColumn: 'created_at', olderThanDays: 1 },
      'table',
      'table: "users; drop table x" is not a valid table name (letters, digits and _ only, optionally schema.table).',
    ],
    [
      'a quoted table name',
      'cleanup',
      { table: '"users"--', timestampColumn: 'created_at', olderThanDays: 1 },
      'table',
      /^table: "\\"users\\"--" is not a valid table name/,
    ],
    [
      'three-part names',
      'cleanup',
      { table: 'db.public.logs', timestampColumn: 'created_at', olderThanDays: 1 },
      'table',
      /^table: "db.public.logs" is not a valid table name/,
    ],
    [
      'a qualified column',
      'cleanup',
      { table: 'logs', timestampColumn: 'logs.created_at', olderThanDays: 1 },
      'timestampColumn',
      /^timestampColumn: "logs.created_at" is not a valid column name/,
    ],
    [
      'a 64-character name',
      'cleanup',
      { table: 'a'.repeat(64), timestampColumn: 'created_at', olderThanDays: 1 },
      'table',
      /^table: "a{64}" is not a valid table name/,
    ],
    [
      'a missing table',
      'cleanup',
      { timestampColumn: 'created_at', olderThanDays: 1 },
      'table',
      'table: a table name is required.',
    ],
    [
      'zero days',
      'cleanup',
      { table: 'logs', timestampColumn: 'created_at', olderThanDays: 0 },
      'olderThanDays',
      'olderThanDays: must be between 1 and 36500 days.',
    ],
    [
      'fractional days',
      'cleanup',
      { table: 'logs', timestampColumn: 'created_at', olderThanDays: 1.5 },
      'olderThanDays',
      'olderThanDays: must be a whole number of days.',
    ],
    [
      'days as text',
      'cleanup',
      { table: 'logs', timestampColumn: 'created_at', olderThanDays: '30' },
      'olderThanDays',
      'olderThanDays: must be a number of days.',
    ],
    [
      'a huge batch',
      'cleanup',
      { mode: 'expired', table: 'logs', batchSize: 1_000_000 },
      'batchSize',
      'batchSize: must be between 1 and 100000 rows.',
    ],
    [
      'an unknown mode',
      'cleanup',
      { mode: 'truncate', table: 'logs' },
      'mode',
      'mode: "truncate" is not valid; choose one of older_than, expired, archive, execution_history.',
    ],
    [
      'an archive name too long',
      'cleanup',
      { mode: 'archive', table: 'a'.repeat(60), timestampColumn: 'created_at', olderThanDays: 1 },
      'table',
      /^table: the name is too long to add "_archive"/,
    ],
    [
      'failures kept shorter',
      'cleanup',
      { mode: 'execution_history', successDays: 30, failureDays: 7 },
      'failureDays',
      /^failureDays: failures must be kept at least as long as successes/,
    ],
    [
      'an unknown parameter',
      'cleanup',
      { mode: 'expired', table: 'logs', where: '1=1' },
      'where',
      'where: is not a parameter of cleanup tasks.',
    ],
    ['keep 0 backups', 'backup', { keep: 0 }, 'keep', 'keep: must be between 1 and 365 archives.'],
    [
      'an unknown report query',
      'report',
      { queries: ['all_passwords'] },
      'queries',
      /^queries: "all_passwords" is not a report query; choose from executions_24h_by_status/,
    ],
    ['an empty query list', 'report', { queries: [] }, 'queries', 'queries: choose at least one query.'],
    [
      'no notification query',
      'notification',
      {},
      'query',
      'query: is required; choose one of low_quota, custom.',
    ],
    [
      'custom notification without SQL',
      'notification',
      { query: 'custom' },
      'sql',
      'sql: a SQL query is required.',
    ],
    [
      'a negative threshold',
      'notification',
      { query: 'low_quota', threshold: -1 },
      'threshold',
      /^threshold: must be between 0 and/,
    ],
    [
      'too many listed rows',
      'notification',
      { query: 'low_quota', maxListed: 500 },
      'maxListed',
      'maxListed: must be between 1 and 50 rows.',
    ],
    [
      'no custom kind',
      'custom',
      { sql: 'select 1' },
      'kind',
      'kind: is required; choose one of sql, script.',
    ],
    ['an empty SQL', 'custom', { kind: 'sql', sql: '  ' }, 'sql', 'sql: a SQL query is required.'],
    [
      'a variable that is not a name',
      'custom',
      { kind: 'script', script: 'a.sh', env: ['MY-KEY'] },
      'env',
      /^env: a variable name is letters, digits and _/,
    ],
    [
      "one of chronops's own credentials",
      'custom',
      { kind: 'script', script: 'a.sh', env: ['SLACK_SIGNING_SECRET'] },
      'env',
      "env: SLACK_SIGNING_SECRET is one of chronops's own credentials and is never passed to a script; give the script a credential of its own (or PGPASSWORD for the target database).",
    ],
    [
      'the service database URL',
      'custom',
      { kind: 'script', script: 'a.sh', env: ['DATABASE_URL'] },
      'env',
      /^env: DATABASE_URL is one of chronops's own credentials/,
    ],
    [
      "the dead man's switch URL (it carries its token)",
      'custom',
      { kind: 'script', script: 'a.sh', env: ['HEARTBEAT_URL'] },
      'env',
      /^env: HEARTBEAT_URL is one of chronops's own credentials/,
    ],
    [
      'a parent-directory script',
      'custom',
      { kind: 'script', script: '../etc/passwd' },
      'script',
      'script: "../etc/passwd" leaves SCRIPTS_DIR (".." is not allowed).',
    ],
    [
      'a nested parent-directory script',
      'custom',
      { kind: 'script', script: 'a/../../b.sh' },
      'script',
      /^script: "a\/..\/..\/b.sh" leaves SCRIPTS_DIR/,
    ],
    [
      'an absolute script',
      'custom',
      { kind: 'script', script: '/bin/sh' },
      'script',
      'script: "/bin/sh" is an absolute path; give a file name relative to SCRIPTS_DIR.',
    ],
    [
      'a shell line as script',
      'custom',
      { kind: 'script', script: 'backup.sh && curl evil' },
      'script',
      /^script: ".*" is not a plain file name/,
    ],
    [
      'a hidden script',
      'custom',
      { kind: 'script', script: '.env' },
      'script',
      /^script: "\.env" is not a plain file name/,
    ],
    [
      'too many arguments',
      'custom',
      { kind: 'script', script: 'a.sh', args: Array.from({ length: 21 }, () => 'x') },
      'args',
      'args: at most 20 arguments.',
    ],
    [
      'a non-text argument',
      'custom',
      { kind: 'script', script: 'a.sh', args: [1] },
      'args',
      'args: every argument must be text.',
    ],
  ])('%s', (_label, type, params, field, message) => {
    const errors = errorsOf(type, params);
    expect(Object.keys(errors)).toContain(field);
    if (typeof message === 'string') expect(errors[field]).toBe(message);
    else expect(errors[field]).toMatch(message);
  });

  it('reports several bad fields at once, one message each', () => {
    expect(
      errorsOf('cleanup', { table: 'x y', timestampColumn: 'a-b', olderThanDays: -1, batchSize: 0 }),
    ).toEqual({
      table: expect.stringMatching(/^table: /),
      timestampColumn: expect.stringMatching(/^timestampColumn: /),
      olderThanDays: expect.stringMatching(/^olderThanDays: /),
      batchSize: expect.stringMatching(/^batchSize: /),
    });
  });

  it('refuses params that are not an object', () => {
    expect(errorsOf('backup', [1, 2])).toEqual({ params: 'params: must be an object of named parameters.' });
    expect(errorsOf('backup', 'keep=3')).toEqual({
      params: 'params: must be an object of named parameters.',
    });
  });

  it('checks the template against the type', () => {
    expect(
      validateTaskParams('cleanup', 'cleanup_old_logs', {
        table: 'logs',
        timestampColumn: 'created_at',
        olderThanDays: 30,
      }).ok,
    ).toBe(true);
    expect(
      validateTaskParams('cleanup', 'system:conversation_archive', {
        mode: 'archive',
        table: 'conversations',
        timestampColumn: 'last_message_at',
        olderThanDays: 30,
      }).ok,
    ).toBe(true);
    expect(errorsOf('cleanup', {}, 'backup_database')).toEqual({
      template: 'template: "backup_database" makes backup tasks, not cleanup tasks.',
    });
    expect(errorsOf('backup', {}, 'nightly_magic')).toEqual({
      template: 'template: "nightly_magic" is not a known template.',
    });
  });
});

describe('requireTaskParams', () => {
  it('returns typed params', () => {
    const params = requireTaskParams('backup', null, { keep: 2 });
    expect(params.keep).toBe(2);
  });

  it('throws invalid_params naming the first bad field', () => {
    let caught: unknown;
    try {
      requireTaskParams('cleanup', null, {
        table: 'users; drop table x',
        timestampColumn: 'created_at',
        olderThanDays: 1,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({
      code: 'invalid_params',
      field: 'table',
      message: expect.stringMatching(/^table: "users; drop table x"/),
    });
  });
});

describe("validateTaskParams: a clean-up may not name chronops's own tables", () => {
  const options = { protectedTables: CHRONOPS_TABLES };
  const cleanupOf = (table: string, mode = 'older_than') =>
    mode === 'expired' ? { mode, table } : { mode, table, timestampColumn: 'created_at', olderThanDays: 30 };

  it.each([
    ['audit_log', 'older_than', 'audit_log'],
    ['Audit_Log', 'archive', 'audit_log'],
    ['public.notification_outbox', 'expired', 'notification_outbox'],
    ['app.scheduled_tasks', 'older_than', 'scheduled_tasks'],
    ['app_home_viewers', 'older_than', 'app_home_viewers'],
    ['drizzle.__drizzle_migrations', 'older_than', 'drizzle.__drizzle_migrations'],
    ['__drizzle_migrations', 'older_than', 'drizzle.__drizzle_migrations'],
  ])('refuses %s (%s mode) on the table field', (table, mode, entry) => {
    const result = validateTaskParams('cleanup', null, cleanupOf(table, mode), options);
    expect(result).toEqual({
      ok: false,
      errors: {
        table: `table: "${table.toLowerCase()}" is one of chronops's own tables (${entry}); clean-ups may not delete from it.`,
      },
    });
  });

  it('points task_executions at the execution_history mode, which stays valid', () => {
    expect(validateTaskParams('cleanup', null, cleanupOf('task_executions'), options)).toMatchObject({
      ok: false,
      errors: { table: expect.stringMatching(/Use the execution_history mode to prune executions\.$/) },
    });
    expect(
      validateTaskParams(
        'cleanup',
        null,
        { mode: 'execution_history', successDays: 30, failureDays: 90 },
        options,
      ).ok,
    ).toBe(true);
  });

  it('accepts application tables, including a same-named table in another schema than the journal', () => {
    for (const table of ['logs', 'audit_logs', 'public.rate_limits', 'app.__drizzle_migrations']) {
      expect(validateTaskParams('cleanup', null, cleanupOf(table), options).ok).toBe(true);
    }
    expect(protectedTableNamed('my_audit_log', CHRONOPS_TABLES)).toBeUndefined();
  });
});
