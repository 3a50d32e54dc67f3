import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * The service's HTTP server (`/slack/events`, `/healthz`, `/metrics`, the sandbox page) with limits on
 * what one client can hold (docs/RELIABILITY.md, "Review findings (security)"): Node's defaults wait
 * 60 s for headers and 300 s for a request, and accept connections without bound, so a few slow or
 * idle clients could hold the server's sockets and file descriptors.
 */
export interface HttpLimits {
  /** At most this many connections at once; past it a new connection is closed as soon as it is accepted. */
  readonly maxConnections: number;
  /** A client that has not sent all its headers by then gets 408 and its connection is closed. */
  readonly headersTimeoutMs: number;
  /** Same for the whole request, body included (at least headersTimeoutMs). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open between two requests. */
  readonly keepAliveTimeoutMs: number;
}

/** The defaults of config.ts (HTTP_* variables), for callers without a Config (tests, tools). */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxConnections: 512,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5000,
};

/**
 * Node checks the two timeouts only every `connectionsCheckingInterval` (30 s by default), which would
 * let a slow client stay up to 30 s past them: checked every second here, or sooner for short limits.
 */
const CHECK_INTERVAL_MAX_MS = 1000;

export function createHttpServer(handler: RequestListener, limits: HttpLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(
        CHECK_INTERVAL_MAX_MS,
        Math.max(100, Math.floor(limits.headersTimeoutMs / 4)),
      ),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  // No socket inactivity timeout (server.timeout stays 0): the sandbox page's event stream is idle for
  // long stretches by design. A connection that never sends a request is closed by headersTimeout.
  return server;
}

/** Listens, turning "port taken" into a sentence naming it. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`Port ${port} on ${host} is already in use: stop the other process or set PORT.`));
      } else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

/**
 * How this machine reaches the server listening on `host`, for URLs: a wildcard through loopback, an
 * IPv6 literal in brackets.
 */
export function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The port the server ended up on (PORT may be 0). */
export function listeningPort(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}
