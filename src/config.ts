import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type Env, envSchema } from './config/env-schema.js';
import { configProblems, SECRET_VARIABLES, truncate } from './config/problems.js';

/**
 * The only reader of process.env. Everything the service can be told from outside is declared in
 * config/env-schema.ts, checked together by config/problems.ts, validated once at start, frozen, and
 * documented in README.md and .env.example.
 */

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
  readonly logLevel: Env['LOG_LEVEL'];
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
 *
 * Stays whole: the Config literal mirrors the interface field for field, in the same order.
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

  problems.push(...configProblems(e));
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
