import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service/start-service.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// /healthz, /metrics and the dead-man's switch of a whole service started in-process.
let database: TestDatabase;
let service: RunningService;
const pings: string[] = [];
const deadMan = createServer((request, response) => {
  pings.push(`${request.method} ${request.url}`);
  response.end('ok');
});

beforeAll(async () => {
  database = await createTestDatabase();
  await new Promise<void>((resolve) => deadMan.listen(0, '127.0.0.1', () => resolve()));
  const address = deadMan.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  service = await startService(
    loadConfig({
      DATABASE_URL: database.url,
      CHRONOPS_SANDBOX: 'true',
      PORT: '0',
      LOG_LEVEL: 'silent',
      POLL_INTERVAL_MS: '100',
      HEARTBEAT_URL: `http://127.0.0.1:${port}/ping/chronops`,
    }),
    createSilentLogger(),
  );
});
afterAll(async () => {
  await service?.stop();
  deadMan.close();
  await database.drop();
});

describe('operations endpoints', () => {
  it('reports health: database, scheduler loop, last tick age, outbox backlog', async () => {
    await service.scheduler.events.waitFor('tick');
    const response = await fetch(`${service.httpUrl}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', database: 'up', scheduler: 'alive', outboxBacklog: 0 });
    expect(body.lastTickAgeMs).toBeTypeOf('number');
  });

  it('serves Prometheus metrics, counting executions by status and type', async () => {
    const task = await database.pool.query<{ id: string }>(
      `select id from scheduled_tasks where template = 'system:rate_limit_cleanup'`,
    );
    const finished = service.scheduler.events.waitFor('execution.finished');
    await database.pool.query(`select execute_task_now($1, 'U1')`, [task.rows[0]!.id]);
    await finished;
    const response = await fetch(`${service.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/chronops_executions_total\{status="(success|failed)",type="cleanup"\} 1/);
    expect(text).toContain('chronops_outbox_backlog');
    expect(text).toContain('chronops_scheduler_last_tick_timestamp_seconds');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('counts alert deliveries: the failed clean-up (no demo tables here) is announced in #alerts', async () => {
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${service.httpUrl}/metrics`)).text();
      if (/chronops_outbox_deliveries_total\{outcome="delivered"\} [1-9]/.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toMatch(/chronops_outbox_deliveries_total\{outcome="delivered"\} [1-9]/);
  });

  it('pings the dead-man’s switch while the loop is alive', async () => {
    const deadline = Date.now() + 5000;
    while (pings.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pings[0]).toBe('GET /ping/chronops');
  });
});
