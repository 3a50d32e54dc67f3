import { describe, expect, it } from 'vitest';
import { createOccurrencePlanner } from '../../../src/scheduler/occurrence-planner.js';
import { createSilentLogger } from '../../../src/shared/logger.js';

const planner = (scheduleCacheMax?: number) =>
  createOccurrencePlanner({
    logger: createSilentLogger(),
    planHorizonMs: 1500,
    misfireThresholdMs: 60_000,
    catchupWindowSeconds: 3600,
    maxCatchupRuns: 10,
    ...(scheduleCacheMax === undefined ? {} : { scheduleCacheMax }),
  });

describe('the planner keeps a bounded schedule cache', () => {
  it('evicts the least recently used schedules past its bound, and still parses them again', () => {
    const bounded = planner(50);
    for (let minute = 0; minute < 60; minute++) {
      for (const zone of ['Europe/Paris', 'UTC', 'America/New_York']) {
        expect(bounded.parsedCron(`${minute} 4 * * *`, zone)).not.toBeNull();
      }
    }
    expect(bounded.cachedSchedules()).toBe(50);
    // Evicted long ago, parsed again on demand.
    expect(bounded.parsedCron('0 4 * * *', 'Europe/Paris')).not.toBeNull();
    expect(bounded.cachedSchedules()).toBe(50);
  });

  it('caches an unparsable schedule as such (a task edited by SQL), within the bound', () => {
    const bounded = planner(2);
    expect(bounded.parsedCron('not a cron', 'UTC')).toBeNull();
    expect(bounded.parsedCron('0 4 * * *', 'Nowhere/Zone')).toBeNull();
    expect(bounded.parsedCron('0 4 * * *', 'UTC')).not.toBeNull();
    expect(bounded.cachedSchedules()).toBe(2);
  });

  it('is bounded by default', () => {
    const unbounded = planner();
    for (let i = 0; i < 25_000; i++)
      unbounded.parsedCron(`${i % 60} ${Math.floor(i / 60) % 24} * * *`, `Etc/GMT+${i % 12}`);
    expect(unbounded.cachedSchedules()).toBeLessThanOrEqual(20_000);
  });
});
