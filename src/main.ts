import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import {
  type Config,
  ConfigError,
  databaseConnectOptions,
  loadConfig,
  scriptSourceEnvironment,
} from './config.js';
import { createExecutorRegistry } from './executors/registry.js';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerDeps } from './notify/outbox-worker.js';
import { createOutboxWebClient } from './notify/web-client.js';
import { createSandbox, type Sandbox } from './sandbox/sandbox.js';
import { pingDeadMansSwitch } from './scheduler/dead-man-ping.js';
import { observeScheduler } from './scheduler/metrics.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { toError } from './shared/errors.js';
import { createLogger, type Logger } from './shared/logger.js';
import { isLoopbackHost } from './shared/loopback.js';
import { createSecretSet, passwordOf, type SecretSet } from './shared/redact.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { ensurePendingApprovalCards } from './slack/approval-request.js';
import { CHRONOPS_TABLES } from './store/chronops-tables.js';
import { type ConnectedDatabase, connectDatabase } from './store/connect.js';
import { createDatabase, type DatabaseHandle } from './store/database.js';
import { createDatabaseClock } from './store/database-clock.js';
import { DEMO_TABLES, ensureDemoSchema } from './store/demo-schema.js';
import { countPendingOutbox } from './store/outbox.js';
import { ensureSystemTasks } from './store/system-tasks.js';
import { ensureTaskLogin } from './store/task-login.js';
import { listenForWakeups } from './store/wakeups.js';
import { holdWorkerLiveness } from './store/worker-liveness.js';

/**
 * Composition root: config → database → migrations → clock → executors → scheduler → (Slack or sandbox).
 * The only place that wires modules together.
 */
export interface RunningService {
  readonly database: ConnectedDatabase;
  readonly scheduler: Scheduler;
  readonly httpUrl: string;
  /** In sandbox mode: its page URL with this run's secret, its per-run bot token… (docs/SANDBOX.md). */
  readonly sandbox: Sandbox | undefined;
  stop(): Promise<void>;
}

const CLOCK_RESYNC_MS = 60_000;
const CLOCK_SKEW_WARNING_MS = 2000;

/**
 * The secret values of a configuration, for redaction (docs/SECURITY.md): the Slack credentials and
 * the passwords of every database URL.
 */
export function configSecrets(config: Config): Array<string | undefined> {
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    passwordOf(config.databaseUrl),
    passwordOf(config.targetDatabaseUrl),
    passwordOf(config.taskDatabaseUrl),
  ];
}

