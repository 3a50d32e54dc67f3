import type { Clock } from '../shared/clock.js';
import type { SuccessDurationCache } from '../store/execution-settlement.js';

/**
 * What this replica knows of each task's recent success durations (newest first), for the
 * duration-anomaly check at settle time. Without it, every settled success re-reads up to `window`
 * rows of its task's history: at 5,000 executions/s that was 12 % of PostgreSQL's time
 * (docs/BENCHMARKS.md). An entry is read from the history once, then extended with this replica's own
 * successes, and read again after `ttlMs`, so successes recorded by other replicas count within that
 * delay. At most `maxTasks` tasks are kept (the least recently loaded are dropped first).
 */
export function createRecentDurations(
  clock: Clock,
  options: { window: number; ttlMs: number; maxTasks: number },
): SuccessDurationCache & { record(taskId: string, durationMs: number): void } {
  const entries = new Map<string, { loadedAtMs: number; durations: number[] }>();
  return {
    lookup(taskId) {
      const entry = entries.get(taskId);
      if (!entry) return undefined;
      if (clock.nowMs() - entry.loadedAtMs > options.ttlMs) {
        entries.delete(taskId);
        return undefined;
      }
      return entry.durations;
    },
    remember(taskId, durations) {
      entries.delete(taskId);
      entries.set(taskId, { loadedAtMs: clock.nowMs(), durations: durations.slice(0, options.window) });
      if (entries.size > options.maxTasks) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    /** A success this replica settled: newest first, so it goes in front. */
    record(taskId, durationMs) {
      const entry = entries.get(taskId);
      if (!entry) return;
      entry.durations = [durationMs, ...entry.durations].slice(0, options.window);
    },
  };
}
