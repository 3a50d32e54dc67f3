import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { type RunningService, startService } from '../../../src/service/start-service.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

// docs/SANDBOX.md: with real Slack tokens the sandbox is off (no page, no fake Web API). No browser needed.
describe('sandbox with Slack tokens set', () => {
  let db: TestDatabase;
  let service: RunningService;
  beforeAll(async () => {
    db = await createTestDatabase();
    service = await startService(
      loadConfig({
        DATABASE_URL: db.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        SLACK_BOT_TOKEN: 'xoxb-real-looking',
        SLACK_SIGNING_SECRET: 'real-signing-secret',
        // Nothing listens there: the bot must not need Slack to start (auth.test is lazy).
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
      }),
      createSilentLogger(),
    );
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it('serves neither the page nor the fake Web API, while /slack/events and /healthz stay', async () => {
    expect((await fetch(`${service.httpUrl}/`)).status).toBe(404);
    expect((await fetch(`${service.httpUrl}/sandbox/state`)).status).toBe(404);
    expect((await fetch(`${service.httpUrl}/api/auth.test`, { method: 'POST' })).status).toBe(404);
    // Bolt answers an unsigned request itself (401), so the route is there.
    expect((await fetch(`${service.httpUrl}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect([200, 503]).toContain((await fetch(`${service.httpUrl}/healthz`)).status);
  });
});