export async function startService(
  config: Config,
  logger: Logger,
  /** What logs and executions must never show; grows with the secrets made at start. */
  secrets: SecretSet = createSecretSet(configSecrets(config)),
): Promise<RunningService> {
  const startedAt = performance.now();
  const database = await connectDatabase(databaseConnectOptions(config), logger, (ms) => sleep(ms));
  secrets.add(passwordOf(database.url));
  // docs/ARCHITECTURE.md §5.2: the database's clock is the reference; measure our offset to it and keep measuring.
  const clock = await createDatabaseClock(database.pool);
  const warnSkew = () => {
    if (Math.abs(clock.offsetMs()) > CLOCK_SKEW_WARNING_MS) {
      logger.warn(
        { offsetMs: Math.round(clock.offsetMs()) },
        'this machine’s clock differs from the database’s by more than 2 s; using database time',
      );
    }
  };
  warnSkew();
  const resyncTimer = setInterval(() => {
    clock
      .resync()
      .then(warnSkew, (error: unknown) =>
        logger.warn({ err: toError(error) }, 'could not re-measure the database clock'),
      );
  }, CLOCK_RESYNC_MS);
  resyncTimer.unref();

  if (database.source === 'embedded' && config.demoData) {
    const demo = await ensureDemoSchema(database.pool, { now: clock.now() });
    if (demo.seeded)
      logger.info(
        { rows: demo.rows },
        'created the demo application tables (users, conversations, rate_limits, admin_sessions, logs)',
      );
  }
  const taskDatabaseUrl = await resolveTaskLogin(config, database, logger);
  secrets.add(passwordOf(taskDatabaseUrl));
  const system = await ensureSystemTasks(database.db, {
    now: clock.now(),
    defaultTimezone: config.defaultTimezone,
    retentionSuccessDays: config.scheduler.retentionSuccessDays,
    retentionFailureDays: config.scheduler.retentionFailureDays,
    // Names in the installation's language at creation; existing tasks are never renamed.
    locale: config.locale,
  });
  if (system.created.length > 0) logger.info({ created: system.created }, 'created the system tasks');
  const cards = await ensurePendingApprovalCards(database.db, clock.now());
  if (cards > 0) logger.info({ cards }, 'posted the approval cards of tasks waiting for a second admin');

  // One bounded pool per role (docs/ENGINE.md, "Connections"): the scheduler's claims, heartbeats and
  // settlements keep `database.pool` to themselves, so executors holding every connection of theirs
  // (a clean-up blocked on a lock, a long report) cannot delay a heartbeat past the lease.
  const pools = config.pools;
  // The Slack side: a burst of clicks queues there (up to 30 s) instead of failing.
  const slackDatabase = createDatabase(database.url, {
    max: pools.slack,
    applicationName: 'chronops:slack',
    connectionTimeoutMs: 30_000,
  });
  const outboxDatabase = createDatabase(database.url, {
    max: pools.outbox,
    applicationName: 'chronops:outbox',
  });
  const httpDatabase = createDatabase(database.url, { max: pools.http, applicationName: 'chronops:http' });
  // Executors wait for a connection up to their own timeout rather than failing after 5 s.
  const executorDatabase = createDatabase(config.targetDatabaseUrl ?? database.url, {
    max: pools.executors,
    applicationName: 'chronops:tasks',
    connectionTimeoutMs: 60_000,
  });
  // chronops's own tables for the executors (report figures, history retention) when the target is
  // another database; the executor pool otherwise.
  const executorServiceDatabase = config.targetDatabaseUrl
    ? createDatabase(database.url, {
        max: 2,
        applicationName: 'chronops:tasks-service',
        connectionTimeoutMs: 60_000,
      })
    : undefined;
  const executors = createExecutorRegistry({
    targetPool: executorDatabase.pool,
    targetDatabaseUrl: config.targetDatabaseUrl ?? database.url,
    servicePool: executorServiceDatabase?.pool ?? executorDatabase.pool,
    backupDir: config.executors.backupDir,
    pgDumpPath: config.executors.pgDumpPath,
    scriptsDir: config.executors.scriptsDir,
    resultCaps: config.executors.resultCaps,
    scriptEnvironment: scriptSourceEnvironment(),
    taskDatabaseUrl,
    protectedTables: CHRONOPS_TABLES,
    locale: config.locale,
    clock,
  });

  // Released only after the scheduler has stopped: while runs are finishing, their lock says so.
  const liveness = config.scheduler.workerLiveness
    ? holdWorkerLiveness({
        url: database.url,
        workerId: config.scheduler.workerId,
        logger: logger.child({ component: 'liveness' }),
        nowMs: () => clock.nowMs(),
      })
    : undefined;
  const scheduler = createScheduler({
    pool: database.pool,
    ...(liveness ? { liveness } : {}),
    clock,
    logger: logger.child({ component: 'scheduler' }),
    executorFor: (type) => executors[type],
    // Jitter for retry backoff; the only randomness, injected here.
    random: Math.random,
    redact: secrets.redact,
    options: { ...config.scheduler },
  });
  scheduler.events.on('execution.finished', (execution) => {
    const line = {
      taskId: execution.taskId,
      executionId: execution.id,
      status: execution.status,
      durationMs: execution.durationMs,
    };
    if (execution.status === 'success') logger.info(line, `task "${execution.taskName}" succeeded`);
    else
      logger.warn(
        { ...line, error: execution.error },
        `task "${execution.taskName}" ${execution.status.replace('_', ' ')}`,
      );
  });
  scheduler.events.on('worker.lost', ({ execution, workerId }) =>
    logger.warn(
      { taskId: execution.taskId, executionId: execution.id, lostWorker: workerId },
      'recovered an execution from a lost worker',
    ),
  );
  scheduler.events.on('runs.missed', ({ taskId, taskName, summary }) =>
    logger.warn(
      { taskId, missed: summary.missedCount, policy: summary.policy },
      `"${taskName}" missed runs while no scheduler was running`,
    ),
  );
  // Declared before the listener that wakes it (a notification may arrive while later steps await).
  let alerts: OutboxWorker | undefined;
  const wakeups = listenForWakeups(database.url, {
    onWakeup: () => scheduler.wake(),
    onCancel: (executionId) => scheduler.cancelLocal(executionId),
    onOutbox: () => alerts?.wake(),
    onError: (error) => logger.warn({ err: error }, 'wake-up listener lost its connection; reconnecting'),
  });
  const metrics = new Registry();
  // prom-client samples event-loop delay every 10 ms by default: 100 wake-ups a second, most of an
  // idle replica's CPU (measured: docs/BENCHMARKS.md, "Idle"). Once a second is plenty for a gauge.
  collectDefaultMetrics({ register: metrics, eventLoopMonitoringPrecision: 1000 });
  observeScheduler(metrics, scheduler.events);
  const outboxAttempts = new Counter({
    name: 'chronops_outbox_deliveries_total',
    help: 'Alert delivery attempts to Slack by outcome (failed: 429 excluded, retried with backoff).',
    labelNames: ['outcome'] as const,
    registers: [metrics],
  });
  const outboxDead = new Counter({
    name: 'chronops_outbox_dead_total',
    help: 'Alerts given up by this replica, by reason: permanent (Slack refused them for good), retry_window (transient failures outlasted ALERT_RETRY_FOR_MINUTES), no_channel (nowhere to send them).',
    labelNames: ['reason'] as const,
    registers: [metrics],
  });
  const alertMetrics: AlertMetrics = {
    onAttempt: (outcome) => outboxAttempts.inc({ outcome }),
    onDead: (reason) => outboxDead.inc({ reason }),
  };
  if (config.heartbeatUrl) {
    pingDeadMansSwitch(scheduler.events, { url: config.heartbeatUrl, intervalMs: 30_000, logger });
  }
  scheduler.start();

  // Real Slack when tokens are set (HTTP on /slack/events, or Socket Mode); the sandbox otherwise.
  let slack: SlackApp | undefined;
  if (config.slack.mode !== 'sandbox') {
    slack = createSlackApp({
      config,
      db: slackDatabase.db,
      pool: slackDatabase.pool,
      clock,
      logger,
      wakeScheduler: () => scheduler.wake(),
      userSqlAvailable: taskDatabaseUrl !== undefined,
    });
    if (config.slack.mode === 'socket') await slack.start();
  }
  // Alerts leave through the outbox worker (every replica runs one; rows are leased, so none is posted
  // twice). Against real Slack it uses the bot token; the sandbox wires its own below.
  if (config.slack.mode !== 'sandbox' && config.slack.botToken) {
    if (!config.slack.alertChannel) {
      logger.warn(
        'ALERT_CHANNEL is not set: alerts of tasks without an alert channel of their own are sent as a direct message to the task’s author; those with no author (system tasks, missed-run summaries) and approval cards cannot be delivered, and are listed by /tasks alerts (README, "Alert delivery")',
      );
    }
    alerts = createAlertsWorker(
      config,
      { pool: outboxDatabase.pool, db: outboxDatabase.db, clock, logger, ...alertMetrics },
      {
        token: config.slack.botToken,
        apiUrl: config.slack.apiUrl,
        defaultChannel: config.slack.alertChannel,
      },
    );
    alerts.start();
  }

  // The sandbox needs the server's address (PORT may be 0), so it is wired once listening (below).
  let sandbox: Sandbox | undefined;
  // Outbox figures are read when Prometheus scrapes, from the database (shared by all replicas).
  new Gauge({
    name: 'chronops_outbox_backlog',
    help: 'Alerts waiting for delivery to Slack.',
    registers: [metrics],
    collect: async function collect() {
      this.set(await countPendingOutbox(httpDatabase.pool));
    },
  });
  new Gauge({
    name: 'chronops_outbox_undeliverable',
    help: 'Alerts given up (status dead), in every replica: listed by /tasks alerts and on the App Home, where operators redeliver them.',
    registers: [metrics],
    collect: async function collect() {
      this.set(alerts ? await alerts.deadCount() : 0);
    },
  });

  const server = createServer((request, response) => {
    if (request.url === '/metrics' && request.method === 'GET') {
      metrics
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': metrics.contentType });
          response.end(text);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`${toError(error).message}\n`);
        });
      return;
    }
    if (slack?.handleRequest(request, response)) return;
    if (sandbox?.handleRequest(request, response)) return;
    if (request.url === '/healthz') {
      const lastTick = scheduler.lastTickAt();
      const tickAgeMs = lastTick ? Math.round(clock.nowMs() - lastTick.getTime()) : null;
      Promise.all([httpDatabase.pool.query('select 1'), countPendingOutbox(httpDatabase.pool)])
        .then(([, outboxBacklog]) => {
          // An idle loop sleeps up to the poll interval between ticks: alive while it ticked within that
          // and a margin, or while it is sleeping towards a wake-up that is not overdue.
          const nextWake = scheduler.nextWakeAt();
          const loopAlive =
            tickAgeMs !== null &&
            (tickAgeMs < config.scheduler.pollIntervalMs + 10_000 ||
              (nextWake !== null && nextWake.getTime() > clock.nowMs() - 10_000));
          response.writeHead(loopAlive ? 200 : 503, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              status: loopAlive ? 'ok' : 'degraded',
              database: 'up',
              scheduler: loopAlive ? 'alive' : 'stalled',
              lastTickAgeMs: tickAgeMs,
              running: scheduler.runningCount(),
              outboxBacklog,
            }),
          );
        })
        .catch((error: unknown) => {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              status: 'degraded',
              database: toError(error).message,
              lastTickAgeMs: tickAgeMs,
            }),
          );
        });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found\n');
  });
  await listen(server, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const httpUrl = `http://${hostForUrl(config.host)}:${port}`;

  if (config.slack.mode === 'sandbox') {
    const wired = startSandbox(
      config,
      httpUrl,
      {
        db: slackDatabase.db,
        pool: slackDatabase.pool,
        clock,
        logger,
        wakeScheduler: () => scheduler.wake(),
        userSqlAvailable: taskDatabaseUrl !== undefined,
      },
      alertMetrics,
      secrets,
      outboxDatabase,
    );
    sandbox = wired.sandbox;
    slack = wired.slack;
    alerts = wired.alerts;
    alerts.start();
  }

  logger.info(
    {
      readyInMs: Math.round(performance.now() - startedAt),
      http: httpUrl,
      database: database.source,
      slack: config.slack.mode,
      workerId: config.scheduler.workerId,
      leaseSeconds: config.scheduler.leaseSeconds,
      maxConcurrentExecutions: config.scheduler.maxConcurrentExecutions,
    },
    `chronops ready on ${httpUrl} (health: ${httpUrl}/healthz); scheduler running as ${config.scheduler.workerId}`,
  );
  if (sandbox) {
    if (!isLoopbackHost(config.host))
      logger.warn(
        { host: config.host },
        `the sandbox listens on HOST=${config.host} (CHRONOPS_SANDBOX=true): it acts as admins, and is reachable from the network by whoever has its URL`,
      );
    // Printed, as Jupyter does: the secret is how the person who started the service gets in.
    logger.info(
      { sandbox: sandbox.pageUrlWithToken },
      `open ${sandbox.pageUrlWithToken} for the sandbox workspace (docs/SANDBOX.md)`,
    );
  }

  return {
    database,
    scheduler,
    httpUrl,
    sandbox,
    stop: async () => {
      clearInterval(resyncTimer);
      // docs/ENGINE.md, "Shutdown": each of these stops taking new work as it is called (the scheduler
      // claims and starts nothing more, the outbox claims no alert, Socket Mode disconnects), then they
      // wait side by side, within one grace period, for what they have in flight.
      const graceMs = config.scheduler.shutdownGraceSeconds * 1000;
      await Promise.all([
        scheduler.stop(),
        alerts?.stop(graceMs),
        slack ? stopSlackWithin(slack, graceMs, logger) : undefined,
      ]);
      sandbox?.close();
      // Only now: while runs were finishing, the lock told other replicas this one was alive.
      await liveness?.stop();
      await wakeups.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await executorDatabase.close();
      await executorServiceDatabase?.close();
      await outboxDatabase.close();
      await httpDatabase.close();
      await slackDatabase.close();
      await database.shutdown();
    },
  };
}

