import { type IncomingHttpHeaders, request } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import { type RunningService, startService } from '../../../src/service/start-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request through node:http, which (unlike fetch) lets the test send any Host header, as a
 * DNS-rebinding page's browser would.
 */
function send(
  url: string,
  options: { method?: string; host?: string; cookie?: string; json?: unknown; form?: string } = {},
): Promise<Answer> {
  const target = new URL(url);
  const body =
    options.json !== undefined
      ? JSON.stringify(options.json)
      : options.form !== undefined
        ? options.form
        : '';
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: {
          host: options.host ?? target.host,
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const OPEN_PRINTED_URL = 'open the URL printed in the chronops log (it contains ?token=…)';
const ADA = 'U0SBADA';

// The sandbox acts as two admins: it must answer only its own Host names, the page only to whoever has
// the URL printed at start, and its fake Web API only to this run's bot token.
describe('sandbox access on the real service (CHRONOPS_SANDBOX=true beside a database)', () => {
  let db: TestDatabase;
  let service: RunningService;
  let sandbox: Sandbox;
  let base: string;
  const logLines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    service = await startService(
      loadConfig({
        DATABASE_URL: db.url,
        CHRONOPS_SANDBOX: 'true',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        POLL_INTERVAL_MS: '200',
      }),
      logger,
    );
    if (!service.sandbox) throw new Error('CHRONOPS_SANDBOX=true did not start the sandbox');
    sandbox = service.sandbox;
    base = service.httpUrl;
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  /** Opens the printed URL as a browser would, and returns the cookie it sets (`name=value`). */
  async function openWithToken(): Promise<string> {
    const opened = await send(sandbox.pageUrlWithToken);
    const [setCookie] = opened.headers['set-cookie'] ?? [];
    if (opened.status !== 303 || !setCookie) throw new Error(`the printed URL answered ${opened.status}`);
    return setCookie.split(';')[0]!;
  }

  it('prints the page URL with a per-run token at start', () => {
    expect(sandbox.pageUrlWithToken).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    expect(logLines.map((line) => line.msg)).toContain(
      `open ${sandbox.pageUrlWithToken} for the sandbox workspace (docs/SANDBOX.md)`,
    );
  });

  it('refuses a request without the cookie: the page, its state and its calls', async () => {
    for (const answer of [
      await send(`${base}/`),
      await send(`${base}/sandbox/state?user=${ADA}`),
      await send(`${base}/sandbox/command`, {
        method: 'POST',
        json: { user: ADA, channel: 'C0GENERAL', text: '/tasks help' },
      }),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toContain(OPEN_PRINTED_URL);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    expect((await send(`${base}/`)).headers['content-type']).toMatch(/^text\/html/);
  });

  it('refuses a wrong token, and opens the page with the right one: cookie, then redirect without it', async () => {
    const wrong = await send(`${base}/?token=${'0'.repeat(64)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain(OPEN_PRINTED_URL);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const opened = await send(`${sandbox.pageUrlWithToken}&user=${ADA}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/?user=${ADA}`);
    const [setCookie] = opened.headers['set-cookie'] ?? [];
    expect(setCookie).toMatch(/^chronops_sandbox_\d+=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = setCookie!.split(';')[0]!;

    const page = await send(`${base}/?user=${ADA}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<');
    const state = await send(`${base}/sandbox/state?user=${ADA}`, { cookie });
    expect(state.status).toBe(200);
    expect(JSON.parse(state.body)).toMatchObject({ me: ADA });
    const command = await send(`${base}/sandbox/command`, {
      method: 'POST',
      cookie,
      json: { user: ADA, channel: 'C0GENERAL', text: '/tasks help' },
    });
    expect(command.status).toBe(200);
    expect(JSON.parse(command.body)).toEqual({ ok: true });
    expect((await send(`${base}/sandbox/assets/app.js`, { cookie })).status).toBe(200);
  });

  it('refuses a foreign Host header, even with the cookie and the bot token (DNS rebinding)', async () => {
    const cookie = await openWithToken();
    const auth = `token=${sandbox.botToken}`;
    for (const host of ['rebind.attacker.example', `rebind.attacker.example:${new URL(base).port}`]) {
      for (const answer of [
        await send(`${base}/`, { host, cookie }),
        await send(`${base}/sandbox/state?user=${ADA}`, { host, cookie }),
        await send(`${base}/api/auth.test`, { method: 'POST', host, form: auth }),
        await send(`${base}/sandbox/response/anything`, { method: 'POST', host, json: { text: 'x' } }),
      ]) {
        expect(answer.status).toBe(403);
        expect(answer.body).toContain('DNS rebinding');
      }
    }
    // The loopback names of the same port are this server's own.
    expect((await send(`${base}/`, { host: `localhost:${new URL(base).port}`, cookie })).status).toBe(200);
    // /healthz and Bolt's /slack/events are not the sandbox's.
    expect([200, 503]).toContain((await send(`${base}/healthz`, { host: 'rebind.attacker.example' })).status);
    expect(
      (await send(`${base}/slack/events`, { method: 'POST', host: 'rebind.attacker.example', json: {} }))
        .status,
    ).toBe(401);
  });

  it("answers its fake Web API only with this run's bot token", async () => {
    expect(sandbox.botToken).toMatch(/^xoxb-sandbox-[0-9a-f]{32}$/);
    const constant = await send(`${base}/api/auth.test`, { method: 'POST', form: 'token=xoxb-sandbox' });
    expect(JSON.parse(constant.body)).toMatchObject({ ok: false, error: 'invalid_auth' });
    const right = await send(`${base}/api/auth.test`, { method: 'POST', form: `token=${sandbox.botToken}` });
    expect(JSON.parse(right.body)).toMatchObject({ ok: true });
  });

  it('gives the bot response_urls nobody can guess', async () => {
    const command = await send(`${base}/sandbox/command`, {
      method: 'POST',
      cookie: await openWithToken(),
      json: { user: ADA, channel: 'C0GENERAL', text: '/tasks list' },
    });
    expect(JSON.parse(command.body)).toEqual({ ok: true });
    // Earlier commands issued response_urls; counting ids (R00000001, R00000002…) would be among these.
    const guesses = Array.from(
      { length: 300 },
      (_, i) => `R${(i + 1).toString(36).toUpperCase().padStart(8, '0')}`,
    );
    for (const id of guesses) {
      const answer = await send(`${base}/sandbox/response/${id}`, {
        method: 'POST',
        json: { text: 'posted by another local process', response_type: 'in_channel' },
      });
      expect(answer.status, id).toBe(404);
    }
  });
});
