/** Exponential backoff with jitter for failed executions (docs/ARCHITECTURE.md §5.5). */
export interface RetryBackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  baseMs: number;
  /** Hard ceiling on any delay, jitter included, in milliseconds. */
  maxMs: number;
  /** Jitter as a fraction of the delay: 0.2 spreads retries over ±20 %. */
  jitterRatio: number;
}

/** 30 s, 1 min, 2 min, 4 min… capped at 15 min, ±20 %. */
export const DEFAULT_RETRY_BACKOFF: Readonly<RetryBackoffOptions> = {
  baseMs: 30_000,
  maxMs: 15 * 60_000,
  jitterRatio: 0.2,
};

/**
 * Delay in milliseconds before retry number `attempt` (1 for the first retry):
 * `min(maxMs, baseMs × 2^(attempt-1))`, then multiplied by `1 + jitterRatio × (2u − 1)` where `u` is
 * `random()` in [0, 1), then clamped to [0, maxMs] and rounded to a whole millisecond.
 *
 * The jitter spreads the retries of tasks that failed together (a database restart fails them all at
 * once) so they do not all come back in the same second. `maxMs` stays a hard ceiling: at the cap the
 * jitter can only shorten the delay. An attempt below 1 (or not a number) counts as 1; a `random`
 * outside [0, 1) is clamped (NaN means no jitter), so a bad generator cannot produce a negative or huge delay.
 *
 * @param random injected randomness (Math.random in production, a fixed sequence in tests).
 */
export function retryDelayMs(attempt: number, opts: RetryBackoffOptions, random: () => number): number {
  const exponent = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) - 1 : 0;
  const exponential = Math.min(opts.maxMs, opts.baseMs * 2 ** exponent);
  const drawn = random();
  const u = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0.5;
  const jittered = exponential * (1 + opts.jitterRatio * (2 * u - 1));
  return Math.round(Math.min(opts.maxMs, Math.max(0, jittered)));
}
