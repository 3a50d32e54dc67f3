import { nextRunAfter, type ParsedCron } from './cron.js';

/**
 * Misfire handling (docs/ARCHITECTURE.md §5.7): what to do with occurrences whose time passed while no replica
 * was running (a deploy, an outage).
 *
 * - `run_once`: run the latest missed occurrence, skip the others;
 * - `skip`: skip them all (recorded as skipped executions);
 * - `run_all`: run those still inside the catch-up window, at most `maxCatchupRuns` of them (the
 *   latest), skip the rest.
 */
export type MisfirePolicy = 'run_once' | 'skip' | 'run_all';

export interface MisfireInput {
  policy: MisfirePolicy;
  /** Missed occurrences (scheduled instants), ascending. */
  missed: readonly Date[];
  now: Date;
  /** `run_all` only: an occurrence runs when `scheduledFor >= now - catchupWindowMs`. */
  catchupWindowMs: number;
  /** `run_all` only: at most this many catch-up runs (the latest ones). */
  maxCatchupRuns: number;
}

export interface MisfirePlan {
  /** Occurrences to run as catch-up executions, ascending. */
  run: Date[];
  /** Occurrences to record as skipped, ascending. */
  skip: Date[];
}

/**
 * Splits missed occurrences according to the policy. Every occurrence ends up in exactly one of the
 * two lists, so the engine can record each of them (the summary alert lists both).
 */
export function planMisfire(input: MisfireInput): MisfirePlan {
  const missed = [...input.missed].sort((a, b) => a.getTime() - b.getTime());
  if (missed.length === 0) return { run: [], skip: [] };
  switch (input.policy) {
    case 'skip':
      return { run: [], skip: missed };
    case 'run_once':
      return { run: missed.slice(-1), skip: missed.slice(0, -1) };
    case 'run_all': {
      const windowStartMs = input.now.getTime() - input.catchupWindowMs;
      const inWindow = missed.filter((occurrence) => occurrence.getTime() >= windowStartMs);
      const run = inWindow.slice(Math.max(0, inWindow.length - Math.max(0, input.maxCatchupRuns)));
      const running = new Set(run);
      return { run, skip: missed.filter((occurrence) => !running.has(occurrence)) };
    }
  }
}

export interface MissedOccurrences {
  /** The latest `limit` occurrences in (lastPlannedFor, now], ascending. */
  missed: Date[];
  /** True when more occurrences than `limit` fell in (lastPlannedFor, now]. */
  truncated: boolean;
}

/**
 * Occurrences of `cron` in (lastPlannedFor, now], keeping the latest `limit` when there are more.
 *
 * Cost: the search walks backwards from `now` in a window that starts at `limit` seconds (room for
 * `limit` runs of the densest, every-second schedule) and doubles until it holds `limit` runs or
 * reaches `lastPlannedFor`, enumerating forward inside the window. An every-second task after a day
 * of downtime costs about `limit` nextRunAfter calls, not 86,400; a daily task costs about
 * log2(downtime / limit s) small windows. The worst case (runs packed in bursts) enumerates the
 * runs of the last doubled window, at most twice the runs that window needed.
 */
export function collectMissedOccurrences(
  cron: ParsedCron,
  lastPlannedFor: Date,
  now: Date,
  limit: number,
): MissedOccurrences {
  const fromMs = lastPlannedFor.getTime();
  const nowMs = now.getTime();
  const firstMissed = nextRunAfter(cron, lastPlannedFor);
  if (firstMissed === null || firstMissed.getTime() > nowMs) return { missed: [], truncated: false };
  if (limit < 1) return { missed: [], truncated: true };

  for (let windowMs = limit * 1000; ; windowMs *= 2) {
    const windowStartMs = Math.max(fromMs, nowMs - windowMs);
    const inWindow: Date[] = [];
    for (let run = nextRunAfter(cron, new Date(windowStartMs)); run !== null && run.getTime() <= nowMs; ) {
      inWindow.push(run);
      run = nextRunAfter(cron, run);
    }
    const reachedStart = windowStartMs === fromMs;
    if (reachedStart || inWindow.length >= limit) {
      const missedBeforeWindow = !reachedStart && firstMissed.getTime() <= windowStartMs;
      return {
        missed: inWindow.slice(-limit),
        truncated: inWindow.length > limit || missedBeforeWindow,
      };
    }
  }
}
