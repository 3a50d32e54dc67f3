import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { isLoopbackHost } from './shared/loopback.js';

/**
 * The only reader of process.env. Everything the service can be told from outside is declared here,
 * validated once at start, frozen, and documented in README.md and .env.example.
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * A credential or connection string: unset is fine, but set to an empty or blank value is a mistake
 * (an emptied secret in a deployment file), never read as "unset" — an empty DATABASE_URL would
 * otherwise start the embedded database and the sandbox, an empty token would start the sandbox.
 */
const nonEmptyIfSet = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    if (trimmed === '') {
      ctx.addIssue({ code: 'custom', message: 'is set but empty: remove it or give it a value' });
      return z.NEVER;
    }
    return trimmed;
  });

const intInRange = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (!/^-?\d+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      const parsed = Number(value);
      if (parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

/** Unset or empty means "use the default"; any other value must say true or false. */
const optionalBooleanFlag = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const lowered = value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
    if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

const booleanFlag = (fallback: boolean) => optionalBooleanFlag.transform((value) => value ?? fallback);

const postgresUrl = nonEmptyIfSet.refine(
  (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
  'must be a PostgreSQL URL such as postgres://user:password@host:5432/database',
);

const idList = optionalText.transform((value) =>
  value === undefined
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
);

const slackIdList = idList.refine(
  (ids) => ids.every((id) => /^[USWG][A-Z0-9]{2,}$/.test(id)),
  'must be a comma-separated list of Slack user ids (U…/W…) or user-group ids (S…)',
);

const envSchema = z.object({
  PORT: intInRange(0, 65_535, 3000),
  HOST: optionalText,
  HTTP_MAX_CONNECTIONS: intInRange(1, 100_000, 512),
  HTTP_HEADERS_TIMEOUT_SECONDS: intInRange(1, 600, 10),
  HTTP_REQUEST_TIMEOUT_SECONDS: intInRange(1, 3600, 30),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: intInRange(1, 600, 5),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      error: 'must be one of trace, debug, info, warn, error, fatal, silent',
    })
    .default('info'),
  LOCALE: z.enum(['en', 'fr'], { error: 'must be en or fr' }).default('en'),
  DEFAULT_TIMEZONE: z
    .string()
    .default('Europe/Paris')
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Paris'),

  DATABASE_URL: postgresUrl,
  TARGET_DATABASE_URL: postgresUrl,
  TASK_DATABASE_URL: postgresUrl,
  CHRONOPS_DATA_DIR: optionalText,
  DEMO_DATA: booleanFlag(true),

  SLACK_BOT_TOKEN: nonEmptyIfSet.refine(
    (value) => value === undefined || value.startsWith('xoxb-'),
    'must be a bot token starting with xoxb-',
  ),
  SLACK_SIGNING_SECRET: nonEmptyIfSet,
  SLACK_APP_TOKEN: nonEmptyIfSet.refine(
    (value) => value === undefined || value.startsWith('xapp-'),
    'must be an app-level token starting with xapp-',
  ),
  SLACK_API_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\/.+\/$/.test(value),
    'must be an http(s) URL ending with a slash, such as https://slack.com/api/',
  ),
  ALERT_CHANNEL: optionalText,
  ALERT_RETRY_FOR_MINUTES: intInRange(1, 10_080, 60),
  CHRONOPS_SANDBOX: optionalBooleanFlag,
  SLACK_ADMINS: slackIdList,
  SLACK_OPERATORS: slackIdList,

  WORKER_ID: optionalText,
  LEASE_SECONDS: intInRange(5, 3600, 12),
  HEARTBEAT_SECONDS: intInRange(1, 600, 3),
  WORKER_LIVENESS: booleanFlag(true),
  POLL_INTERVAL_MS: intInRange(50, 600_000, 30_000),
  CLAIM_BATCH_SIZE: intInRange(1, 10_000, 100),
  MAX_CONCURRENT_EXECUTIONS: intInRange(1, 100_000, 50),
  SCHEDULER_POOL_SIZE: intInRange(2, 1000, 10),
  EXECUTOR_POOL_SIZE: intInRange(1, 1000, 10),
  OUTBOX_POOL_SIZE: intInRange(1, 100, 3),
  HTTP_POOL_SIZE: intInRange(1, 100, 2),
  SLACK_POOL_SIZE: intInRange(1, 1000, 10),
  SHUTDOWN_GRACE_SECONDS: intInRange(0, 3600, 30),
  MIGRATION_LOCK_WAIT_SECONDS: intInRange(1, 86_400, 120),
  CATCHUP_WINDOW_SECONDS: intInRange(0, 30 * 86_400, 86_400),
  MAX_CATCHUP_RUNS: intInRange(1, 1000, 10),
  MISFIRE_THRESHOLD_SECONDS: intInRange(1, 86_400, 60),
  RETRY_BACKOFF_SECONDS: intInRange(1, 86_400, 30),
  RETRY_BACKOFF_MAX_SECONDS: intInRange(1, 86_400, 900),
  RETENTION_SUCCESS_DAYS: intInRange(1, 3650, 30),
  RETENTION_FAILURE_DAYS: intInRange(1, 3650, 90),

  BACKUP_DIR: optionalText,
  PG_DUMP_PATH: optionalText,
  SCRIPTS_DIR: optionalText,
  TASK_DB_ROLE: optionalText,
  CUSTOM_RESULT_MAX_ROWS: intInRange(1, 1_000_000, 1000),
  CUSTOM_RESULT_MAX_BYTES: intInRange(1024, 1024 * 1024 * 1024, 1024 * 1024),
  HEARTBEAT_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'must be an http(s) URL',
  ),
});

