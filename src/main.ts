import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, loadConfig } from './config.js';
import { toError } from './shared/errors.js';
import { createLogger, type Logger } from './shared/logger.js';
import { type ConnectedDatabase, connectDatabase } from './store/connect.js';
import { createDatabaseClock } from './store/database-clock.js';

/**
 * Composition root: config → database → migrations → clock → (scheduler, executors, Slack or sandbox).
 * The only place that wires modules together.
 */
export interface RunningService {
  readonly database: ConnectedDatabase;
  readonly httpUrl: string;
  stop(): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const startedAt = performance.now();
  const database = await connectDatabase(config, logger, (ms) => sleep(ms));
  const clock = await createDatabaseClock(database.pool);
  if (Math.abs(clock.offsetMs()) > 2000) {
    logger.warn(
      { offsetMs: clock.offsetMs() },
      'this machine’s clock differs from the database’s by more than 2 s',
    );
  }

  const server = createServer((request, response) => {
    if (request.url === '/healthz') {
      database.pool
        .query('select 1')
        .then(() => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ status: 'ok', database: 'up' }));
        })
        .catch((error: unknown) => {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ status: 'degraded', database: toError(error).message }));
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
    },
    `chronops ready on ${httpUrl} (health: ${httpUrl}/healthz)`,
  );

  return {
    database,
    httpUrl,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
    logger.info({ signal }, 'shutting down');
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
