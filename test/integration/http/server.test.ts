import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import {
  createHttpServer,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  listen,
  listeningPort,
} from '../../../src/http/server.js';
import { openRawConnection, within } from '../../support/raw-http.js';

/**
 * The service's HTTP server limits (src/http/server.ts; docs/RELIABILITY.md, "Review findings
 * (security)"), on loopback with a handler that answers at once. Node's defaults would keep a slow-loris
 * client 60 s, a slow body 300 s, and accept connections without bound.
 */
let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(limits: Partial<HttpLimits>): Promise<number> {
  server = createHttpServer(
    (request, response) => {
      // As /slack/events does: the whole body first, then the answer.
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok\n');
      });
    },
    { ...DEFAULT_HTTP_LIMITS, ...limits },
  );
  await listen(server, 0, '127.0.0.1');
  return listeningPort(server, 0);
}

describe('the HTTP server', () => {
  it('cuts off a slow-loris client at headersTimeout, though it keeps sending header lines', async () => {
    const port = await serve({ headersTimeoutMs: 1500, requestTimeoutMs: 10_000 });
    const loris = await openRawConnection(port, sockets);
    loris.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let lines = 0;
    const drip = setInterval(() => {
      if (!loris.socket.destroyed) {
        loris.socket.write(`X-Slow-${lines}: still typing\r\n`);
        lines += 1;
      }
    }, 200);
    try {
      const livedMs = await within(loris.closed, 6000);
      // Node's defaults (60 s, checked every 30 s) keep this client connected far past 6 s.
      expect(livedMs, 'the slow-loris connection was still open after 6 s').toBeDefined();
      expect(livedMs!).toBeGreaterThanOrEqual(1400);
      expect(livedMs!).toBeLessThan(3500);
      expect(lines).toBeGreaterThan(5);
      expect(loris.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes a connection that never sends a request at headersTimeout', async () => {
    const port = await serve({ headersTimeoutMs: 1000, requestTimeoutMs: 10_000 });
    const idle = await openRawConnection(port, sockets);
    const livedMs = await within(idle.closed, 5000);
    expect(livedMs, 'the idle connection was still open after 5 s').toBeDefined();
    expect(livedMs!).toBeLessThan(2500);
  });

  it('answers 408 to a body still arriving at requestTimeout', async () => {
    const port = await serve({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const slow = await openRawConnection(port, sockets);
    slow.socket.write(
      'POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n',
    );
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write('x');
    }, 100);
    try {
      const livedMs = await within(slow.closed, 6000);
      expect(livedMs, 'the slow upload was still open after 6 s').toBeDefined();
      expect(livedMs!).toBeLessThan(3500);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  });

  it('refuses connections beyond maxConnections at once, and takes new ones when a place is free', async () => {
    const port = await serve({ maxConnections: 3 });
    const held = await Promise.all([
      openRawConnection(port, sockets),
      openRawConnection(port, sockets),
      openRawConnection(port, sockets),
    ]);
    // Each held connection gets its answer and stays open (keep-alive).
    for (const client of held) client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await expect.poll(() => held.every((client) => client.received().includes('ok\n'))).toBe(true);

    const refused = await openRawConnection(port, sockets);
    refused.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const livedMs = await within(refused.closed, 2000);
    expect(livedMs, 'the fourth connection was kept').toBeDefined();
    expect(refused.received()).toBe('');
    for (const client of held) expect(client.socket.destroyed).toBe(false);

    held[0]!.socket.destroy();
    await held[0]!.closed;
    await expect
      .poll(async () => {
        const next = await openRawConnection(port, sockets);
        next.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
        await within(next.closed, 2000);
        return next.received();
      })
      .toMatch(/^HTTP\/1\.1 200 /);
  });

  it('uses the configuration’s defaults', () => {
    expect(loadConfig({}).http).toEqual(DEFAULT_HTTP_LIMITS);
  });
});
