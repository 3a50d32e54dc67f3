import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Who may use the sandbox. Its people are admins, so whoever reaches its page can create and run tasks
 * against the database; three locks keep that to the person who started it:
 * - the Host header must name the server as it was asked to listen (a DNS-rebinding page reaches a
 *   loopback server under its own domain name, which is never one of these);
 * - the page and its calls need this run's secret, given once in the URL printed at start and then
 *   kept in an HttpOnly, SameSite=Strict cookie (as Jupyter does);
 * - what the bot calls carries secrets the bot was given: the per-run bot token on `/api/`, unguessable
 *   ids in its `response_url`s and upload URLs. The route checks those itself.
 */

/** The names a loopback server is reached under from this machine. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** A fresh secret for this run: `bytes` random bytes from the operating system, as hex. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Whether `given` is `expected`, in a time that does not depend on where they differ. Both are hashed
 * first, so timingSafeEqual gets equal lengths and the comparison leaks no length either.
 */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The Host header values the sandbox answers on `port`: the loopback names, and each of `listenNames`
 * (the HOST the server listens on, the base URL it gives out). A wildcard HOST (0.0.0.0, ::) is only
 * itself here, not every address of the machine: to reach the sandbox from elsewhere, HOST must be the
 * address or name used to reach it. Port 80 is also accepted without its number, as browsers send it.
 */
export function acceptedHosts(listenNames: readonly string[], port: number): ReadonlySet<string> {
  const accepted = new Set<string>();
  for (const name of [...LOOPBACK_NAMES, ...listenNames]) {
    const bare = name
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (bare === '') continue;
    const host = bare.includes(':') ? `[${bare}]` : bare;
    accepted.add(`${host}:${port}`);
    if (port === 80) accepted.add(host);
  }
  return accepted;
}

export interface AccessRules {
  /** From acceptedHosts. */
  readonly acceptedHosts: ReadonlySet<string>;
  /** The page's secret for this run (the `token` of the printed URL, and the cookie's value). */
  readonly pageSecret: string;
  /** Per port: browsers share cookies between the ports of one host, so two sandboxes must not clash. */
  readonly cookieName: string;
}

export interface AccessRequest {
  readonly method: string;
  /** The request target, e.g. `/?token=…&user=U1` or `/sandbox/state?user=U1`. */
  readonly url: string;
  readonly hostHeader: string | undefined;
  readonly cookieHeader: string | undefined;
}

export type AccessDecision =
  /** Go on: the person holds the page's secret, or the route checks the bot's own secret. */
  | { readonly kind: 'allow' }
  /** The right token in the page URL: set the cookie and send the browser to the URL without it. */
  | { readonly kind: 'open'; readonly location: string; readonly setCookie: string }
  | { readonly kind: 'refuse'; readonly status: 401 | 403; readonly reason: string };

const OPEN_PRINTED_URL = 'open the URL printed in the chronops log (it contains ?token=…)';

/**
 * What to do with a request for one of the sandbox's routes, before anything of it is read. Pure: the
 * request's method, target and headers against this run's rules.
 */
export function decideAccess(request: AccessRequest, rules: AccessRules): AccessDecision {
  const host = (request.hostHeader ?? '').trim().toLowerCase();
  if (!rules.acceptedHosts.has(host)) {
    return {
      kind: 'refuse',
      status: 403,
      reason: `This sandbox answers only requests addressed to ${[...rules.acceptedHosts].join(', ')} (its defence against DNS rebinding).`,
    };
  }
  const target = new URL(request.url, 'http://sandbox.invalid');
  const path = target.pathname;
  if (path.startsWith('/api/')) return { kind: 'allow' };
  if (
    request.method === 'POST' &&
    (path.startsWith('/sandbox/response/') || path.startsWith('/sandbox/upload/'))
  )
    return { kind: 'allow' };

  const token = target.searchParams.get('token');
  if (token !== null && isPage(request.method, path)) {
    if (!sameSecret(token, rules.pageSecret)) {
      return {
        kind: 'refuse',
        status: 401,
        reason: `This token is not the one of this run (a new one is made at every start): ${OPEN_PRINTED_URL}.`,
      };
    }
    // Sent on without the token, so it stays out of the history and of Referer headers.
    target.searchParams.delete('token');
    return {
      kind: 'open',
      location: `${path}${target.search}`,
      setCookie: `${rules.cookieName}=${rules.pageSecret}; HttpOnly; SameSite=Strict; Path=/`,
    };
  }
  if (sameSecret(cookieValue(request.cookieHeader, rules.cookieName), rules.pageSecret))
    return { kind: 'allow' };
  return {
    kind: 'refuse',
    status: 401,
    reason: `This sandbox acts as admins for whoever opens it, so it needs this run's secret: ${OPEN_PRINTED_URL}.`,
  };
}

/** The page itself (what the printed URL opens). */
export function isPage(method: string, path: string): boolean {
  return method === 'GET' && (path === '/' || path === '/index.html');
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
