import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/app');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs with no configuration at all: embedded database, sandbox, loopback', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      locale: 'en',
      defaultTimezone: 'Europe/Paris',
      databaseUrl: undefined,
      dataDir: '/srv/app/.chronops',
      slack: { mode: 'sandbox', admins: [], operators: [] },
      scheduler: { leaseSeconds: 30, heartbeatSeconds: 10, claimBatchSize: 100 },
      executors: { backupDir: '/srv/app/.chronops/backups', scriptsDir: '/srv/app/scripts' },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack.admins)).toBe(true);
  });

  it('selects HTTP or Socket Mode from the Slack tokens', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack.mode).toBe('http');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack.mode).toBe('socket');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).host).toBe('0.0.0.0');
  });

  it('parses id lists and numbers', () => {
    const config = loadConfig({ SLACK_ADMINS: 'U01ABC, S02GROUP ,', PORT: '8080', LEASE_SECONDS: '60' });
    expect(config.slack.admins).toEqual(['U01ABC', 'S02GROUP']);
    expect(config.port).toBe(8080);
    expect(config.scheduler.leaseSeconds).toBe(60);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number between 0 and 65535 (got "eighty").'],
    [{ PORT: '70000' }, 'PORT must be a whole number between 0 and 65535 (got "70000").'],
    [{ LOCALE: 'de' }, 'LOCALE must be en or fr (got "de").'],
    [
      { DEFAULT_TIMEZONE: 'Mars/Olympus' },
      'DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Paris (got "Mars/Olympus").',
    ],
    [
      { DATABASE_URL: 'mysql://x' },
      'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database.',
    ],
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, 'SLACK_BOT_TOKEN must be a bot token starting with xoxb-.'],
    [
      { SLACK_ADMINS: 'alice' },
      'SLACK_ADMINS must be a comma-separated list of Slack user ids (U…/W…) or user-group ids (S…) (got "alice").',
    ],
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA must be true or false (got "maybe").'],
    [
      { SLACK_API_URL: 'http://127.0.0.1:3000/api' },
      'SLACK_API_URL must be an http(s) URL ending with a slash, such as https://slack.com/api/ (got "http://127.0.0.1:3000/api").',
    ],
  ])('names the variable and what is expected: %o', (env, sentence) => {
    expect(problemsOf(env)).toEqual([sentence]);
  });

  it('reports every problem at once, one sentence each', () => {
    const problems = problemsOf({ PORT: '-1', LOG_LEVEL: 'loud', MAX_CATCHUP_RUNS: '0' });
    expect(problems).toHaveLength(3);
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'MAX_CATCHUP_RUNS',
      'PORT',
    ]);
  });

  it('checks combinations', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/^SLACK_SIGNING_SECRET is required/);
    expect(problemsOf({ SLACK_SIGNING_SECRET: 'abc' })[0]).toMatch(/^SLACK_BOT_TOKEN is required/);
    expect(problemsOf({ LEASE_SECONDS: '10', HEARTBEAT_SECONDS: '6' })[0]).toMatch(
      /^HEARTBEAT_SECONDS must be at most half/,
    );
  });

  it('never echoes secrets', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db' });
    expect(problem).not.toContain('hunter2');
  });
});

describe('the restricted task login', () => {
  it('reads TASK_DATABASE_URL, and never echoes it', () => {
    const config = loadConfig({ TASK_DATABASE_URL: 'postgres://task:s3cret@db:5432/app' }, '/srv');
    expect(config.taskDatabaseUrl).toBe('postgres://task:s3cret@db:5432/app');
    const [problem] = problemsOf({ TASK_DATABASE_URL: 'mysql://task:s3cret@db' });
    expect(problem).toMatch(/^TASK_DATABASE_URL must be a PostgreSQL URL/);
    expect(problem).not.toContain('s3cret');
  });

  it('refuses TASK_DB_ROLE, which SQL can undo with RESET ROLE, and says what to use instead', () => {
    expect(problemsOf({ TASK_DB_ROLE: 'service_role' })).toEqual([
      'TASK_DB_ROLE is no longer supported, because SQL can undo SET ROLE itself: create a restricted login and set TASK_DATABASE_URL to it instead (README, "The restricted task login").',
    ]);
  });

  it('refuses a task login that is the service’s own user', () => {
    expect(
      problemsOf({
        DATABASE_URL: 'postgres://chronops:a@db:5432/app',
        TASK_DATABASE_URL: 'postgres://chronops:b@db/app',
      }),
    ).toEqual([
      'TASK_DATABASE_URL must log in as a restricted role, not as DATABASE_URL\'s own user (README, "The restricted task login").',
    ]);
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://chronops:a@db:5432/app',
        TASK_DATABASE_URL: 'postgres://chronops_task:b@db:5432/app',
        CHRONOPS_SANDBOX: 'true',
      }).taskDatabaseUrl,
    ).toBe('postgres://chronops_task:b@db:5432/app');
  });
});
