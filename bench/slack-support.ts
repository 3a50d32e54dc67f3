import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { createSystemClock } from '../src/shared/clock.js';
import { createLogger, createSilentLogger } from '../src/shared/logger.js';
import { createSlackApp, SLACK_EVENTS_PATH, type SlackApp } from '../src/slack/app.js';
import type { DatabaseHandle } from '../src/store/database.js';
import { type FakeSlack, startFakeSlack } from '../test/support/fake-slack.js';
import { createSlackSender, type SlackSender } from '../test/support/slack-signing.js';

export const BENCH_SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BENCH_ADMIN = 'U0ADMIN';
export const BENCH_OPERATOR = 'U0OPER';

export interface ServedSlack {
  readonly slack: SlackApp;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The real Bolt app (createSlackApp) mounted with handleRequest on a plain node HTTP server, against the
 * Web API at `apiUrl` (the fake Slack) and a real database: the same wiring as
 * test/support/slack-harness.ts, without vitest (benchmarks run under plain tsx). `onAnswered` gets,
 * for each request, the milliseconds from the server seeing it to the end of its HTTP answer (the ack).
 */
export async function serveBenchSlack(
  database: DatabaseHandle,
  apiUrl: string,
  options: { onAnswered?: (ms: number) => void; afterAckConcurrency?: number } = {},
): Promise<ServedSlack> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
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
    ...(options.afterAckConcurrency ? { afterAckConcurrency: options.afterAckConcurrency } : {}),
  });
  const onAnswered = options.onAnswered;
  const server: Server = createServer((request, response) => {
    if (onAnswered) {
      const t0 = performance.now();
      response.once('finish', () => onAnswered(performance.now() - t0));
    }
    if (!slack.handleRequest(request, response)) {
      response.writeHead(404);
      response.end();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    slack,
    port,
    async close() {
      await slack.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface BenchSlack {
  readonly fake: FakeSlack;
  readonly slack: SlackApp;
  readonly send: SlackSender;
  close(): Promise<void>;
}

/** The app, the fake Slack and a signed sender, all in this process (the dashboard benchmark). */
export async function startBenchSlack(database: DatabaseHandle): Promise<BenchSlack> {
  const fake = await startFakeSlack();
  const served = await serveBenchSlack(database, fake.apiUrl);
  const send = createSlackSender({
    url: `http://127.0.0.1:${served.port}${SLACK_EVENTS_PATH}`,
    signingSecret: BENCH_SIGNING_SECRET,
    fake,
  });
  return {
    fake,
    slack: served.slack,
    send,
    async close() {
      await served.close();
      await fake.close();
    },
  };
}

/** What bench/slack-app.ts reports about the window since the last reset. */
export interface SlackAppReport {
  /** Request seen by the server → end of its HTTP answer, per request. */
  serverAckP50Ms: number;
  serverAckP99Ms: number;
  /** Event-loop delay of the app's process (perf_hooks, sampled every 10 ms; the delay beyond that). */
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU time of the app's process over the window, as a share of one core. */
  cpuCores: number;
  maxRssMb: number;
}

export interface SlackAppProcess {
  readonly child: ChildProcess;
  /** The port the app listens on, on 127.0.0.1. */
  readonly port: number;
  /** Forgets what was measured so far (call at the start of the measured window). */
  reset(): void;
  report(): Promise<SlackAppReport>;
  /** Closes the app (after its background work) and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Starts bench/slack-app.ts — the app under test — as a separate process, so the load generator and the
 * fake Slack do not share its event loop. `env` gives DATABASE_URL, SLACK_API_URL and the pool settings.
 */
export async function startSlackAppProcess(env: Record<string, string>): Promise<SlackAppProcess> {
  // BENCH_SLACK_PROFILE=<dir> writes a V8 CPU profile of the app's process there.
  const profile = process.env.BENCH_SLACK_PROFILE;
  const node = ['--import', 'tsx', ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [])];
  const child = spawn(process.execPath, [...node, 'bench/slack-app.ts'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.BENCH_LOG_LEVEL ? { BENCH_LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
      ...env,
    },
    // The child's stdout goes to our stderr: this process's stdout is the benchmark's JSON lines.
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (!(key in message)) return;
        child.off('message', onMessage);
        resolve(message[key] as T);
      };
      child.on('message', onMessage);
      void exited.then(() => reject(new Error(`bench/slack-app.ts exited before "${key}"`)));
    });
  const port = await next<number>('port');
  return {
    child,
    port,
    reset: () => child.send({ command: 'reset' }),
    async report() {
      const answer = next<SlackAppReport>('report');
      child.send({ command: 'report' });
      return answer;
    },
    async stop() {
      if (child.exitCode === null) child.send({ command: 'stop' });
      await exited;
    },
  };
}
