import { describe, expect, it } from 'vitest';
import { createRecentDurations } from '../../../src/scheduler/recent-durations.js';
import { createFakeClock } from '../../../src/shared/clock.js';

describe('recent success durations of a replica', () => {
  it('knows nothing until the history was remembered, then adds its own successes in front', () => {
    const clock = createFakeClock('2026-11-28T10:00:00Z');
    const cache = createRecentDurations(clock, { window: 3, ttlMs: 60_000, maxTasks: 10 });
    cache.record('task-a', 5);
    expect(cache.lookup('task-a')).toBeUndefined();
    cache.remember('task-a', [30, 20, 10, 0]);
    expect(cache.lookup('task-a')).toEqual([30, 20, 10]);
    cache.record('task-a', 40);
    expect(cache.lookup('task-a')).toEqual([40, 30, 20]);
  });

  it('forgets an entry once it is older than the time to live, so other replicas’ runs are read again', () => {
    const clock = createFakeClock('2026-11-28T10:00:00Z');
    const cache = createRecentDurations(clock, { window: 20, ttlMs: 60_000, maxTasks: 10 });
    cache.remember('task-a', [100]);
    clock.advance(60_000);
    expect(cache.lookup('task-a')).toEqual([100]);
    clock.advance(1);
    expect(cache.lookup('task-a')).toBeUndefined();
  });

  it('keeps at most maxTasks tasks, dropping the least recently loaded', () => {
    const clock = createFakeClock('2026-11-28T10:00:00Z');
    const cache = createRecentDurations(clock, { window: 20, ttlMs: 60_000, maxTasks: 2 });
    cache.remember('a', [1]);
    cache.remember('b', [2]);
    cache.remember('a', [3]);
    cache.remember('c', [4]);
    expect(cache.lookup('b')).toBeUndefined();
    expect(cache.lookup('a')).toEqual([3]);
    expect(cache.lookup('c')).toEqual([4]);
  });
});
