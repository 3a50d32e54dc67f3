import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { type RunningService, startService } from '../../../src/service/start-service.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { type CallHold, type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { type SocketModeServer, startSocketModeServer } from '../../support/socket-mode-server.js';
import { waitUntil } from '../../support/wait-until.js';

/**
 * Socket Mode while Slack does not answer (docs/SLACK.md, "Slack unreachable at start"): the whole
 * service starts, /healthz answers at once and says Slack is not connected, and the connection is
 * made once Slack answers. Before, start waited for apps.connections.open (which the WebClient waits
 * for without a timeout) before it listened, so /healthz was down for as long as Slack was.
 * Also: with HOST unset, Socket Mode listens on loopback only (README, "Configuration").
 */
let database: TestDatabase;
let fake: FakeSlack;
let hold: CallHold;
let socketMode: SocketModeServer;
let service: RunningService | undefined;
let startMs = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeSlack();
  socketMode = await startSocketModeServer();
  fake.socketModeUrl = socketMode.url;
  // Slack takes the call and never answers it.
  hold = fake.holdCalls('apps.connections.open');
  const startedAt = performance.now();
  const started = startService(
    loadConfig({
      DATABASE_URL: database.url,
      SLACK_BOT_TOKEN: 'xoxb-socket-unreachable',
      SLACK_APP_TOKEN: 'xapp-1-A0CHRONOPS-1-unreachable',
      SLACK_API_URL: fake.apiUrl,
      ALERT_CHANNEL: 'C0ALERTS',
      PORT: '0',
      LOG_LEVEL: 'silent',
      POLL_INTERVAL_MS: '200',
    }),
    createSilentLogger(),
  ).then((running) => {
    service = running;
    return running;
  });
  const outcome = await Promise.race([
    started,
    new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000).unref()),
  ]);
  startMs = performance.now() - startedAt;
  if (outcome === 'late')
    throw new Error('startService had not returned 10 s after start, while Slack did not answer');
});

afterAll(async () => {
  hold?.release();
  await service?.stop();
  await socketMode.close();
  await fake.close();
  await database.drop();
});

const healthz = async () => {
  const response = await fetch(`${service!.httpUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** Local addresses listening on `port`, from the kernel's table (IPv4 and IPv6, hex as the kernel writes). */
function listenersOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
      .map((fields) => fields[1]!.split(':')[0]!);
  });
}

describe('Socket Mode with Slack not answering', () => {
  it('starts and answers /healthz at once, reporting Slack as not connected', async () => {
    expect(startMs).toBeLessThan(10_000);
    await waitUntil(async () => hold.parked() === 1, 5000, 'apps.connections.open is waiting on Slack');
    const startedAt = performance.now();
    const first = await healthz();
    expect(performance.now() - startedAt).toBeLessThan(3000);
    expect(first.body.slack).toBe('connecting');
    // Ready once the scheduler's first tick is in (a loaded machine may take a moment), Slack or not.
    let answer = first;
    await waitUntil(
      async () => {
        answer = await healthz();
        return answer.status === 200;
      },
      5000,
      '/healthz answers 200',
    );
    expect(answer.body).toMatchObject({ status: 'ok', database: 'up', slack: 'connecting' });
    expect(hold.parked()).toBe(1);
  });

  it('listens on loopback only, HOST being unset', () => {
    const port = Number(new URL(service!.httpUrl).port);
    expect(new URL(service!.httpUrl).hostname).toBe('127.0.0.1');
    // 0100007F is 127.0.0.1 as /proc (Linux) writes it; 00000000 would be every interface.
    expect(listenersOn(port)).toEqual(['0100007F']);
  });

  it('connects once Slack answers, and /healthz says so', async () => {
    hold.release();
    await waitUntil(
      async () => (await healthz()).body.slack === 'connected',
      20_000,
      '/healthz reports Slack connected',
      200,
    );
    expect(socketMode.sockets).toHaveLength(1);
  });

  it('reports a connection Slack dropped, and reconnects', async () => {
    socketMode.sockets[0]!.terminate();
    await waitUntil(
      async () => (await healthz()).body.slack !== 'connected',
      5000,
      '/healthz reports the dropped connection',
      50,
    );
    await waitUntil(
      async () => (await healthz()).body.slack === 'connected',
      20_000,
      '/healthz reports Slack connected again',
      200,
    );
    expect(socketMode.sockets).toHaveLength(2);
  });
});
