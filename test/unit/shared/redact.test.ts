import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import {
  createRedactor,
  createSecretSet,
  passwordOf,
  redactDeep,
  redactUrlPasswords,
} from '../../../src/shared/redact.js';

describe('redactUrlPasswords', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/app', 'postgres://app:***@db:5432/app'],
    ['connect to postgresql://u:p%40ss@h/d failed', 'connect to postgresql://u:***@h/d failed'],
    ['two: redis://a:x1@r and https://b:y2@w/p', 'two: redis://a:***@r and https://b:***@w/p'],
    ['password with @: postgres://u:p@ss@host/db', 'postgres://u:***@host/db'],
    ['no password: postgres://u@h/d and postgres://h/d', 'no password: postgres://u@h/d and postgres://h/d'],
  ])('%s', (input, expected) => {
    expect(redactUrlPasswords(input)).toContain(expected);
    expect(redactUrlPasswords(input)).not.toMatch(/s3cret|p%40ss|x1@|y2@|p@ss/);
  });
});

describe('createRedactor', () => {
  it('replaces every known secret, longest first, and ignores empty or too short ones', () => {
    const redact = createRedactor(['xoxb-123-456-abcdef', 'xoxb-123', '', undefined, '1234']);
    expect(redact('token xoxb-123-456-abcdef and xoxb-123 then 1234')).toBe('token *** and *** then 1234');
  });

  it('grows with the secrets a service learns after start', () => {
    const secrets = createSecretSet(['first-secret']);
    secrets.add('later-secret');
    expect(secrets.redact('first-secret later-secret')).toBe('*** ***');
  });

  it('reads a URL password for the set, decoded', () => {
    expect(passwordOf('postgres://u:p%40ss@h/d')).toBe('p@ss');
    expect(passwordOf('postgres://u@h/d')).toBeUndefined();
    expect(passwordOf('not a url')).toBeUndefined();
  });

  it('redacts deep inside results, keeping other values', () => {
    const redact = createRedactor(['hunter2-secret']);
    expect(redactDeep({ a: ['x hunter2-secret'], n: 3, d: { url: 'postgres://u:z@h' } }, redact)).toEqual({
      a: ['x ***'],
      n: 3,
      d: { url: 'postgres://u:***@h' },
    });
  });
});

describe('the service logger', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { lines, stream };
  }

  it('censors secret fields, known values, URL passwords and errors', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', redact: createRedactor(['xoxb-live-token-1234']) }, stream);
    logger.info({ botToken: 'anything', config: { signingSecret: 'abc' } }, 'started');
    logger.info('url postgres://chronops:pw-9876@db/app and xoxb-live-token-1234');
    logger.error({ err: new Error('cannot connect to postgres://u:pw-5555@h/d') }, 'failed');
    logger.info({ detail: 'header xoxb-live-token-1234' }, 'field');
    const text = lines.join('');
    expect(text).not.toMatch(/anything|"abc"|pw-9876|pw-5555|xoxb-live-token-1234/);
    expect(text).toContain('postgres://chronops:***@db/app');
    expect(text).toContain('postgres://u:***@h/d');
  });
});
