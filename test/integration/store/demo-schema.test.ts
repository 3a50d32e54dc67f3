import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom, ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createTestDatabase, scalar, type TestDatabase } from '../../support/database.js';
import { T0 as NOW } from '../../support/fixtures.js';

const DAY_MS = 86_400_000;
let first: TestDatabase;
let second: TestDatabase;

beforeAll(async () => {
  [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([first.drop(), second.drop()]);
});

describe('ensureDemoSchema', () => {
  it('creates and fills the demo tables once, even when called concurrently', async () => {
    const results = await Promise.all([
      ensureDemoSchema(first.pool, { now: NOW }),
      ensureDemoSchema(first.pool, { now: NOW }),
    ]);
    expect(results.map((result) => result.seeded).sort()).toEqual([false, true]);
    const expected = { users: 600, conversations: 2000, rate_limits: 800, admin_sessions: 150, logs: 4000 };
    expect(results.find((result) => result.seeded)?.rows).toEqual(expected);
    for (const [table, count] of Object.entries(expected)) {
      expect(await scalar(first.pool, `select count(*)::int4 as value from ${table}`)).toBe(count);
    }
    expect(await ensureDemoSchema(first.pool, { now: NOW })).toMatchObject({ seeded: false });
    expect(await scalar(first.pool, 'select count(*)::int4 as value from users')).toBe(600);
  });

  it('spreads rows over the 90 days before now, so every template has work to do', async () => {
    const span = await first.pool.query<{ oldest: Date; newest: Date }>(
      'select min(created_at) as oldest, max(created_at) as newest from logs',
    );
    expect(span.rows[0]!.oldest.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 90 * DAY_MS);
    expect(span.rows[0]!.newest.getTime()).toBeLessThanOrEqual(NOW.getTime());
    const cutoff = new Date(NOW.getTime() - 30 * DAY_MS);
    const since = new Date(NOW.getTime() - DAY_MS);
    const work: Array<[string, string, Date]> = [
      ['old logs', 'select count(*)::int4 as value from logs where created_at < $1', cutoff],
      [
        'stale conversations',
        'select count(*)::int4 as value from conversations where last_message_at < $1',
        cutoff,
      ],
      [
        'recent conversations',
        'select count(*)::int4 as value from conversations where last_message_at >= $1',
        cutoff,
      ],
      ['expired rate limits', 'select count(*)::int4 as value from rate_limits where expires_at < $1', NOW],
      ['live rate limits', 'select count(*)::int4 as value from rate_limits where expires_at >= $1', NOW],
      ['expired sessions', 'select count(*)::int4 as value from admin_sessions where expires_at < $1', NOW],
      ['live sessions', 'select count(*)::int4 as value from admin_sessions where expires_at >= $1', NOW],
      ['new users in 24 h', 'select count(*)::int4 as value from users where created_at >= $1', since],
      [
        'messages in 24 h',
        "select count(*)::int4 as value from logs where created_at >= $1 and message like 'message sent%'",
        since,
      ],
    ];
    for (const [name, text, at] of work) {
      expect({ name, count: await scalar(first.pool, text, [at]) }).toEqual({
        name,
        count: expect.toSatisfy((n: number) => n > 0),
      });
    }
    expect(
      await scalar(first.pool, 'select count(*)::int4 as value from users where quota - messages_sent < 10'),
    ).toBeGreaterThan(0);
  });

  it('is deterministic for the same now and seed', async () => {
    await ensureDemoSchema(second.pool, { now: NOW });
    const digest = (database: TestDatabase) =>
      scalar(
        database.pool,
        `select ('x' || substr(md5(string_agg(concat_ws('|', email, quota, messages_sent, created_at), ',' order by id)), 1, 8))::bit(32)::int4 as value from users`,
      );
    expect(await digest(second)).toBe(await digest(first));
  });

  it('draws from a seeded generator', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});