/**
 * Stops the Slack app and waits for its listeners in flight, at most `graceMs`: past it, the service
 * closes its pools under them (Slack retries an unacknowledged event; a click after its ack is lost,
 * as on a crash).
 */
async function stopSlackWithin(slack: SlackApp, graceMs: number, logger: Logger): Promise<void> {
  const pending = slack.inFlightCount();
  if (pending > 0)
    logger.info({ slackRequests: pending }, `shutting down: waiting for ${pending} Slack requests in flight`);
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    slack.stop().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!stopped)
    logger.warn(
      { slackRequests: slack.inFlightCount() },
      'grace period over: Slack requests still in flight are cut off',
    );
}

/**
 * The restricted login user SQL runs as (docs/SECURITY.md): TASK_DATABASE_URL when set; on the embedded
 * database with no other target, the one chronops creates and keeps; otherwise none, and tasks carrying
 * SQL are refused with a sentence saying how to set one up.
 */
async function resolveTaskLogin(
  config: Config,
  database: ConnectedDatabase,
  logger: Logger,
): Promise<string | undefined> {
  if (config.taskDatabaseUrl) return config.taskDatabaseUrl;
  if (database.source === 'embedded' && !config.targetDatabaseUrl) {
    return ensureTaskLogin(database.pool, {
      serviceUrl: database.url,
      passwordFile: join(config.dataDir, 'task-password'),
      grantTables: DEMO_TABLES,
    });
  }
  logger.warn(
    'TASK_DATABASE_URL is not set: tasks that run SQL written by a person (custom SQL, custom notification queries) are refused until it names a restricted login (README, "The restricted task login")',
  );
  return undefined;
}

