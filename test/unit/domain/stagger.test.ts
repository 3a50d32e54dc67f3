import { describe, expect, it } from 'vitest';
import { parseCron } from '../../../src/domain/cron.js';
import {
  findCollisions,
  MAX_MINUTES_PER_TASK,
  type StaggerTask,
  suggestFreeMinute,
} from '../../../src/domain/stagger.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FROM = new Date('2026-01-05T00:00:00Z'); // a Monday, winter time in Paris (UTC+1)

function task(
  id: string,
  expression: string,
  options: { zone?: string; enabled?: boolean } = {},
): StaggerTask {
  return {
    id,
    name: `task ${id}`,
    cron: parseCron(expression, options.zone ?? 'UTC'),
    enabled: options.enabled ?? true,
  };
}

function plain(collisions: ReturnType<typeof findCollisions>) {
  return collisions.map(({ minute, taskIds }) => [minute.toISOString(), taskIds]);
}

describe('findCollisions', () => {
  it.each<[string, StaggerTask[], number, Array<[string, string[]]>]>([
    [
      'two tasks at 03:00, one at 03:30, a disabled one at 03:30',
      [
        task('a', '0 3 * * *'),
        task('b', '0 3 * * *'),
        task('c', '30 3 * * *'),
        task('d', '30 3 * * *', { enabled: false }),
      ],
      DAY_MS,
      [['2026-01-05T03:00:00.000Z', ['a', 'b']]],
    ],
    [
      'the same UTC minute from different zones',
      [task('paris', '0 4 * * *', { zone: 'Europe/Paris' }), task('utc', '0 3 * * *')],
      DAY_MS,
      [['2026-01-05T03:00:00.000Z', ['paris', 'utc']]],
    ],
    [
      'an every-second task collides with everything, once per minute',
      [task('tick', '* * * * * *'), task('half', '*/30 * * * *')],
      HOUR_MS,
      [
        ['2026-01-05T00:00:00.000Z', ['tick', 'half']],
        ['2026-01-05T00:30:00.000Z', ['tick', 'half']],
      ],
    ],
    [
      'seconds in the same minute collide',
      [task('s10', '10 0 3 * * *'), task('s50', '50 0 3 * * *')],
      DAY_MS,
      [['2026-01-05T03:00:00.000Z', ['s10', 's50']]],
    ],
    [
      'a task listed twice does not collide with itself',
      [task('a', '0 3 * * *'), task('a', '0 3 * * *')],
      DAY_MS,
      [],
    ],
    ['different minutes', [task('a', '0 3 * * *'), task('b', '1 3 * * *')], DAY_MS, []],
    ['the window end is exclusive', [task('a', '0 1 * * *'), task('b', '0 1 * * *')], HOUR_MS, []],
    [
      'several days, ascending',
      [task('a', '0 3 * * *'), task('b', '0 3 * * 1,2'), task('c', '0 2 * * *'), task('d', '0 2 * * 2')],
      3 * DAY_MS,
      [
        ['2026-01-05T03:00:00.000Z', ['a', 'b']],
        ['2026-01-06T02:00:00.000Z', ['c', 'd']],
        ['2026-01-06T03:00:00.000Z', ['a', 'b']],
      ],
    ],
  ])('%s', (_label, tasks, windowMs, expected) => {
    expect(plain(findCollisions(tasks, FROM, new Date(FROM.getTime() + windowMs)))).toEqual(expected);
  });

  it('bounds the work per task', () => {
    const tasks = [task('a', '* * * * *'), task('b', '* * * * * *')];
    const collisions = findCollisions(tasks, FROM, new Date(FROM.getTime() + 2 * DAY_MS));
    expect(MAX_MINUTES_PER_TASK).toBe(1_500);
    expect(collisions).toHaveLength(MAX_MINUTES_PER_TASK);
    expect(collisions.at(-1)?.minute.toISOString()).toBe('2026-01-06T00:59:00.000Z');
  });
});

describe('suggestFreeMinute', () => {
  it.each<[string, string, StaggerTask[], { minuteOffset: number; expression: string } | null]>([
    ['already free', '0 3 * * *', [task('a', '5 3 * * *')], { minuteOffset: 0, expression: '0 3 * * *' }],
    [
      'minute -1 does not exist, +1 is busy: +2',
      '0 3 * * *',
      [task('a', '0 3 * * *'), task('b', '1 3 * * *')],
      { minuteOffset: 2, expression: '2 3 * * *' },
    ],
    [
      '+1 is busy, −1 is free',
      '30 3 * * *',
      [task('a', '30 3 * * *'), task('b', '31 3 * * *')],
      { minuteOffset: -1, expression: '29 3 * * *' },
    ],
    [
      '+1 is preferred over −1',
      '30 3 * * *',
      [task('a', '30 3 * * *')],
      { minuteOffset: 1, expression: '31 3 * * *' },
    ],
    [
      'stays within the hour at 59',
      '59 3 * * *',
      [task('a', '59 3 * * *'), task('b', '58 3 * * *')],
      { minuteOffset: -2, expression: '57 3 * * *' },
    ],
    [
      'disabled tasks do not count',
      '0 3 * * *',
      [task('a', '0 3 * * *', { enabled: false })],
      { minuteOffset: 0, expression: '0 3 * * *' },
    ],
    [
      'a weekly task only blocks its own day within the horizon',
      '0 3 * * *',
      [task('a', '0 3 * * 3'), task('b', '1 3 * * *')],
      { minuteOffset: 2, expression: '2 3 * * *' },
    ],
    [
      'collisions in another zone count in UTC',
      '0 3 * * *',
      [task('paris', '0 4 * * *', { zone: 'Europe/Paris' })],
      { minuteOffset: 1, expression: '1 3 * * *' },
    ],
    [
      'hourly candidate',
      '0 * * * *',
      [task('a', '0 * * * *'), task('b', '1 */2 * * *')],
      { minuteOffset: 2, expression: '2 * * * *' },
    ],
    [
      'six fields: the minute is the second field',
      '0 0 3 * * *',
      [task('a', '0 3 * * *')],
      { minuteOffset: 1, expression: '0 1 3 * * *' },
    ],
    ['not a fixed minute: step', '*/5 3 * * *', [task('a', '0 3 * * *')], null],
    ['not a fixed minute: list', '0,30 3 * * *', [task('a', '0 3 * * *')], null],
    ['not a fixed minute: range', '0-5 3 * * *', [task('a', '0 3 * * *')], null],
    ['nothing is free next to an every-minute task', '0 3 * * *', [task('a', '* * * * *')], null],
    ['nothing within ±30', '0 3 * * *', [task('a', '0-31 3 * * *')], null],
  ])('%s', (_label, expression, others, expected) => {
    expect(suggestFreeMinute(parseCron(expression, 'UTC'), others, FROM, 7 * DAY_MS)).toEqual(expected);
  });
});
