import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * The only reader of process.env. Everything the service can be told from outside is declared here,
 * validated once at start, frozen, and documented in README.md and .env.example.
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

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

const booleanFlag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const lowered = value.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
      if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

const postgresUrl = optionalText.refine(
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
  CHRONOPS_DATA_DIR: optionalText,
  DEMO_DATA: booleanFlag(true),

  SLACK_BOT_TOKEN: optionalText.refine(
    (value) => value === undefined || value.startsWith('xoxb-'),
    'must be a bot token starting with xoxb-',
  ),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine(
    (value) => value === undefined || value.startsWith('xapp-'),
    'must be an app-level token starting with xapp-',
  ),
  SLACK_API_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\/.+\/$/.test(value),
    'must be an http(s) URL ending with a slash, such as https://slack.com/api/',
  ),
  ALERT_CHANNEL: optionalText,
  SLACK_ADMINS: slackIdList,
  SLACK_OPERATORS: slackIdList,

  WORKER_ID: optionalText,
  LEASE_SECONDS: intInRange(5, 3600, 30),
  HEARTBEAT_SECONDS: intInRange(1, 600, 10),
  POLL_INTERVAL_MS: intInRange(50, 600_000, 30_000),
  CLAIM_BATCH_SIZE: intInRange(1, 10_000, 100),
  MAX_CONCURRENT_EXECUTIONS: intInRange(1, 100_000, 50),
  SHUTDOWN_GRACE_SECONDS: intInRange(0, 3600, 30),
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
  HEARTBEAT_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'must be an http(s) URL',
  ),
});

export type Locale = 'en' | 'fr';

export interface Config {
  readonly port: number;
  /** Interface to listen on; loopback unless set (the sandbox must not be reachable from the network). */
  readonly host: string;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly locale: Locale;
  readonly defaultTimezone: string;
  /** Undefined means: start the embedded PostgreSQL in dataDir. */
  readonly databaseUrl: string | undefined;
  /** The database maintenance tasks act on; undefined means the same as the service's database. */
  readonly targetDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly demoData: boolean;
  readonly slack: {
    readonly mode: 'http' | 'socket' | 'sandbox';
    readonly botToken: string | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
    readonly alertChannel: string | undefined;
    readonly admins: readonly string[];
    readonly operators: readonly string[];
  };
  readonly scheduler: {
    readonly workerId: string;
    readonly leaseSeconds: number;
    readonly heartbeatSeconds: number;
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
    readonly taskDbRole: string | undefined;
  };
  readonly heartbeatUrl: string | undefined;
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

  const mode = e.SLACK_BOT_TOKEN ? (e.SLACK_APP_TOKEN ? 'socket' : 'http') : 'sandbox';
  const dataDir = resolve(cwd, e.CHRONOPS_DATA_DIR ?? '.chronops');
  const config: Config = {
    port: e.PORT,
    host: e.HOST ?? (mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0'),
    logLevel: e.LOG_LEVEL,
    locale: e.LOCALE,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    databaseUrl: e.DATABASE_URL,
    targetDatabaseUrl: e.TARGET_DATABASE_URL,
    dataDir,
    demoData: e.DEMO_DATA,
    slack: {
      mode,
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      alertChannel: e.ALERT_CHANNEL,
      admins: e.SLACK_ADMINS,
      operators: e.SLACK_OPERATORS,
    },
    scheduler: {
      workerId: e.WORKER_ID ?? `${hostname()}-${process.pid}`,
      leaseSeconds: e.LEASE_SECONDS,
      heartbeatSeconds: e.HEARTBEAT_SECONDS,
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
      taskDbRole: e.TASK_DB_ROLE,
    },
    heartbeatUrl: e.HEARTBEAT_URL,
  };
  return deepFreeze(config);
}

/** Never echoed back in error messages: they may hold credentials. */
const SECRET_VARIABLES = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
  'TARGET_DATABASE_URL',
  'HEARTBEAT_URL',
]);

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