/**
 * Sandbox mode (the embedded demo, or CHRONOPS_SANDBOX=true; docs/SANDBOX.md): the fake Slack
 * workspace on this server's `/api/` and `/`, and the unchanged Bolt app pointed at it, verifying the
 * sandbox's signed requests with a secret made up for this run. The sandbox's people get their roles unless SLACK_ADMINS / SLACK_OPERATORS say
 * otherwise, and its #alerts is the alert channel unless ALERT_CHANNEL is set.
 */
function startSandbox(
  config: Config,
  httpUrl: string,
  deps: Omit<Parameters<typeof createSlackApp>[0], 'config' | 'connection'>,
  alertMetrics: AlertMetrics,
  secrets: SecretSet,
  outboxDatabase: DatabaseHandle,
): { sandbox: Sandbox; slack: SlackApp; alerts: OutboxWorker } {
  const signingSecret = randomBytes(32).toString('hex');
  // Made up for this run, so no other local process can call the fake Web API as the bot.
  const botToken = `xoxb-sandbox-${randomBytes(16).toString('hex')}`;
  secrets.add(botToken, signingSecret);
  const sandbox = createSandbox({
    signingSecret,
    botToken,
    baseUrl: httpUrl,
    listenHost: config.host,
    logger: deps.logger,
  });
  const idsWithRole = (role: 'admin' | 'operator') =>
    sandbox.users.filter((user) => user.role === role).map((user) => user.id);
  const slackConfig = {
    ...config,
    slack: {
      ...config.slack,
      alertChannel: config.slack.alertChannel ?? sandbox.alertsChannelId,
      admins: config.slack.admins.length > 0 ? config.slack.admins : idsWithRole('admin'),
      operators: config.slack.operators.length > 0 ? config.slack.operators : idsWithRole('operator'),
    },
  };
  const slack = createSlackApp({
    ...deps,
    config: slackConfig,
    connection: { botToken, signingSecret, apiUrl: sandbox.apiUrl, retries: 0 },
  });
  // Alerts (failures with Retry, success notices, overdue…) reach the sandbox's #alerts through the
  // outbox, as they would reach Slack; the client must not retry or wait by itself (see outbox-worker.ts).
  const alerts = createAlertsWorker(
    config,
    { ...deps, pool: outboxDatabase.pool, db: outboxDatabase.db, ...alertMetrics },
    {
      token: botToken,
      apiUrl: sandbox.apiUrl,
      defaultChannel: slackConfig.slack.alertChannel,
    },
  );
  return { sandbox, slack, alerts };
}

