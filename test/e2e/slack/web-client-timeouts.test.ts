import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LogLevel } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createOutboxWebClient, OUTBOX_TIMEOUT_MS } from '../../../src/notify/web-client.js';
import { createSystemClock } from '../../../src/shared/clock.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/slack/app.js';
import {
  INTERACTIVE_RETRIES,
  INTERACTIVE_TIMEOUT_MS,
  interactiveClientOptions,
} from '../../../src/slack/web-client-policy.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

// docs/SLACK.md, "Client timeouts": the Bolt app's clients fail fast (they answer people), the outbox
// worker's client makes one bounded attempt (the worker has its own backoff). A local server stands for
// a Slack that hangs, answers 500 or rate-limits; each case counts the attempts it received.

type Behaviour = 'hang' | 'error500' | 'rateLimited';

interface StubSlack {
  url: string;
  attempts(): number;
  close(): Promise<void>;
}

async function startStubSlack(behaviour: Behaviour): Promise<StubSlack> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    attempts += 1;
    request.resume();
    if (behaviour === 'hang') return;
    if (behaviour === 'rateLimited') {
      response.writeHead(429, { 'retry-after': '30', 'content-type': 'application/json' });
      response.end('{"ok":false,"error":"ratelimited"}');
      return;
    }
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end('internal error');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    attempts: () => attempts,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How long `call` took to reject, or throws when it resolved. */
async function rejectionTime(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let rejected = false;
  try {
    await call();
  } catch {
    rejected = true;
  }
  expect(rejected).toBe(true);
  return performance.now() - started;
}

let db: TestDatabase;
const stubs: StubSlack[] = [];
const apps: SlackApp[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const app of apps) await app.stop();
  for (const stub of stubs) await stub.close();
  await db.drop();
});

/** The real Bolt app, as main.ts builds it for production (no retry override), against `stub`. */
async function boltAgainst(behaviour: Behaviour): Promise<{ app: SlackApp; stub: StubSlack }> {
  const stub = await startStubSlack(behaviour);
  stubs.push(stub);
  const app = createSlackApp({
    config: loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789abcdef',
      SLACK_API_URL: stub.url,
      LOCALE: 'en',
    }),
    db: db.db,
    pool: db.pool,
    clock: createSystemClock(),
    logger: createSilentLogger(),
  });
  apps.push(app);
  return { app, stub };
}

const post = (app: SlackApp) => () =>
  app.app.client.chat.postMessage({ token: 'xoxb-test-token', channel: 'C0ALERTS', text: 'hello' });

describe('the Bolt app’s WebClient (interactive)', () => {
  it.concurrent('gives up on a Slack that never answers after 1 + INTERACTIVE_RETRIES bounded attempts', async () => {
    const { app, stub } = await boltAgainst('hang');
    const elapsed = await rejectionTime(post(app));
    const attempts = 1 + INTERACTIVE_RETRIES;
    expect(stub.attempts()).toBe(attempts);
    // Each attempt waits its full timeout; generous slack for a busy machine, far below the SDK's
    // default (no timeout at all, ten retries over about 30 minutes).
    expect(elapsed).toBeGreaterThanOrEqual(attempts * INTERACTIVE_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(attempts * INTERACTIVE_TIMEOUT_MS + 8_000);
  }, 40_000);

  it.concurrent('retries a 500 once, within a second, then rejects', async () => {
    const { app, stub } = await boltAgainst('error500');
    const elapsed = await rejectionTime(post(app));
    expect(stub.attempts()).toBe(1 + INTERACTIVE_RETRIES);
    expect(elapsed).toBeLessThan(5_000);
  }, 40_000);

  it.concurrent('rejects a 429 at once instead of sleeping out its Retry-After', async () => {
    const { app, stub } = await boltAgainst('rateLimited');
    const elapsed = await rejectionTime(post(app));
    expect(stub.attempts()).toBe(1);
    expect(elapsed).toBeLessThan(5_000);
  }, 40_000);

  it.concurrent('bounds respond() too: its fetch aborts a response_url that never answers', async () => {
    const stub = await startStubSlack('hang');
    stubs.push(stub);
    const { fetch: boundedFetch } = interactiveClientOptions();
    const elapsed = await rejectionTime(() =>
      boundedFetch!(`${stub.url}response/R1`, { method: 'POST', body: '{"text":"hi"}' }),
    );
    expect(stub.attempts()).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(INTERACTIVE_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(INTERACTIVE_TIMEOUT_MS + 8_000);
  }, 40_000);
});

describe('the outbox worker’s WebClient', () => {
  it.concurrent('makes one attempt against a Slack that never answers, rejected after OUTBOX_TIMEOUT_MS', async () => {
    const stub = await startStubSlack('hang');
    stubs.push(stub);
    const web = createOutboxWebClient({
      token: 'xoxb-test-token',
      apiUrl: stub.url,
      logLevel: LogLevel.ERROR,
    });
    const elapsed = await rejectionTime(() => web.chat.postMessage({ channel: 'C0ALERTS', text: 'alert' }));
    expect(stub.attempts()).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(OUTBOX_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(OUTBOX_TIMEOUT_MS + 8_000);
  }, 40_000);

  it.concurrent('leaves a 500 and a 429 to the worker: one attempt each, at once', async () => {
    for (const behaviour of ['error500', 'rateLimited'] as const) {
      const stub = await startStubSlack(behaviour);
      stubs.push(stub);
      const web = createOutboxWebClient({
        token: 'xoxb-test-token',
        apiUrl: stub.url,
        logLevel: LogLevel.ERROR,
      });
      const elapsed = await rejectionTime(() => web.chat.postMessage({ channel: 'C0ALERTS', text: 'alert' }));
      expect(stub.attempts()).toBe(1);
      expect(elapsed).toBeLessThan(5_000);
    }
  }, 40_000);
});
