import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, databaseConnectOptions, scriptSourceEnvironment } from '../config.js';
import { createExecutorRegistry } from '../executors/registry.js';
import { createHealthEndpoint, createMetricsEndpoint } from '../http/health.js';
import { createHttpServer, hostForUrl, listen, listeningPort } from '../http/server.js';
import type { OutboxWorker } from '../notify/outbox-worker.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Scheduler } from '../scheduler/contract.js';
import { pingDeadMansSwitch } from '../scheduler/dead-man-ping.js';
import { createScheduler } from '../scheduler/scheduler.js';
import type { Logger } from '../shared/logger.js';
import { isLoopbackHost } from '../shared/loopback.js';
import { createSecretSet, passwordOf, type SecretSet } from '../shared/redact.js';
import { createSlackApp, type SlackApp } from '../slack/app.js';
import { ensurePendingApprovalCards } from '../slack/approval-request.js';
import { CHRONOPS_TABLES } from '../store/chronops-tables.js';
import { type ConnectedDatabase, connectDatabase } from '../store/connect.js';
import { ensureDemoSchema } from '../store/demo-schema.js';
import { countPendingOutbox } from '../store/outbox.js';
import { ensureSystemTasks } from '../store/system-tasks.js';
import { listenForWakeups } from '../store/wakeups.js';
import { holdWorkerLiveness } from '../store/worker-liveness.js';
import { startDatabaseClock } from './clock-sync.js';
import { logSchedulerEvents } from './event-log.js';
import { createServiceMetrics } from './metrics.js';
import { createRolePools } from './pools.js';
import { createAlertsWorker, startSandbox, stopSlackWithin } from './slack-wiring.js';
import { createStopStack } from './stop-stack.js';
import { resolveTaskLogin } from './task-login.js';

export interface RunningService {
  readonly database: ConnectedDatabase;
  readonly scheduler: Scheduler;
  readonly httpUrl: string;
  /** In sandbox mode: its page URL with this run's secret, its per-run bot token… (docs/SANDBOX.md). */
  readonly sandbox: Sandbox | undefined;
  stop(): Promise<void>;
}

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

/**
 * Composition root: config → database → clock → pools → executors → scheduler → HTTP → Slack (or the
 * sandbox). Each named step pushes how to stop what it started; a step that fails stops what the
 * earlier ones started (src/service/stop-stack.ts), and stop() unwinds the same stack: Slack, alerts
 * and the scheduler first, side by side within the grace (docs/ENGINE.md, "Shutdown"), then the HTTP
 * server, the listeners, the pools and the database.
 *
 * Stays whole: it is the start order, read top to bottom, and the steps share the
 * late-bound references (slack, alerts, sandbox) that the HTTP routes and listeners read. Each step is
 * short and named; splitting them into functions would only pass those references around.
 */
