import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHealthEndpoint, createMetricsEndpoint, type HealthDeps } from '../../../src/http/health.js';
import { createLogger } from '../../../src/shared/logger.js';

/** The driver's own words when the database is out of reach: host, port, user and database named. */
const LEAKY = new Error(
  'getaddrinfo ENOTFOUND db-primary.prod.internal (connecting as "chronops_admin" to database "chronops_prod" on port 6432)',
);
const LEAKED_WORDS = ['db-primary', 'prod.internal', 'chronops_admin', 'chronops_prod', '6432', 'ENOTFOUND'];

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function call(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Answer> {
  return new Promise((resolve) => {
    const answer: Answer = { status: 0, headers: {}, body: '' };
    const response = {
      writeHead(status: number, headers: Record<string, string>) {
        answer.status = status;
        answer.headers = headers;
        return this;
      },
      end(body: string) {
        answer.body = body;
        resolve(answer);
      },
    };
    handler({} as IncomingMessage, response as unknown as ServerResponse);
  });
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, destination), lines };
}

function deps(overrides: Partial<HealthDeps> & Pick<HealthDeps, 'logger'>): HealthDeps {
  const now = Date.parse('2026-12-08T10:00:00Z');
  return {
    readDatabase: async () => ({ outboxBacklog: 2 }),
    scheduler: {
      lastTickAt: () => new Date(now - 1000),
      nextWakeAt: () => null,
      runningCount: () => 1,
    },
    nowMs: () => now,
    pollIntervalMs: 30_000,
    ...overrides,
  };
}

describe('/healthz', () => {
  it('answers 200 with the figures while the database answers and the loop ticks', async () => {
    const { logger } = capturingLogger();
    const answer = await call(createHealthEndpoint(deps({ logger })));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      status: 'ok',
      database: 'up',
      scheduler: 'alive',
      lastTickAgeMs: 1000,
      running: 1,
      outboxBacklog: 2,
    });
  });

  it('answers a generic "down" when the database fails, never its message, which goes to the log', async () => {
    const { logger, lines } = capturingLogger();
    const answer = await call(
      createHealthEndpoint(deps({ logger, readDatabase: () => Promise.reject(LEAKY) })),
    );
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'down', database: 'down' });
    for (const word of LEAKED_WORDS) expect(answer.body).not.toContain(word);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn' });
    expect(String(lines[0]!.msg)).toContain('db-primary.prod.internal');
  });

  it('logs a failing database once, then at most once a minute, and says when it answers again', async () => {
    const { logger, lines } = capturingLogger();
    let now = 0;
    let failing = true;
    const endpoint = createHealthEndpoint(
      deps({
        logger,
        nowMs: () => now,
        readDatabase: () => (failing ? Promise.reject(LEAKY) : Promise.resolve({ outboxBacklog: 0 })),
      }),
    );
    for (let second = 0; second < 90; second += 5) {
      now = second * 1000;
      await call(endpoint);
    }
    expect(lines.map((line) => line.failedChecks)).toEqual([1, 12]);
    failing = false;
    await call(endpoint);
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'the database answers /healthz again' });
  });

  it('reports Socket Mode’s connection without failing on it', async () => {
    const { logger } = capturingLogger();
    const answer = await call(createHealthEndpoint(deps({ logger, slackState: () => 'connecting' })));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok', slack: 'connecting' });
    const over = await call(createHealthEndpoint(deps({ logger, slackState: () => undefined })));
    expect(JSON.parse(over.body)).not.toHaveProperty('slack');
  });
});

describe('/metrics', () => {
  it('answers 500 with a fixed sentence when a collector fails, the error in the log', async () => {
    const { logger, lines } = capturingLogger();
    const answer = await call(
      createMetricsEndpoint({ collect: () => Promise.reject(LEAKY), contentType: 'text/plain', logger }),
    );
    expect(answer.status).toBe(500);
    expect(answer.body).toBe('metrics unavailable: see the service log\n');
    expect(String(lines[0]!.msg)).toContain('db-primary.prod.internal');
  });
});