/** What the outbox worker reports to /metrics. */
type AlertMetrics = Required<Pick<OutboxWorkerDeps, 'onAttempt' | 'onDead'>>;

/**
 * The outbox worker, with a WebClient that neither retries nor waits on 429 by itself: the worker owns
 * backoff and Retry-After (see src/notify/outbox-worker.ts).
 */
function createAlertsWorker(
  config: Config,
  deps: Pick<Parameters<typeof createOutboxWorker>[0], 'pool' | 'db' | 'clock' | 'logger'> & AlertMetrics,
  target: { token: string; apiUrl: string | undefined; defaultChannel: string | undefined },
): OutboxWorker {
  return createOutboxWorker({
    ...deps,
    logger: deps.logger.child({ component: 'outbox' }),
    web: createOutboxWebClient({ token: target.token, apiUrl: target.apiUrl }),
    defaultChannel: target.defaultChannel,
    locale: config.locale,
    workerId: config.scheduler.workerId,
    pollIntervalMs: config.scheduler.pollIntervalMs,
    retryForMs: config.slack.alertRetryForMs,
  });
}

/**
 * How this machine reaches the server listening on `host`, for URLs: a wildcard through loopback, an
 * IPv6 literal in brackets.
 */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`Port ${port} on ${host} is already in use: stop the other process or set PORT.`));
      } else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chronops: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const secrets = createSecretSet(configSecrets(config));
  const logger = createLogger({ level: config.logLevel, redact: secrets.redact });
  let service: RunningService;
  try {
    service = await startService(config, logger, secrets);
  } catch (error) {
    logger.fatal({ err: toError(error) }, `chronops could not start: ${toError(error).message}`);
    process.exit(1);
  }
  // The sandbox cannot be opened without its printed URL: say it even when LOG_LEVEL hides info lines.
  if (service.sandbox && !logger.isLevelEnabled('info'))
    process.stderr.write(`chronops: open ${service.sandbox.pageUrlWithToken} for the sandbox workspace\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, graceSeconds: config.scheduler.shutdownGraceSeconds },
      `shutting down: no new claims; waiting up to ${config.scheduler.shutdownGraceSeconds} s for running executions, alert deliveries and Slack requests`,
    );
    service
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: toError(error) }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
