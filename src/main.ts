import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createExecutorRegistry } from './executors/registry.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { toError } from './shared/errors.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { type ConnectedDatabase, connectDatabase } from './store/connect.js';
import { createDatabase, type DatabaseHandle } from './store/database.js';
import { createDatabaseClock } from './store/database-clock.js';
import { ensureDemoSchema } from './store/demo-schema.js';
import { countPendingOutbox } from './store/outbox.js';
import { ensureSystemTasks } from './store/system-tasks.js';
import { listenForWakeups } from './store/wakeups.js';

/**
 * Composition root: config → database → migrations → clock → executors → scheduler → (Slack or sandbox).
 * The only place that wires modules together.
 */
export interface RunningService {
  readonly database: ConnectedDatabase;
  readonly scheduler: Scheduler;
  readonly httpUrl: string;
  stop(): Promise<void>;
}

const CLOCK_RESYNC_MS = 60_000;
const CLOCK_SKEW_WARNING_MS = 2000;

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const startedAt = performance.now();
  const database = await connectDatabase(config, logger, (ms) => sleep(ms));
  // DESIGN.md §5.2: the database's clock is the reference; measure our offset to it and keep measuring.
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
  const system = await ensureSystemTasks(database.db, {
    now: clock.now(),
    defaultTimezone: config.defaultTimezone,
    retentionSuccessDays: config.scheduler.retentionSuccessDays,
    retentionFailureDays: config.scheduler.retentionFailureDays,
  });
  if (system.created.length > 0) logger.info({ created: system.created }, 'created the system tasks');

  let target: DatabaseHandle | undefined;
  if (config.targetDatabaseUrl)
    target = createDatabase(config.targetDatabaseUrl, { max: 10, applicationName: 'chronops:tasks' });
  const executors = createExecutorRegistry({
    targetPool: target?.pool ?? database.pool,
    targetDatabaseUrl: config.targetDatabaseUrl ?? database.url,
    servicePool: database.pool,
    backupDir: config.executors.backupDir,
    pgDumpPath: config.executors.pgDumpPath,
    scriptsDir: config.executors.scriptsDir,
    taskDbRole: config.executors.taskDbRole,
    clock,
  });

  const scheduler = createScheduler({
    pool: database.pool,
    clock,
    logger: logger.child({ component: 'scheduler' }),
    executorFor: (type) => executors[type],
    // Jitter for retry backoff; the only randomness, injected here.
    random: Math.random,
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
  const wakeups = listenForWakeups(database.url, {
    onWakeup: () => scheduler.wake(),
    onCancel: (executionId) => scheduler.cancelLocal(executionId),
    onError: (error) => logger.warn({ err: error }, 'wake-up listener lost its connection; reconnecting'),
  });
  scheduler.start();

  // Real Slack when tokens are set (HTTP on /slack/events, or Socket Mode); the sandbox otherwise.
  let slack: SlackApp | undefined;
  if (config.slack.mode !== 'sandbox') {
    slack = createSlackApp({
      config,
      db: database.db,
      pool: database.pool,
      clock,
      logger,
      wakeScheduler: () => scheduler.wake(),
    });
    if (config.slack.mode === 'socket') await slack.start();
  }

  const server = createServer((request, response) => {
    if (slack?.handleRequest(request, response)) return;
    if (request.url === '/healthz') {
      const lastTick = scheduler.lastTickAt();
      const tickAgeMs = lastTick ? clock.nowMs() - lastTick.getTime() : null;
      Promise.all([database.pool.query('select 1'), countPendingOutbox(database.pool)])
        .then(([, outboxBacklog]) => {
          const loopAlive =
            tickAgeMs !== null && tickAgeMs < Math.max(10_000, config.scheduler.pollIntervalMs * 5);
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
  const httpUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

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

  return {
    database,
    scheduler,
    httpUrl,
    stop: async () => {
      clearInterval(resyncTimer);
      await slack?.stop();
      await scheduler.stop();
      await wakeups.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await target?.close();
      await database.shutdown();
    },
  };
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
  const logger = createLogger({ level: config.logLevel });
  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (error) {
    logger.fatal({ err: toError(error) }, `chronops could not start: ${toError(error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, graceSeconds: config.scheduler.shutdownGraceSeconds },
      'shutting down: no new claims, letting running executions finish',
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
