import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { createSystemClock } from '../src/shared/clock.js';
import { createLogger, createSilentLogger } from '../src/shared/logger.js';
import { createSlackApp, type SlackApp } from '../src/slack/app.js';
import type { DatabaseHandle } from '../src/store/database.js';
import { type FakeSlack, startFakeSlack } from '../test/support/fake-slack.js';
import { createSlackSender, type SlackSender } from '../test/support/slack-signing.js';

export const BENCH_SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BENCH_ADMIN = 'U0ADMIN';
export const BENCH_OPERATOR = 'U0OPER';

export interface BenchSlack {
  readonly fake: FakeSlack;
  readonly slack: SlackApp;
  readonly send: SlackSender;
  close(): Promise<void>;
}

/**
 * The real Bolt app (createSlackApp) mounted with handleRequest on a plain node HTTP server, against the
 * fake Slack Web API of the end-to-end tests and a real database: the same wiring as
 * test/support/slack-harness.ts, without vitest (benchmarks run under plain tsx).
 */
export async function startBenchSlack(database: DatabaseHandle): Promise<BenchSlack> {
  const fake = await startFakeSlack();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_ADMINS: BENCH_ADMIN,
    SLACK_OPERATORS: BENCH_OPERATOR,
    ALERT_CHANNEL: 'C0ALERTS',
    LOCALE: 'en',
  });
  const slack = createSlackApp({
    config,
    db: database.db,
    pool: database.pool,
    clock: createSystemClock(),
    // BENCH_LOG_LEVEL=error shows what the handlers log (to stderr via pino); silent by default.
    logger: process.env.BENCH_LOG_LEVEL
      ? createLogger({ level: process.env.BENCH_LOG_LEVEL })
      : createSilentLogger(),
    connection: { retries: 0 },
  });
  const server: Server = createServer((request, response) => {
    if (!slack.handleRequest(request, response)) {
      response.writeHead(404);
      response.end();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const send = createSlackSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: BENCH_SIGNING_SECRET,
    fake,
  });
  return {
    fake,
    slack,
    send,
    async close() {
      await slack.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    },
  };
}
