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
      scheduler: { leaseSeconds: 12, heartbeatSeconds: 3, workerLiveness: true, claimBatchSize: 100 },
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

  describe('the interface it listens on', () => {
    const HTTP_MODE = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
    const SOCKET_MODE = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };

    it('is every interface by default only in HTTP mode, where Slack posts to /slack/events', () => {
      expect(loadConfig(HTTP_MODE)).toMatchObject({ host: '0.0.0.0', hostIsDefault: true });
    });

    it('is loopback by default in Socket Mode, where nothing from Slack comes in', () => {
      expect(loadConfig(SOCKET_MODE)).toMatchObject({ host: '127.0.0.1', hostIsDefault: true });
    });

    it('is HOST when set, in every mode', () => {
      expect(loadConfig({ ...SOCKET_MODE, HOST: '0.0.0.0' })).toMatchObject({
        host: '0.0.0.0',
        hostIsDefault: false,
      });
      expect(loadConfig({ ...HTTP_MODE, HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    });
  });

  describe('SLACK_API_URL', () => {
    const SOCKET_MODE = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };
    const refusal = (url: string) =>
      `SLACK_API_URL must be an https:// URL: every call carries the bot token, which plain http:// would send in clear; http:// is accepted only for a loopback host (localhost, 127.0.0.0/8, ::1), such as a local stand-in for Slack (got "${url}").`;

    it('accepts https anywhere, and http to loopback only', () => {
      for (const url of [
        'https://slack.com/api/',
        'https://slack-gov.com/api/',
        'https://proxy.internal:8443/slack/api/',
        'http://127.0.0.1:3000/api/',
        'http://127.9.8.7/api/',
        'http://localhost:8080/api/',
        'http://[::1]:8080/api/',
      ]) {
        expect(loadConfig({ ...SOCKET_MODE, SLACK_API_URL: url }).slack.apiUrl).toBe(url);
      }
    });

    it('refuses plain http to any other host, with a sentence', () => {
      for (const url of [
        'http://slack.com/api/',
        'http://10.0.0.5:8080/api/',
        'http://localhost.example.com/api/',
        'http://127.0.0.1.example.com/api/',
      ]) {
        expect(problemsOf({ ...SOCKET_MODE, SLACK_API_URL: url })).toEqual([refusal(url)]);
      }
    });
  });

  describe('the HTTP server limits', () => {
    it('have defaults: 512 connections, headers within 10 s, requests within 30 s, keep-alive 5 s', () => {
      expect(loadConfig({}).http).toEqual({
        maxConnections: 512,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5000,
      });
    });

    it('are read from HTTP_* variables, in seconds', () => {
      const config = loadConfig({
        HTTP_MAX_CONNECTIONS: '64',
        HTTP_HEADERS_TIMEOUT_SECONDS: '5',
        HTTP_REQUEST_TIMEOUT_SECONDS: '20',
        HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      });
      expect(config.http).toEqual({
        maxConnections: 64,
        headersTimeoutMs: 5000,
        requestTimeoutMs: 20_000,
        keepAliveTimeoutMs: 65_000,
      });
    });

    it('refuse a headers timeout longer than the request timeout, and out-of-range values', () => {
      expect(problemsOf({ HTTP_HEADERS_TIMEOUT_SECONDS: '60', HTTP_REQUEST_TIMEOUT_SECONDS: '30' })).toEqual([
        'HTTP_HEADERS_TIMEOUT_SECONDS must be at most HTTP_REQUEST_TIMEOUT_SECONDS (30): the headers are part of the request.',
      ]);
      expect(problemsOf({ HTTP_MAX_CONNECTIONS: '0' })).toEqual([
        'HTTP_MAX_CONNECTIONS must be a whole number between 1 and 100000 (got "0").',
      ]);
    });
  });

  it('reads how long failing alerts are retried, in minutes: 60 by default', () => {
    expect(loadConfig({}).slack.alertRetryForMs).toBe(60 * 60_000);
    expect(loadConfig({ ALERT_RETRY_FOR_MINUTES: '240' }).slack.alertRetryForMs).toBe(240 * 60_000);
    expect(problemsOf({ ALERT_RETRY_FOR_MINUTES: '0' })).toEqual([
      'ALERT_RETRY_FOR_MINUTES must be a whole number between 1 and 10080 (got "0").',
    ]);
  });

  it('parses id lists and numbers', () => {
    const config = loadConfig({ SLACK_ADMINS: 'U01ABC, S02GROUP ,', PORT: '8080', LEASE_SECONDS: '60' });
    expect(config.slack.admins).toEqual(['U01ABC', 'S02GROUP']);
    expect(config.port).toBe(8080);
    expect(config.scheduler.leaseSeconds).toBe(60);
  });

  it('reads the caps of user SQL results, 1,000 rows and 1 MiB by default', () => {
    expect(loadConfig({}).executors.resultCaps).toEqual({ maxRows: 1000, maxBytes: 1024 * 1024 });
    const config = loadConfig({ CUSTOM_RESULT_MAX_ROWS: '50', CUSTOM_RESULT_MAX_BYTES: '65536' });
    expect(config.executors.resultCaps).toEqual({ maxRows: 50, maxBytes: 65536 });
    expect(problemsOf({ CUSTOM_RESULT_MAX_BYTES: '10' })).toEqual([
      'CUSTOM_RESULT_MAX_BYTES must be a whole number between 1024 and 1073741824 (got "10").',
    ]);
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

  describe('when the sandbox runs', () => {
    const SLACK_TOKENS_MISSING =
      'Slack tokens are missing: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); or set CHRONOPS_SANDBOX=true to use the local sandbox against this database.';

    it('refuses a DATABASE_URL without Slack tokens, naming the variables to set', () => {
      expect(problemsOf({ DATABASE_URL: 'postgres://u:p@db:5432/prod' })).toEqual([SLACK_TOKENS_MISSING]);
    });

    it('runs the sandbox against a DATABASE_URL only when CHRONOPS_SANDBOX=true asks for it', () => {
      const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/x', CHRONOPS_SANDBOX: 'true' });
      expect(config.slack.mode).toBe('sandbox');
      expect(config.host).toBe('127.0.0.1');
      expect(loadConfig({ CHRONOPS_SANDBOX: 'true' }).slack.mode).toBe('sandbox');
    });

    it('refuses CHRONOPS_SANDBOX=true with Slack tokens: a contradiction', () => {
      expect(
        problemsOf({ CHRONOPS_SANDBOX: 'true', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }),
      ).toEqual([
        'CHRONOPS_SANDBOX=true contradicts the Slack tokens that are set: remove CHRONOPS_SANDBOX to use Slack, or remove SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_APP_TOKEN to use the local sandbox.',
      ]);
    });

    it('refuses CHRONOPS_SANDBOX=false without tokens, and accepts it with them', () => {
      expect(problemsOf({ CHRONOPS_SANDBOX: 'false' })).toEqual([
        'CHRONOPS_SANDBOX=false refuses the local sandbox, but no Slack tokens are set: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode).',
      ]);
      expect(
        loadConfig({ CHRONOPS_SANDBOX: 'false', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack
          .mode,
      ).toBe('socket');
      expect(problemsOf({ CHRONOPS_SANDBOX: 'sometimes' })).toEqual([
        'CHRONOPS_SANDBOX must be true or false (got "sometimes").',
      ]);
    });

    it('refuses a HOST other than loopback in sandbox mode, unless CHRONOPS_SANDBOX=true accepts it', () => {
      expect(problemsOf({ HOST: '0.0.0.0' })).toEqual([
        'HOST=0.0.0.0 would open the sandbox to the network, and whoever reaches it acts as its admins: use 127.0.0.1 (the default), or set CHRONOPS_SANDBOX=true to accept that.',
      ]);
      expect(problemsOf({ HOST: '192.168.1.20' })[0]).toMatch(/^HOST=192\.168\.1\.20 would open the sandbox/);
      for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '::1'])
        expect(loadConfig({ HOST: host }).host).toBe(host);
      expect(loadConfig({ HOST: '0.0.0.0', CHRONOPS_SANDBOX: 'true' })).toMatchObject({
        host: '0.0.0.0',
        slack: { mode: 'sandbox' },
      });
      // With real Slack the page does not exist: any interface is fine.
      expect(loadConfig({ HOST: '0.0.0.0', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).host).toBe(
        '0.0.0.0',
      );
    });
  });

  it.each([
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
    'SLACK_APP_TOKEN',
    'DATABASE_URL',
    'TARGET_DATABASE_URL',
  ])('refuses %s set but empty or blank, never reading it as unset', (variable) => {
    const sentence = `${variable} is set but empty: remove it or give it a value.`;
    expect(problemsOf({ [variable]: '' })).toEqual([sentence]);
    expect(problemsOf({ [variable]: '  ' })).toEqual([sentence]);
  });

  it('still reads other empty variables as unset', () => {
    expect(loadConfig({ HOST: '', ALERT_CHANNEL: '', PORT: '', CHRONOPS_SANDBOX: '' })).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      slack: { mode: 'sandbox', alertChannel: undefined },
    });
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
        CHRONOPS_SANDBOX: 'true',
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
