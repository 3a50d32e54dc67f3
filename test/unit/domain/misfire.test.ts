import { describe, expect, it } from 'vitest';
import { parseCron } from '../../../src/domain/cron.js';
import { collectMissedOccurrences, type MisfirePolicy, planMisfire } from '../../../src/domain/misfire.js';

const HOUR_MS = 3_600_000;

function hours(...list: number[]): Date[] {
  return list.map((hour) => new Date(Date.UTC(2026, 0, 1, hour)));
}

function utcHours(dates: readonly Date[]): number[] {
  return dates.map((date) => date.getUTCHours());
}

describe('planMisfire', () => {
  const NOW = new Date(Date.UTC(2026, 0, 1, 10)); // missed occurrences are at hours 1…9

  it.each<[MisfirePolicy, number[], number, number, number[], number[]]>([
    // [policy, missed hours, catch-up window (h), max catch-up runs, run hours, skip hours]
    ['run_once', [1, 2, 3], 1, 10, [3], [1, 2]],
    ['run_once', [4], 0, 0, [4], []],
    ['run_once', [], 1, 10, [], []],
    ['skip', [1, 2, 3], 24, 10, [], [1, 2, 3]],
    ['skip', [], 24, 10, [], []],
    ['run_all', [1, 2, 3], 24, 10, [1, 2, 3], []],
    ['run_all', [1, 2, 3, 4, 5], 24, 2, [4, 5], [1, 2, 3]],
    ['run_all', [5, 6, 7, 8, 9], 3, 10, [7, 8, 9], [5, 6]], // window start 07:00 is inclusive
    ['run_all', [5, 6, 7, 8, 9], 3, 2, [8, 9], [5, 6, 7]],
    ['run_all', [1, 2], 3, 10, [], [1, 2]],
    ['run_all', [1, 2, 3], 24, 0, [], [1, 2, 3]],
    ['run_all', [3, 1, 2], 24, 10, [1, 2, 3], []], // sorted defensively
  ])('%s missed %j window %dh max %d → run %j skip %j', (policy, missed, windowHours, max, run, skip) => {
    const plan = planMisfire({
      policy,
      missed: hours(...missed),
      now: NOW,
      catchupWindowMs: windowHours * HOUR_MS,
      maxCatchupRuns: max,
    });
    expect({ run: utcHours(plan.run), skip: utcHours(plan.skip) }).toEqual({ run, skip });
    // Every missed occurrence is in exactly one list.
    expect([...plan.run, ...plan.skip].map((date) => date.getTime()).sort()).toEqual(
      hours(...missed)
        .map((date) => date.getTime())
        .sort(),
    );
  });
});

describe('collectMissedOccurrences', () => {
  it.each([
    // [expression, last planned, now, limit, expected first, expected last, expected count, truncated]
    [
      '0 * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:30:00Z',
      10,
      '2026-01-01T01:00:00Z',
      '2026-01-01T05:00:00Z',
      5,
      false,
    ],
    [
      '0 * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:30:00Z',
      5,
      '2026-01-01T01:00:00Z',
      '2026-01-01T05:00:00Z',
      5,
      false,
    ],
    [
      '0 * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:30:00Z',
      3,
      '2026-01-01T03:00:00Z',
      '2026-01-01T05:00:00Z',
      3,
      true,
    ],
    [
      '0 * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:00:00Z',
      10,
      '2026-01-01T01:00:00Z',
      '2026-01-01T05:00:00Z',
      5,
      false,
    ],
    [
      '0 * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:00:00Z',
      1,
      '2026-01-01T05:00:00Z',
      '2026-01-01T05:00:00Z',
      1,
      true,
    ],
    [
      '30 2 * * *',
      '2025-12-02T02:30:00Z',
      '2026-01-01T12:00:00Z',
      10,
      '2025-12-23T02:30:00Z',
      '2026-01-01T02:30:00Z',
      10,
      true,
    ],
    [
      '30 2 * * *',
      '2025-12-30T02:30:00Z',
      '2026-01-01T12:00:00Z',
      10,
      '2025-12-31T02:30:00Z',
      '2026-01-01T02:30:00Z',
      2,
      false,
    ],
    [
      '* * * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-02T00:00:00Z',
      100,
      '2026-01-01T23:58:21Z',
      '2026-01-02T00:00:00Z',
      100,
      true,
    ],
    [
      '* * * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:01:40Z',
      100,
      '2026-01-01T00:00:01Z',
      '2026-01-01T00:01:40Z',
      100,
      false,
    ],
    [
      '* * 1 * *',
      '2025-11-15T00:00:00Z',
      '2026-01-01T00:10:00Z',
      5,
      '2026-01-01T00:06:00Z',
      '2026-01-01T00:10:00Z',
      5,
      true,
    ],
  ])('%s in (%s, %s] limit %d', (expression, last, now, limit, first, latest, count, truncated) => {
    const result = collectMissedOccurrences(
      parseCron(expression, 'UTC'),
      new Date(last),
      new Date(now),
      limit,
    );
    expect(result.missed).toHaveLength(count);
    expect(result.missed[0]?.toISOString()).toBe(new Date(first).toISOString());
    expect(result.missed.at(-1)?.toISOString()).toBe(new Date(latest).toISOString());
    expect(result.truncated).toBe(truncated);
    const times = result.missed.map((date) => date.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it.each([
    ['nothing due yet', '0 * * * *', '2026-01-01T05:00:00Z', '2026-01-01T05:30:00Z', 10, false],
    [
      'now before the last planned run',
      '0 * * * *',
      '2026-01-01T05:00:00Z',
      '2026-01-01T04:00:00Z',
      10,
      false,
    ],
    [
      'a limit of zero reports truncation',
      '0 * * * *',
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:00:00Z',
      0,
      true,
    ],
  ])('%s', (_label, expression, last, now, limit, truncated) => {
    expect(
      collectMissedOccurrences(parseCron(expression, 'UTC'), new Date(last), new Date(now), limit),
    ).toEqual({
      missed: [],
      truncated,
    });
  });

  it('follows the DST policy: a 02:30 Paris task missed over the spring-forward night', () => {
    const result = collectMissedOccurrences(
      parseCron('30 2 * * *', 'Europe/Paris'),
      new Date('2027-03-27T01:30:00Z'),
      new Date('2027-03-29T12:00:00Z'),
      10,
    );
    expect(result).toEqual({
      missed: [new Date('2027-03-28T01:00:00Z'), new Date('2027-03-29T00:30:00Z')],
      truncated: false,
    });
  });
});
