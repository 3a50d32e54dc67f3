import { describe, expect, it } from 'vitest';
import {
  acceptedHosts,
  cookieValue,
  decideAccess,
  newSecret,
  sameSecret,
} from '../../../src/sandbox/access.js';

const SECRET = 'a'.repeat(64);
const rules = {
  acceptedHosts: acceptedHosts(['127.0.0.1'], 3000),
  pageSecret: SECRET,
  cookieName: 'chronops_sandbox_3000',
};
const COOKIE = `other=1; chronops_sandbox_3000=${SECRET}`;

function decide(method: string, url: string, headers: { host?: string; cookie?: string } = {}) {
  return decideAccess(
    { method, url, hostHeader: headers.host ?? '127.0.0.1:3000', cookieHeader: headers.cookie },
    rules,
  );
}

describe('acceptedHosts', () => {
  it('accepts the loopback names and the names the server listens under, on its port only', () => {
    expect([...acceptedHosts(['127.0.0.1'], 3000)].sort()).toEqual([
      '127.0.0.1:3000',
      '[::1]:3000',
      'localhost:3000',
    ]);
    expect(acceptedHosts(['0.0.0.0', 'Chronops.LAN', '::'], 8080)).toEqual(
      new Set([
        '127.0.0.1:8080',
        'localhost:8080',
        '[::1]:8080',
        '0.0.0.0:8080',
        'chronops.lan:8080',
        '[::]:8080',
      ]),
    );
    expect(acceptedHosts(['[::1]'], 80).has('localhost')).toBe(true);
  });
});

describe('decideAccess', () => {
  it('refuses a foreign Host header on every route, before anything else (DNS rebinding)', () => {
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', `/?token=${SECRET}`],
      ['GET', '/sandbox/state'],
      ['POST', '/sandbox/command'],
      ['POST', '/api/auth.test'],
      ['POST', '/sandbox/response/R1'],
    ] as const) {
      for (const host of ['evil.example:3000', '127.0.0.1:3001', '127.0.0.1', undefined]) {
        const decision = decideAccess({ method, url, hostHeader: host, cookieHeader: COOKIE }, rules);
        expect(decision).toMatchObject({ kind: 'refuse', status: 403 });
      }
    }
    expect(decide('GET', '/', { host: 'EVIL.example:3000' })).toMatchObject({
      reason:
        'This sandbox answers only requests addressed to 127.0.0.1:3000, localhost:3000, [::1]:3000 (its defence against DNS rebinding).',
    });
    expect(decide('GET', '/', { host: 'LocalHost:3000', cookie: COOKIE })).toEqual({ kind: 'allow' });
  });

  it('needs the page secret in the cookie for the page, its assets, state, stream and calls', () => {
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', '/index.html'],
      ['GET', '/sandbox/assets/app.js'],
      ['GET', '/sandbox/state?user=U1'],
      ['GET', '/sandbox/stream'],
      ['POST', '/sandbox/command'],
      ['POST', '/sandbox/home'],
    ] as const) {
      expect(decide(method, url)).toEqual({
        kind: 'refuse',
        status: 401,
        reason:
          "This sandbox acts as admins for whoever opens it, so it needs this run's secret: open the URL printed in the chronops log (it contains ?token=…).",
      });
      expect(decide(method, url, { cookie: `chronops_sandbox_3000=${'b'.repeat(64)}` })).toMatchObject({
        kind: 'refuse',
        status: 401,
      });
      // Another port's sandbox's cookie is not this one's.
      expect(decide(method, url, { cookie: `chronops_sandbox_3001=${SECRET}` })).toMatchObject({
        status: 401,
      });
      expect(decide(method, url, { cookie: COOKIE })).toEqual({ kind: 'allow' });
    }
  });

  it('opens the page with the right token: cookie set, token removed from the URL', () => {
    expect(decide('GET', `/?user=U1&token=${SECRET}`)).toEqual({
      kind: 'open',
      location: '/?user=U1',
      setCookie: `chronops_sandbox_3000=${SECRET}; HttpOnly; SameSite=Strict; Path=/`,
    });
    expect(decide('GET', `/?token=${SECRET}`)).toMatchObject({ kind: 'open', location: '/' });
    expect(decide('GET', '/?token=wrong', { cookie: COOKIE })).toMatchObject({
      kind: 'refuse',
      status: 401,
      reason: expect.stringContaining('This token is not the one of this run'),
    });
    // A token anywhere but the page opens nothing.
    expect(decide('GET', `/sandbox/state?token=${SECRET}`)).toMatchObject({ kind: 'refuse', status: 401 });
  });

  it('leaves the bot-facing routes to their own secrets: bot token, response_url and upload ids', () => {
    expect(decide('POST', '/api/auth.test')).toEqual({ kind: 'allow' });
    expect(decide('POST', '/sandbox/response/Rabc')).toEqual({ kind: 'allow' });
    expect(decide('POST', '/sandbox/upload/abc')).toEqual({ kind: 'allow' });
    expect(decide('GET', '/sandbox/response/Rabc')).toMatchObject({ kind: 'refuse', status: 401 });
  });
});

describe('secrets', () => {
  it('compares in constant time and refuses a missing value', () => {
    expect(sameSecret(SECRET, SECRET)).toBe(true);
    expect(sameSecret(`${SECRET}x`, SECRET)).toBe(false);
    expect(sameSecret('', SECRET)).toBe(false);
    expect(sameSecret(undefined, SECRET)).toBe(false);
  });

  it('makes a new random secret each time', () => {
    expect(newSecret()).toMatch(/^[0-9a-f]{64}$/);
    expect(newSecret()).not.toBe(newSecret());
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; b = 2 ;c=x=y', 'b')).toBe('2');
    expect(cookieValue('a=1; c=x=y', 'c')).toBe('x=y');
    expect(cookieValue('ab=1', 'b')).toBeUndefined();
    expect(cookieValue(undefined, 'b')).toBeUndefined();
  });
});
