import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service/start-service.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { openRawConnection, within } from '../support/raw-http.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * The whole service's HTTP port as the network sees it (docs/RELIABILITY.md, "Review findings
 * (security)" 11): a slow-loris client is cut off at HTTP_HEADERS_TIMEOUT_SECONDS, connections past
 * HTTP_MAX_CONNECTIONS are refused, and /healthz with the database out of reach says "down" without
 * the database's own message (which names its user, host and port), which goes to the log instead.
 */
const ROLE = `chronops_probe_${randomBytes(4).toString('hex')}`;
let database: TestDatabase;
let fake: FakeSlack;
let service: RunningService;
let admin: pg.Client;
let port: number;
let serviceUrl: string;
const logLines: Array<Record<string, unknown>> = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeSlack();
  admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create role ${ROLE} login superuser password 'probe-password'`);
  const url = new URL(database.url);
  url.username = ROLE;
  url.password = 'probe-password';
  serviceUrl = url.toString();
  const logger = createLogger(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  service = await startService(
    loadConfig({
      DATABASE_URL: url.toString(),
      SLACK_BOT_TOKEN: 'xoxb-exposure-test',
      SLACK_SIGNING_SECRET: 'exposure-test-secret',
      SLACK_API_URL: fake.apiUrl,
      ALERT_CHANNEL: 'C0ALERTS',
      HOST: '127.0.0.1',
      PORT: '0',
      POLL_INTERVAL_MS: '200',
      HTTP_HEADERS_TIMEOUT_SECONDS: '1',
      HTTP_REQUEST_TIMEOUT_SECONDS: '5',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '30',
      HTTP_MAX_CONNECTIONS: '4',
    }),
    logger,
  );
  port = Number(new URL(service.httpUrl).port);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await admin.query(`alter role ${ROLE} login`).catch(() => {});
  await service?.stop();
  await database.drop();
  await admin.query(`drop role if exists ${ROLE}`).catch(() => {});
  await admin.end();
  await fake.close();
});

const healthz = async () => {
  const response = await fetch(`${service.httpUrl}/healthz`);
  return { status: response.status, body: await response.text() };
};

describe('the service’s HTTP port', () => {
  it('cuts off a slow-loris client at HTTP_HEADERS_TIMEOUT_SECONDS', async () => {
    const loris = await openRawConnection(port, sockets);
    loris.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => {
      if (!loris.socket.destroyed) loris.socket.write('X-Slow: still typing\r\n');
    }, 200);
    try {
      const livedMs = await within(loris.closed, 6000);
      expect(livedMs, 'the slow-loris client was still connected after 6 s').toBeDefined();
      expect(livedMs!).toBeLessThan(3000);
      expect(loris.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  });

  it('refuses connections past HTTP_MAX_CONNECTIONS while those it holds are served', async () => {
    const held = await Promise.all([
      openRawConnection(port, sockets),
      openRawConnection(port, sockets),
      openRawConnection(port, sockets),
      openRawConnection(port, sockets),
    ]);
    for (const client of held) client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await expect.poll(() => held.every((client) => /"status":"ok"/.test(client.received()))).toBe(true);
    const fifth = await openRawConnection(port, sockets);
    fifth.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await within(fifth.closed, 2000), 'the fifth connection was kept').toBeDefined();
    expect(fifth.received()).toBe('');
    for (const client of held) client.socket.destroy();
    await Promise.all(held.map((client) => client.closed));
    await waitUntil(async () => (await healthz()).status === 200, 5000, '/healthz answers again');
  });

  it('answers /healthz with "down" when the database refuses the service, never the database’s message', async () => {
    const before = logLines.length;
    await admin.query(`alter role ${ROLE} nologin`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [ROLE]);
    // What the driver says to whoever logs in as the service now: it names the role.
    const refusal = await new pg.Client({ connectionString: serviceUrl }).connect().then(
      () => 'connected',
      (error: unknown) => String(error),
    );
    expect(refusal).toContain(ROLE);
    // A connection in use when it was terminated fails first ("terminating connection…"); the pool's
    // next ones fail to log in, with the role's name: three 503s in a row include those.
    const answers: Array<{ status: number; body: string }> = [];
    await waitUntil(
      async () => {
        const answer = await healthz();
        if (answer.status === 503) answers.push(answer);
        return answers.length >= 3;
      },
      15_000,
      '/healthz reports the database down three times',
    );
    for (const answer of answers) {
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'down', database: 'down' });
      for (const leak of [ROLE, '127.0.0.1', String(new URL(database.url).port), database.name])
        expect(answer.body).not.toContain(leak);
    }
    // The real reason is in the log, for whoever runs the service (once a minute at most).
    const logged = logLines
      .slice(before)
      .find((line) => String(line.msg).startsWith('/healthz: the database does not answer: '));
    expect(logged, 'a log line with the database error').toBeDefined();
    expect(String(logged!.msg)).toMatch(new RegExp(`${ROLE}|terminating connection`));

    await admin.query(`alter role ${ROLE} login`);
    await waitUntil(async () => (await healthz()).status === 200, 15_000, '/healthz is ok again');
  });
});