export type Locale = 'en' | 'fr';

export interface Config {
  readonly port: number;
  /**
   * Interface to listen on: all interfaces by default in HTTP mode (Slack posts to /slack/events);
   * loopback by default in Socket Mode (nothing from Slack comes in) and in sandbox mode, and only
   * loopback there unless CHRONOPS_SANDBOX=true accepts a network interface (the sandbox acts as admins
   * for whoever reaches it).
   */
  readonly host: string;
  /** Whether HOST was set, or `host` is the mode's default (the start line says which). */
  readonly hostIsDefault: boolean;
  /**
   * Limits of the HTTP server (src/http/server.ts): how long a client may take to send its headers and
   * its whole request, how long an idle keep-alive connection is kept, how many connections at once.
   */
  readonly http: {
    readonly maxConnections: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
  };
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly locale: Locale;
  readonly defaultTimezone: string;
  /** Undefined means: start the embedded PostgreSQL in dataDir. */
  readonly databaseUrl: string | undefined;
  /** The database maintenance tasks act on; undefined means the same as the service's database. */
  readonly targetDatabaseUrl: string | undefined;
  /**
   * The restricted login user SQL runs as, on the target database. Undefined: on the embedded database
   * chronops creates one; otherwise tasks carrying SQL are refused (docs/SECURITY.md).
   */
  readonly taskDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly demoData: boolean;
  readonly slack: {
    readonly mode: 'http' | 'socket' | 'sandbox';
    readonly botToken: string | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
    readonly alertChannel: string | undefined;
    /**
     * How long an alert whose delivery keeps failing transiently (5xx, network, Slack's own errors) is
     * retried, from its first failed attempt, before it is dead (src/notify/outbox-worker.ts).
     */
    readonly alertRetryForMs: number;
    readonly admins: readonly string[];
    readonly operators: readonly string[];
  };
  readonly scheduler: {
    readonly workerId: string;
    readonly leaseSeconds: number;
    readonly heartbeatSeconds: number;
    /**
     * Hold a liveness lock on a session of its own, so other replicas recover this one's runs within
     * seconds of its exit. Off behind a transaction-mode pooler, which cannot keep a session's lock.
     */
    readonly workerLiveness: boolean;
    readonly pollIntervalMs: number;
    readonly claimBatchSize: number;
    readonly maxConcurrentExecutions: number;
    readonly shutdownGraceSeconds: number;
    readonly catchupWindowSeconds: number;
    readonly maxCatchupRuns: number;
    /** An occurrence later than this when a scheduler plans it counts as missed (misfire policy applies). */
    readonly misfireThresholdMs: number;
    /** First retry delay; doubles per attempt up to the max, ±20 % jitter. */
    readonly backoff: { readonly baseMs: number; readonly maxMs: number; readonly jitterRatio: number };
    readonly retentionSuccessDays: number;
    readonly retentionFailureDays: number;
  };
  readonly executors: {
    readonly backupDir: string;
    readonly pgDumpPath: string | undefined;
    readonly scriptsDir: string;
    /** Of each user-SQL statement's result: rows and bytes of values kept; the rest is never fetched. */
    readonly resultCaps: { readonly maxRows: number; readonly maxBytes: number };
  };
  readonly heartbeatUrl: string | undefined;
  /** How long a starting replica waits for the migration lock before failing with its holder's pid. */
  readonly migrationLockWaitMs: number;
  /**
   * Connections per replica, one bounded pool per role (docs/ENGINE.md, "Connections"), so busy
   * executors or a burst of clicks can never take the connections claims and heartbeats need.
   */
  readonly pools: {
    readonly scheduler: number;
    readonly executors: number;
    readonly outbox: number;
    readonly http: number;
    readonly slack: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Reads and validates the environment. Throws ConfigError listing one sentence per problem, each naming
 * the variable and what is expected. `cwd` anchors the relative default folders.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      const shown = SECRET_VARIABLES.has(variable) ? undefined : env[variable];
      problems.push(
        `${variable} ${issue.message}${shown === undefined ? '' : ` (got "${truncate(shown)}")`}.`,
      );
    }
  }
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push(
      'SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode).',
    );
  }
  if (!e.SLACK_BOT_TOKEN && (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN)) {
    problems.push('SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set.');
  }
  if (e.TASK_DB_ROLE) {
    // SET ROLE is undone by the task's own RESET ROLE or COMMIT: it was never a boundary.
    problems.push(
      'TASK_DB_ROLE is no longer supported, because SQL can undo SET ROLE itself: create a restricted login and set TASK_DATABASE_URL to it instead (README, "The restricted task login").',
    );
  }
  for (const [name, url] of [
    ['DATABASE_URL', e.DATABASE_URL],
    ['TARGET_DATABASE_URL', e.TARGET_DATABASE_URL],
  ] as const) {
    if (e.TASK_DATABASE_URL && url && sameLogin(e.TASK_DATABASE_URL, url)) {
      problems.push(
        `TASK_DATABASE_URL must log in as a restricted role, not as ${name}'s own user (README, "The restricted task login").`,
      );
    }
  }
  problems.push(...slackModeProblems(e));
  if (e.SLACK_API_URL && !isHttpsOrLoopback(e.SLACK_API_URL)) {
    problems.push(
      `SLACK_API_URL must be an https:// URL: every call carries the bot token, which plain http:// would send in clear; http:// is accepted only for a loopback host (localhost, 127.0.0.0/8, ::1), such as a local stand-in for Slack (got "${truncate(e.SLACK_API_URL)}").`,
    );
  }
  if (e.HTTP_HEADERS_TIMEOUT_SECONDS > e.HTTP_REQUEST_TIMEOUT_SECONDS) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_SECONDS must be at most HTTP_REQUEST_TIMEOUT_SECONDS (${e.HTTP_REQUEST_TIMEOUT_SECONDS}): the headers are part of the request.`,
    );
  }
  if (e.HEARTBEAT_SECONDS * 2 > e.LEASE_SECONDS) {
    problems.push(
      `HEARTBEAT_SECONDS must be at most half of LEASE_SECONDS (${e.LEASE_SECONDS}), so one missed heartbeat does not lose the lease.`,
    );
  }
  if (e.RETRY_BACKOFF_MAX_SECONDS < e.RETRY_BACKOFF_SECONDS) {
    problems.push('RETRY_BACKOFF_MAX_SECONDS must be at least RETRY_BACKOFF_SECONDS.');
  }
  if (e.RETENTION_FAILURE_DAYS < e.RETENTION_SUCCESS_DAYS) {
    problems.push(
      'RETENTION_FAILURE_DAYS must be at least RETENTION_SUCCESS_DAYS (failures are kept longer).',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // Past slackModeProblems, no bot token means the sandbox was chosen: the embedded demo or asked for.
  const mode = e.SLACK_BOT_TOKEN ? (e.SLACK_APP_TOKEN ? 'socket' : 'http') : 'sandbox';
  const dataDir = resolve(cwd, e.CHRONOPS_DATA_DIR ?? '.chronops');
  const config: Config = {
    port: e.PORT,
    // Only HTTP mode needs Slack to reach this server; Socket Mode and the sandbox answer on loopback
    // unless HOST says otherwise (README, "Configuration").
    host: e.HOST ?? (mode === 'http' ? '0.0.0.0' : '127.0.0.1'),
    hostIsDefault: e.HOST === undefined,
    http: {
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    },
    logLevel: e.LOG_LEVEL,
    locale: e.LOCALE,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    databaseUrl: e.DATABASE_URL,
    targetDatabaseUrl: e.TARGET_DATABASE_URL,
    taskDatabaseUrl: e.TASK_DATABASE_URL,
    dataDir,
    demoData: e.DEMO_DATA,
    slack: {
      mode,
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      alertChannel: e.ALERT_CHANNEL,
      alertRetryForMs: e.ALERT_RETRY_FOR_MINUTES * 60_000,
      admins: e.SLACK_ADMINS,
      operators: e.SLACK_OPERATORS,
    },
    scheduler: {
      // The random part tells a restarted container (same host name, pid 1) from the process it replaces.
      workerId: e.WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      leaseSeconds: e.LEASE_SECONDS,
      heartbeatSeconds: e.HEARTBEAT_SECONDS,
      workerLiveness: e.WORKER_LIVENESS,
      pollIntervalMs: e.POLL_INTERVAL_MS,
      claimBatchSize: e.CLAIM_BATCH_SIZE,
      maxConcurrentExecutions: e.MAX_CONCURRENT_EXECUTIONS,
      shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
      catchupWindowSeconds: e.CATCHUP_WINDOW_SECONDS,
      maxCatchupRuns: e.MAX_CATCHUP_RUNS,
      misfireThresholdMs: e.MISFIRE_THRESHOLD_SECONDS * 1000,
      backoff: {
        baseMs: e.RETRY_BACKOFF_SECONDS * 1000,
        maxMs: e.RETRY_BACKOFF_MAX_SECONDS * 1000,
        jitterRatio: 0.2,
      },
      retentionSuccessDays: e.RETENTION_SUCCESS_DAYS,
      retentionFailureDays: e.RETENTION_FAILURE_DAYS,
    },
    executors: {
      backupDir: resolve(cwd, e.BACKUP_DIR ?? resolve(dataDir, 'backups')),
      pgDumpPath: e.PG_DUMP_PATH,
      scriptsDir: resolve(cwd, e.SCRIPTS_DIR ?? 'scripts'),
      resultCaps: { maxRows: e.CUSTOM_RESULT_MAX_ROWS, maxBytes: e.CUSTOM_RESULT_MAX_BYTES },
    },
    heartbeatUrl: e.HEARTBEAT_URL,
    migrationLockWaitMs: e.MIGRATION_LOCK_WAIT_SECONDS * 1000,
    pools: {
      scheduler: e.SCHEDULER_POOL_SIZE,
      executors: e.EXECUTOR_POOL_SIZE,
      outbox: e.OUTBOX_POOL_SIZE,
      http: e.HTTP_POOL_SIZE,
      slack: e.SLACK_POOL_SIZE,
    },
  };
  return deepFreeze(config);
}

const SET_SLACK_TOKENS =
  'set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode)';

/**
 * When the sandbox may run (docs/SANDBOX.md). Its page acts as two admins for whoever opens it, so it
 * never starts by accident next to a real database: only for the embedded demo (no DATABASE_URL, no
 * Slack tokens) or when CHRONOPS_SANDBOX=true asks for it, and never on a network interface unless
 * CHRONOPS_SANDBOX=true accepts that too. One sentence per problem, naming what to set.
 */
function slackModeProblems(e: z.infer<typeof envSchema>): string[] {
  const anySlackToken = Boolean(e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN);
  if (anySlackToken) {
    return e.CHRONOPS_SANDBOX === true
      ? [
          'CHRONOPS_SANDBOX=true contradicts the Slack tokens that are set: remove CHRONOPS_SANDBOX to use Slack, or remove SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_APP_TOKEN to use the local sandbox.',
        ]
      : [];
  }
  if (e.CHRONOPS_SANDBOX === false)
    return [
      `CHRONOPS_SANDBOX=false refuses the local sandbox, but no Slack tokens are set: ${SET_SLACK_TOKENS}.`,
    ];
  if (e.CHRONOPS_SANDBOX === undefined && e.DATABASE_URL !== undefined)
    return [
      `Slack tokens are missing: ${SET_SLACK_TOKENS}; or set CHRONOPS_SANDBOX=true to use the local sandbox against this database.`,
    ];
  if (e.HOST !== undefined && !isLoopbackHost(e.HOST) && e.CHRONOPS_SANDBOX !== true)
    return [
      `HOST=${truncate(e.HOST)} would open the sandbox to the network, and whoever reaches it acts as its admins: use 127.0.0.1 (the default), or set CHRONOPS_SANDBOX=true to accept that.`,
    ];
  return [];
}

/** Never echoed back in error messages: they may hold credentials. */
const SECRET_VARIABLES = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
  'TARGET_DATABASE_URL',
  'TASK_DATABASE_URL',
  'HEARTBEAT_URL',
]);

/**
 * SLACK_API_URL's scheme: https, or http to this machine's loopback only (a local fake Slack, the
 * tests): the bot token and app token go with every call.
 */
function isHttpsOrLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
}

/** True when two connection strings log in as the same user on the same host and port. */
function sameLogin(first: string, second: string): boolean {
  const parse = (url: string) => {
    try {
      const parsed = new URL(url);
      return `${decodeURIComponent(parsed.username)}@${parsed.hostname}:${parsed.port || '5432'}`;
    } catch {
      return url;
    }
  };
  return parse(first) === parse(second);
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The service's environment, from which a script task receives the variables it lists in `env` (and
 * nothing else of it: src/executors/custom-script.ts). Read here, as every other use of process.env.
 */
export function scriptSourceEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** The database connection's settings, as the plain values the store takes (it never reads Config itself). */
export function databaseConnectOptions(config: Config) {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.pools.scheduler,
    applicationName: `chronops:${config.scheduler.workerId}`,
    migrationLockWaitMs: config.migrationLockWaitMs,
  };
}
