import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_BACKOFF,
  type RetryBackoffOptions,
  retryDelayMs,
} from '../../../src/domain/retry-backoff.js';

const constant = (value: number) => () => value;

describe('retryDelayMs', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY_BACKOFF).toEqual({ baseMs: 30_000, maxMs: 900_000, jitterRatio: 0.2 });
  });

  it.each([
    // [attempt, random, expected ms] with the defaults (30 s base, 15 min cap, ±20 %)
    [1, 0.5, 30_000],
    [1, 0, 24_000],
    [1, 0.75, 33_000],
    [1, 0.999_999, 36_000],
    [2, 0.5, 60_000],
    [3, 0.5, 120_000],
    [4, 0.5, 240_000],
    [5, 0.5, 480_000],
    [5, 0, 384_000],
    [6, 0.5, 900_000], // 960 s, capped
    [6, 0, 720_000], // jitter below the cap
    [6, 0.75, 900_000], // jitter above the cap is clamped: the cap is a hard ceiling
    [100, 0.5, 900_000],
    [0, 0.5, 30_000], // below 1 counts as the first retry
    [-3, 0.5, 30_000],
    [Number.NaN, 0.5, 30_000],
    [2.7, 0.5, 60_000],
    [1, 1.5, 36_000], // a bad random is clamped
    [1, -1, 24_000],
    [1, Number.NaN, 30_000],
  ])('attempt %d, random %d → %d ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, DEFAULT_RETRY_BACKOFF, constant(random))).toBe(expected);
  });

  it.each<[RetryBackoffOptions, number, number, number]>([
    [{ baseMs: 1_000, maxMs: 10_000, jitterRatio: 0 }, 1, 0, 1_000],
    [{ baseMs: 1_000, maxMs: 10_000, jitterRatio: 0 }, 4, 0.9, 8_000],
    [{ baseMs: 1_000, maxMs: 10_000, jitterRatio: 0 }, 5, 0.9, 10_000],
    [{ baseMs: 1_000, maxMs: 10_000, jitterRatio: 1 }, 1, 0, 0],
    [{ baseMs: 1_000, maxMs: 10_000, jitterRatio: 0.1 }, 3, 0.25, 3_800],
  ])('%j attempt %d random %d → %d ms', (opts, attempt, random, expected) => {
    expect(retryDelayMs(attempt, opts, constant(random))).toBe(expected);
  });

  it('stays within ±jitter of the capped delay for any random draw', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const nominal = Math.min(900_000, 30_000 * 2 ** (attempt - 1));
      for (let draw = 0; draw < 1; draw += 0.01) {
        const delay = retryDelayMs(attempt, DEFAULT_RETRY_BACKOFF, constant(draw));
        expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(900_000, Math.ceil(nominal * 1.2)));
      }
    }
  });
});