export async function startService(
  config: Config,
  logger: Logger,
  /** What logs and executions must never show; grows with the secrets made at start. */
  secrets: SecretSet = createSecretSet(configSecrets(config)),
): Promise<RunningService> {
  const startedAt = performance.now();
  const stack = createStopStack(logger);
  const { step } = stack;

  const database = await step('database', async () => {
    const connected = await connectDatabase(databaseConnectOptions(config), logger, (ms) => sleep(ms));
    stack.push('database', () => connected.shutdown());
    secrets.add(passwordOf(connected.url));
    return connected;
  });
  const clock = await step('clock', async () => {
    const synced = await startDatabaseClock(database.pool, logger);
    stack.push('clock', synced.stop);
    return synced.clock;
  });
  const taskDatabaseUrl = await step('data', async () => {
    if (database.source === 'embedded' && config.demoData) {
      const demo = await ensureDemoSchema(database.pool, { now: clock.now() });
      if (demo.seeded)
        logger.info(
          { rows: demo.rows },
          'created the demo application tables (users, conversations, rate_limits, admin_sessions, logs)',
        );
    }
    const url = await resolveTaskLogin(config, database, logger);
    secrets.add(passwordOf(url));
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
    return url;
  });
  const pools = await step('pools', () => {
    const created = createRolePools(config, database.url);
    stack.push('pools', () => created.close());
    return created;
  });

  // Late-bound: the HTTP routes, the wake-up listener and the metrics read these once they exist.
  let slack: SlackApp | undefined;
  let alerts: OutboxWorker | undefined;
  let sandbox: Sandbox | undefined;

  const scheduler = await step('scheduler', () => {
    // Released only after the scheduler has stopped: while runs are finishing, their lock says so.
    const lock = config.scheduler.workerLiveness
      ? holdWorkerLiveness({
          url: database.url,
          workerId: config.scheduler.workerId,
          logger: logger.child({ component: 'liveness' }),
          nowMs: () => clock.nowMs(),
        })
      : undefined;
    if (lock) stack.push('liveness', () => lock.stop());
    const executors = createExecutorRegistry({
      targetPool: pools.executors.pool,
      targetDatabaseUrl: config.targetDatabaseUrl ?? database.url,
      servicePool: pools.executorService?.pool ?? pools.executors.pool,
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
    const created = createScheduler({
      pool: database.pool,
      ...(lock ? { liveness: lock } : {}),
      clock,
      logger: logger.child({ component: 'scheduler' }),
      executorFor: (type) => executors[type],
      // Jitter for retry backoff; the only randomness, injected here.
      random: Math.random,
      redact: secrets.redact,
      options: { ...config.scheduler },
    });
    logSchedulerEvents(created.events, logger);
    return created;
  });
  await step('wake-ups', () => {
    const wakeups = listenForWakeups(database.url, {
      onWakeup: () => scheduler.wake(),
      onCancel: (executionId) => scheduler.cancelLocal(executionId),
      onOutbox: () => alerts?.wake(),
      onError: (error) => logger.warn({ err: error }, 'wake-up listener lost its connection; reconnecting'),
    });
    stack.push('wake-ups', () => wakeups.close());
  });
  const metrics = createServiceMetrics({
    events: scheduler.events,
    pool: pools.http.pool,
    deadAlerts: async () => (alerts ? alerts.deadCount() : 0),
  });

  // Before Slack and before the scheduler starts: /healthz answers while they start (docs/SLACK.md),
  // and a port already taken stops the start before anything runs a task.
  const httpUrl = await step('http', async () => {
    const metricsEndpoint = createMetricsEndpoint({
      collect: () => metrics.registry.metrics(),
      contentType: metrics.registry.contentType,
      logger,
    });
    const healthEndpoint = createHealthEndpoint({
      readDatabase: async () => {
        await pools.http.pool.query('select 1');
        return { outboxBacklog: await countPendingOutbox(pools.http.pool) };
      },
      scheduler,
      nowMs: () => clock.nowMs(),
      pollIntervalMs: config.scheduler.pollIntervalMs,
      slackState: () => slack?.connectionState(),
      logger,
    });
    const created = createHttpServer((request, response) => {
      if (request.url === '/metrics' && request.method === 'GET') return metricsEndpoint(request, response);
      if (slack?.handleRequest(request, response)) return;
      if (sandbox?.handleRequest(request, response)) return;
      if (request.url === '/healthz') return healthEndpoint(request, response);
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found\n');
    }, config.http);
    await listen(created, config.port, config.host);
    stack.push('http', () => new Promise<void>((resolve) => created.close(() => resolve())));
    const port = listeningPort(created, config.port);
    return `http://${hostForUrl(config.host)}:${port}`;
  });

  await step('work', () => {
    const graceMs = config.scheduler.shutdownGraceSeconds * 1000;
    // One stop for the three that take work in: each stops taking new work as it is called (the
    // scheduler claims and starts nothing more, the outbox claims no alert, Socket Mode disconnects),
    // then they wait side by side, within one grace period, for what they have in flight.
    stack.push('work', async () => {
      await Promise.all([
        scheduler.stop(),
        alerts?.stop(graceMs),
        slack ? stopSlackWithin(slack, graceMs, logger) : undefined,
      ]);
      sandbox?.close();
    });
    if (config.heartbeatUrl) {
      pingDeadMansSwitch(scheduler.events, { url: config.heartbeatUrl, intervalMs: 30_000, logger });
    }
    scheduler.start();
    const slackDeps = {
      db: pools.slack.db,
      pool: pools.slack.pool,
      clock,
      logger,
      wakeScheduler: () => scheduler.wake(),
      userSqlAvailable: taskDatabaseUrl !== undefined,
    };
    if (config.slack.mode === 'sandbox') {
      const wired = startSandbox(config, httpUrl, slackDeps, metrics.alertMetrics, secrets, pools.outbox);
      sandbox = wired.sandbox;
      slack = wired.slack;
      alerts = wired.alerts;
    } else {
      // Real Slack (HTTP on /slack/events, or Socket Mode). Alerts leave through the outbox worker
      // (every replica runs one; rows are leased, so none is posted twice).
      slack = createSlackApp({ config, ...slackDeps });
      if (!config.slack.alertChannel) {
        logger.warn(
          'ALERT_CHANNEL is not set: alerts of tasks without an alert channel of their own are sent as a direct message to the task’s author; those with no author (system tasks, missed-run summaries) and approval cards cannot be delivered, and are listed by /tasks alerts (README, "Alert delivery")',
        );
      }
      if (config.slack.botToken) {
        alerts = createAlertsWorker(
          config,
          { pool: pools.outbox.pool, db: pools.outbox.db, clock, logger, ...metrics.alertMetrics },
          {
            token: config.slack.botToken,
            apiUrl: config.slack.apiUrl,
            defaultChannel: config.slack.alertChannel,
          },
        );
      }
    }
    alerts?.start();
    // With /healthz answering: Socket Mode's connection is opened in the background and retried for as
    // long as Slack cannot be reached (docs/SLACK.md, "Slack unreachable at start").
    if (config.slack.mode === 'socket') slack.connectInBackground();
  });

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
    `chronops ready on ${httpUrl} (health: ${httpUrl}/healthz)${listensWhere(config)}; scheduler running as ${config.scheduler.workerId}`,
  );
  if (sandbox) announceSandbox(sandbox, config, logger);
  return { database, scheduler, httpUrl, sandbox, stop: () => stack.stopAll() };
}

function announceSandbox(sandbox: Sandbox, config: Config, logger: Logger): void {
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

/**
 * What the start line adds about the interface: in Socket Mode the default is loopback, since nothing
 * from Slack comes in (README, "Configuration").
 */
function listensWhere(config: Config): string {
  if (config.slack.mode !== 'socket' || !config.hostIsDefault) return '';
  return ', loopback only: Socket Mode needs no inbound connection; set HOST=0.0.0.0 to reach /healthz and /metrics from other machines';
}
