import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dstNotices, nextRunAfter, nextRunsAfter, parseCron } from '../../../src/domain/cron.js';
import { validateTimezone } from '../../../src/domain/zone-offsets.js';
import { AppError } from '../../../src/shared/errors.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function isoList(dates: readonly Date[]): string[] {
  return dates.map((date) => date.toISOString());
}

function caught(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

function localDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';
}

describe('validateTimezone', () => {
  it.each([
    ['Europe/Paris', 'Europe/Paris'],
    ['  europe/paris ', 'Europe/Paris'],
    ['UTC', 'UTC'],
    ['America/New_York', 'America/New_York'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
  ])('accepts %j as %j', (input, expected) => {
    expect(validateTimezone(input)).toBe(expected);
  });

  it.each(['Mars/Olympus', '', '+02:00', 'Paris'])('rejects %j', (input) => {
    const error = caught(() => validateTimezone(input));
    expect(error.code).toBe('unknown_timezone');
    expect(error.field).toBe('timezone');
    expect(error.message).toBe(`Unknown time zone "${input}": use an IANA name such as Europe/Paris.`);
  });

  it('answers a second time the same, from memory, and keeps refusing what it refused', () => {
    for (let i = 0; i < 3; i++) {
      expect(validateTimezone(' asia/tokyo')).toBe('Asia/Tokyo');
      expect(caught(() => validateTimezone('Mars/Olympus')).code).toBe('unknown_timezone');
    }
  });
});

describe('parseCron: accepted expressions', () => {
  it.each([
    ['30 2 * * *', '30 2 * * *', 5],
    ['  0   3 * *  mon-fri ', '0 3 * * MON-FRI', 5],
    ['0 0 9 * * mon', '0 0 9 * * MON', 6],
    ['*/15 * * * * *', '*/15 * * * * *', 6],
    ['@hourly', '0 * * * *', 5],
    ['@daily', '0 0 * * *', 5],
    ['@DAILY', '0 0 * * *', 5],
    ['@midnight', '0 0 * * *', 5],
    ['@weekly', '0 0 * * 0', 5],
    ['@monthly', '0 0 1 * *', 5],
    ['@yearly', '0 0 1 1 *', 5],
    ['@annually', '0 0 1 1 *', 5],
    ['0 12 ? * 1#2', '0 12 * * 1#2', 5],
    ['0 12 L * *', '0 12 L * *', 5],
    ['0 22 * * 5L', '0 22 * * 5L', 5],
    ['0 0 1,15 jan-jun/2 *', '0 0 1,15 JAN-JUN/2 *', 5],
    ['5/15 * * * *', '5/15 * * * *', 5],
    ['0 0 * * 0-7', '0 0 * * 0-7', 5],
    ['0 0 29 2 *', '0 0 29 2 *', 5],
    ['0 0 31 2 1', '0 0 31 2 1', 5],
  ] as const)('%j → %j', (input, expression, fields) => {
    const parsed = parseCron(input, 'Europe/Paris');
    expect(parsed).toEqual({ expression, fields, timezone: 'Europe/Paris', hasSeconds: fields === 6 });
  });

  it.each([
    ['0 12 * * 1#2', '2026-01-01T00:00:00Z', ['2026-01-12T12:00:00.000Z', '2026-02-09T12:00:00.000Z']],
    ['0 22 * * 5L', '2026-01-01T00:00:00Z', ['2026-01-30T22:00:00.000Z', '2026-02-27T22:00:00.000Z']],
    ['0 12 L * *', '2026-01-01T00:00:00Z', ['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z']],
    ['0 0 29 2 *', '2026-01-01T00:00:00Z', ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']],
    ['0 0 31 2 1', '2026-01-31T00:00:00Z', ['2026-02-02T00:00:00.000Z', '2026-02-09T00:00:00.000Z']],
    ['0 0 * 2 1#5', '2026-01-01T00:00:00Z', ['2044-02-29T00:00:00.000Z', '2072-02-29T00:00:00.000Z']],
    ['*/20 * * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z']],
    ['* * * * * *', '2026-01-01T00:00:00.500Z', ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z']],
    ['@weekly', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z']],
    ['5/15 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:05:00.000Z', '2026-01-01T00:20:00.000Z']],
  ])('%s in UTC after %s runs at %j', (expression, after, expected) => {
    expect(isoList(nextRunsAfter(parseCron(expression, 'UTC'), new Date(after), 2))).toEqual(expected);
  });

  // Without DST, our matcher must agree with cron-parser run for run.
  it.each([
    '*/7 * * * *',
    '15,45 8-18 * * MON-FRI',
    '0 0 1,15 * *',
    '0 12 * * 1#2',
    '0 22 * * 5L',
    '0 6 L * *',
    '0 0 13 * 5',
    '30 4 */3 */2 *',
    '0 0 * * 0-7',
    '0 9 * JAN-MAR/2 SAT,SUN',
    '10/25 1/5 * * *',
    '*/13 */17 * * * *',
    '0 0 0 29 2 *',
  ])('agrees with cron-parser in UTC for %s', (expression) => {
    const start = new Date('2026-01-01T00:00:00Z');
    const ours = isoList(nextRunsAfter(parseCron(expression, 'UTC'), start, 60));
    const theirs = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: start })
      .take(60)
      .map((date) => date.toISOString());
    expect(ours).toEqual(theirs);
  });
});

describe('parseCron: rejected expressions', () => {
  const fieldsMessage = 'expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first).';
  it.each([
    ['', 'cron', 'Invalid cron: the expression is empty.'],
    ['   ', 'cron', 'Invalid cron: the expression is empty.'],
    ['* * * *', 'cron', `Invalid cron: got 4 fields, ${fieldsMessage}`],
    ['*', 'cron', `Invalid cron: got 1 field, ${fieldsMessage}`],
    ['* * * * * * *', 'cron', `Invalid cron: got 7 fields, ${fieldsMessage}`],
    [
      '@reboot',
      'cron',
      'Invalid cron: unknown macro "@reboot": use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually.',
    ],
    ['60 * * * *', 'minute', 'Invalid cron: minute "60" is out of range (0-59).'],
    ['1-60 * * * *', 'minute', 'Invalid cron: minute "60" is out of range (0-59).'],
    ['* 25 * * *', 'hour', 'Invalid cron: hour "25" is out of range (0-23).'],
    ['* * 32 * *', 'day of month', 'Invalid cron: day of month "32" is out of range (1-31).'],
    ['* * 0 * *', 'day of month', 'Invalid cron: day of month "0" is out of range (1-31).'],
    ['* * * 13 *', 'month', 'Invalid cron: month "13" is out of range (1-12).'],
    ['* * * * 8', 'day of week', 'Invalid cron: day of week "8" is out of range (0-7).'],
    ['61 * * * * *', 'second', 'Invalid cron: second "61" is out of range (0-59).'],
    ['a b c d e', 'minute', 'Invalid cron: minute "A" is not a valid value: expected a number.'],
    ['H * * * *', 'minute', 'Invalid cron: minute "H" is not a valid value: expected a number.'],
    ['? * * * *', 'minute', 'Invalid cron: minute "?" is only allowed in day of month and day of week.'],
    ['0 0,,5 * * *', 'hour', 'Invalid cron: hour "0,,5" has an empty list item.'],
    [
      '0 0 * * MON-',
      'day of week',
      'Invalid cron: day of week "MON-" is not valid: expected a number, a range a-b, a step */n or *.',
    ],
    [
      '0 0 * foo *',
      'month',
      'Invalid cron: month "FOO" is not a valid value: expected a number or a name (JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC).',
    ],
    ['*/0 * * * *', 'minute', 'Invalid cron: minute step "0" is out of range (1-59).'],
    ['*/60 * * * *', 'minute', 'Invalid cron: minute step "60" is out of range (1-59).'],
    [
      '10-5 * * * *',
      'minute',
      'Invalid cron: minute range "10-5" is reversed: write the smaller value first.',
    ],
    [
      '0 0 15W * *',
      'day of month',
      'Invalid cron: day of month "15W" uses W (nearest weekday), which is not supported.',
    ],
    [
      '0 0 L-2 * *',
      'day of month',
      'Invalid cron: day of month "L-2" is not supported: use L for the last day of the month.',
    ],
    [
      '0 0 * * L',
      'day of week',
      'Invalid cron: day of week "L" needs a weekday: write 5L for the last Friday of the month.',
    ],
    ['0 0 * * 1#6', 'day of week', 'Invalid cron: day of week "1#6": the occurrence after # must be 1 to 5.'],
    [
      '0 0 * * 1#2,3',
      'day of week',
      'Invalid cron: day of week "1#2,3" cannot combine # with other values: write a single d#n such as 1#2.',
    ],
    ['0 0 * * 0,7', 'day of week', 'Invalid cron: day of week "0,7" lists 0 more than once.'],
    ['0 0-10,5 * * *', 'hour', 'Invalid cron: hour "0-10,5" lists 5 more than once.'],
    [
      '0 0 31 2 *',
      'day of month',
      'Invalid cron: "0 0 31 2 *" never fires: no date has that day of month in the months given.',
    ],
    [
      '0 0 31 4,6,9,11 *',
      'day of month',
      'Invalid cron: "0 0 31 4,6,9,11 *" never fires: no date has that day of month in the months given.',
    ],
  ])('%j → field %j', (expression, field, message) => {
    const error = caught(() => parseCron(expression, 'Europe/Paris'));
    expect(error.code).toBe('invalid_cron');
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });

  it.each([
    ['0 0 * * *', 'Mars/Olympus'],
    ['* * * *', 'Mars/Olympus'],
  ])('checks the zone first: %j in %j', (expression, zone) => {
    const error = caught(() => parseCron(expression, zone));
    expect(error.code).toBe('unknown_timezone');
    expect(error.field).toBe('timezone');
    expect(error.message).toBe('Unknown time zone "Mars/Olympus": use an IANA name such as Europe/Paris.');
  });
});

describe('nextRunsAfter: fixed-time tasks on DST days', () => {
  // Europe/Paris: 2027-03-28 02:00 CET → 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
  // America/New_York: 2027-03-14 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
  it.each([
    // spring forward: a missing wall time runs once, at the end of the gap
    [
      'Europe/Paris',
      '30 2 * * *',
      '2027-03-26T12:00:00Z',
      ['2027-03-27T01:30', '2027-03-28T01:00', '2027-03-29T00:30'],
    ],
    [
      'Europe/Paris',
      '0 3 * * *',
      '2027-03-26T12:00:00Z',
      ['2027-03-27T02:00', '2027-03-28T01:00', '2027-03-29T01:00'],
    ],
    [
      'Europe/Paris',
      '30 1 * * *',
      '2027-03-26T12:00:00Z',
      ['2027-03-27T00:30', '2027-03-28T00:30', '2027-03-28T23:30'],
    ],
    [
      'Europe/Paris',
      '0 2,3 * * *',
      '2027-03-26T12:00:00Z',
      ['2027-03-27T01:00', '2027-03-27T02:00', '2027-03-28T01:00', '2027-03-29T00:00', '2027-03-29T01:00'],
    ],
    [
      'Europe/Paris',
      '*/15 2 * * *',
      '2027-03-27T12:00:00Z',
      ['2027-03-28T01:00', '2027-03-29T00:00', '2027-03-29T00:15'],
    ],
    // fall back: a repeated wall time runs once, at its first occurrence
    [
      'Europe/Paris',
      '30 2 * * *',
      '2026-10-23T12:00:00Z',
      ['2026-10-24T00:30', '2026-10-25T00:30', '2026-10-26T01:30'],
    ],
    [
      'Europe/Paris',
      '0 2 * * *',
      '2026-10-23T12:00:00Z',
      ['2026-10-24T00:00', '2026-10-25T00:00', '2026-10-26T01:00'],
    ],
    [
      'Europe/Paris',
      '0 3 * * *',
      '2026-10-23T12:00:00Z',
      ['2026-10-24T01:00', '2026-10-25T02:00', '2026-10-26T02:00'],
    ],
    [
      'Europe/Paris',
      '30 1 * * *',
      '2026-10-23T12:00:00Z',
      ['2026-10-23T23:30', '2026-10-24T23:30', '2026-10-26T00:30'],
    ],
    [
      'Europe/Paris',
      '*/30 2 * * *',
      '2026-10-24T12:00:00Z',
      ['2026-10-25T00:00', '2026-10-25T00:30', '2026-10-26T01:00', '2026-10-26T01:30'],
    ],
    [
      'America/New_York',
      '30 2 * * *',
      '2027-03-12T12:00:00Z',
      ['2027-03-13T07:30', '2027-03-14T07:00', '2027-03-15T06:30'],
    ],
    [
      'America/New_York',
      '30 1 * * *',
      '2027-03-12T12:00:00Z',
      ['2027-03-13T06:30', '2027-03-14T06:30', '2027-03-15T05:30'],
    ],
    [
      'America/New_York',
      '30 1 * * *',
      '2026-10-30T12:00:00Z',
      ['2026-10-31T05:30', '2026-11-01T05:30', '2026-11-02T06:30'],
    ],
    [
      'America/New_York',
      '30 2 * * *',
      '2026-10-30T12:00:00Z',
      ['2026-10-31T06:30', '2026-11-01T07:30', '2026-11-02T07:30'],
    ],
  ])('%s %s after %s', (zone, expression, after, expected) => {
    const runs = nextRunsAfter(parseCron(expression, zone), new Date(after), expected.length);
    expect(isoList(runs)).toEqual(expected.map((instant) => `${instant}:00.000Z`));
  });

  it.each([
    ['Europe/Paris', '30 2 * * *', '2027-03-24T01:30:00Z'],
    ['Europe/Paris', '30 1 * * *', '2027-03-25T00:30:00Z'],
    ['Europe/Paris', '30 2 * * *', '2026-10-22T00:30:00Z'],
    ['Europe/Paris', '30 1 * * *', '2026-10-21T23:30:00Z'],
    ['America/New_York', '30 2 * * *', '2027-03-11T07:30:00Z'],
    ['America/New_York', '30 1 * * *', '2027-03-11T06:30:00Z'],
    ['America/New_York', '30 2 * * *', '2026-10-29T06:30:00Z'],
    ['America/New_York', '30 1 * * *', '2026-10-29T05:30:00Z'],
  ])(
    '%s %s, chained from the last fired instant %s, runs once per local day',
    (zone, expression, firstFired) => {
      const cron = parseCron(expression, zone);
      let last = new Date(firstFired);
      const fired = [last];
      for (let i = 0; i < 7; i++) {
        const next = nextRunAfter(cron, last);
        if (next === null) throw new Error('no next run');
        fired.push(next);
        last = next;
      }
      const days = fired.map((instant) => localDate(instant, zone));
      const firstDay = DateTime.fromISO(days[0]!, { zone });
      expect(days).toEqual(fired.map((_, i) => firstDay.plus({ days: i }).toISODate()));
    },
  );

  // The TOOLCHAIN pitfall: re-asking "next after now" inside the repeated hour must not fire again.
  it.each([
    // [zone, expression, window start, window end, expected next run for every minute in the window]
    [
      'Europe/Paris',
      '30 2 * * *',
      '2026-10-25T00:30:00Z',
      '2026-10-25T02:00:00Z',
      '2026-10-26T01:30:00.000Z',
    ],
    [
      'America/New_York',
      '30 1 * * *',
      '2026-11-01T05:30:00Z',
      '2026-11-01T07:00:00Z',
      '2026-11-02T06:30:00.000Z',
    ],
    [
      'Europe/Paris',
      '30 2 * * *',
      '2027-03-28T00:30:00Z',
      '2027-03-28T00:59:59Z',
      '2027-03-28T01:00:00.000Z',
    ],
    [
      'Europe/Paris',
      '30 2 * * *',
      '2027-03-28T01:00:00Z',
      '2027-03-28T03:00:00Z',
      '2027-03-29T00:30:00.000Z',
    ],
  ])('%s %s: every instant in [%s, %s] gives %s', (zone, expression, from, to, expected) => {
    const cron = parseCron(expression, zone);
    for (let instant = Date.parse(from); instant <= Date.parse(to); instant += 59_000) {
      expect(nextRunAfter(cron, new Date(instant))?.toISOString()).toBe(expected);
    }
  });
});

describe('nextRunsAfter: interval-style tasks on DST days', () => {
  it.each([
    [
      'Europe/Paris',
      '0 * * * *',
      '2026-10-24T22:30:00Z',
      ['2026-10-24T23:00', '2026-10-25T00:00', '2026-10-25T01:00', '2026-10-25T02:00', '2026-10-25T03:00'],
    ],
    [
      'Europe/Paris',
      '0 * * * *',
      '2027-03-27T23:30:00Z',
      ['2027-03-28T00:00', '2027-03-28T01:00', '2027-03-28T02:00'],
    ],
    [
      'Europe/Paris',
      '*/15 * * * *',
      '2027-03-28T00:30:00Z',
      ['2027-03-28T00:45', '2027-03-28T01:00', '2027-03-28T01:15', '2027-03-28T01:30'],
    ],
    [
      'Europe/Paris',
      '*/15 * * * *',
      '2026-10-25T00:30:00Z',
      [
        '2026-10-25T00:45',
        '2026-10-25T01:00',
        '2026-10-25T01:15',
        '2026-10-25T01:30',
        '2026-10-25T01:45',
        '2026-10-25T02:00',
      ],
    ],
    [
      'Europe/Paris',
      '0 */2 * * *',
      '2027-03-27T21:30:00Z',
      ['2027-03-27T23:00', '2027-03-28T02:00', '2027-03-28T04:00'],
    ],
    [
      'Europe/Paris',
      '0 */2 * * *',
      '2026-10-24T21:30:00Z',
      ['2026-10-24T22:00', '2026-10-25T00:00', '2026-10-25T01:00', '2026-10-25T03:00'],
    ],
    [
      'America/New_York',
      '0 * * * *',
      '2026-11-01T04:30:00Z',
      ['2026-11-01T05:00', '2026-11-01T06:00', '2026-11-01T07:00'],
    ],
    [
      'America/New_York',
      '*/15 * * * *',
      '2027-03-14T06:30:00Z',
      ['2027-03-14T06:45', '2027-03-14T07:00', '2027-03-14T07:15'],
    ],
    [
      'America/New_York',
      '0 * * * *',
      '2027-03-14T05:30:00Z',
      ['2027-03-14T06:00', '2027-03-14T07:00', '2027-03-14T08:00'],
    ],
  ])('%s %s after %s', (zone, expression, after, expected) => {
    const runs = nextRunsAfter(parseCron(expression, zone), new Date(after), expected.length);
    expect(isoList(runs)).toEqual(expected.map((instant) => `${instant}:00.000Z`));
  });

  it('an every-second task keeps ticking across the gap', () => {
    const runs = nextRunsAfter(
      parseCron('* * * * * *', 'Europe/Paris'),
      new Date('2027-03-28T00:59:58.500Z'),
      3,
    );
    expect(isoList(runs)).toEqual([
      '2027-03-28T00:59:59.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-28T01:00:01.000Z',
    ]);
  });

  it.each([0, -1])('returns no runs for count %d', (count) => {
    expect(nextRunsAfter(parseCron('* * * * *', 'UTC'), new Date('2026-01-01T00:00:00Z'), count)).toEqual([]);
  });
});

/**
 * An independent oracle for the DST policy: walk every minute of a window with luxon, match the wall
 * time with cron-parser (in UTC, where wall time = instant), and apply the policy literally.
 */
function oracleRuns(
  expression: string,
  style: 'fixed' | 'interval',
  zone: string,
  fromMs: number,
  toMs: number,
) {
  const fields = CronExpressionParser.parse(expression, { tz: 'UTC' });
  const matches = (wall: number): boolean => fields.includesDate(new Date(wall));
  const wallOf = (instant: number): number => {
    const local = DateTime.fromMillis(instant, { zone });
    return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  };
  const runs: number[] = [];
  const seenWalls = new Set<number>();
  let previousWall = wallOf(fromMs - MINUTE_MS);
  for (let instant = fromMs; instant < toMs; instant += MINUTE_MS) {
    const wall = wallOf(instant);
    let runsHere = matches(wall) && (style === 'interval' || !seenWalls.has(wall));
    if (style === 'fixed') {
      for (let skipped = previousWall + MINUTE_MS; skipped < wall; skipped += MINUTE_MS) {
        if (matches(skipped)) runsHere = true;
      }
    }
    if (runsHere) runs.push(instant);
    seenWalls.add(wall);
    previousWall = wall;
  }
  return runs;
}

describe('nextRunAfter against a minute-by-minute oracle', () => {
  const transitionDays = [
    ['Europe/Paris', '2027-03-28'],
    ['Europe/Paris', '2026-10-25'],
    ['America/New_York', '2027-03-14'],
    ['America/New_York', '2026-11-01'],
    ['Australia/Lord_Howe', '2026-04-05'], // 30-minute shift, back
    ['Australia/Lord_Howe', '2026-10-04'], // 30-minute shift, forward
    ['America/Santiago', '2026-04-05'], // midnight transition, back
    ['America/Santiago', '2026-09-06'], // midnight transition, forward
  ] as const;
  const schedules = [
    ['30 2 * * *', 'fixed'],
    ['0 2 * * *', 'fixed'],
    ['30 1 * * *', 'fixed'],
    ['0 0 * * *', 'fixed'],
    ['45 23 * * *', 'fixed'],
    ['*/15 2 * * *', 'fixed'],
    ['0 1-3 * * *', 'fixed'],
    ['15 * * * *', 'interval'],
    ['*/20 * * * *', 'interval'],
    ['0 */2 * * *', 'interval'],
  ] as const;
  const cases = transitionDays.flatMap(([zone, day]) =>
    schedules.map(([expression, style]) => [zone, day, expression, style] as const),
  );

  it.each(cases)('%s %s: %s (%s)', (zone, day, expression, style) => {
    const fromMs = Date.parse(`${day}T00:00:00Z`) - DAY_MS;
    const toMs = fromMs + 3 * DAY_MS;
    // The window must really contain a transition, or this case proves nothing.
    expect(DateTime.fromMillis(fromMs, { zone }).offset).not.toBe(DateTime.fromMillis(toMs, { zone }).offset);
    const expected = oracleRuns(expression, style, zone, fromMs, toMs);
    const cron = parseCron(expression, zone);
    let oracleIndex = 0;
    for (let after = fromMs - 1; after < toMs - DAY_MS; after += 7 * MINUTE_MS + 13_000) {
      while (oracleIndex < expected.length && expected[oracleIndex]! <= after) oracleIndex++;
      const want = expected[oracleIndex];
      if (want === undefined) break;
      expect(nextRunAfter(cron, new Date(after))?.getTime(), new Date(after).toISOString()).toBe(want);
    }
    const chained = nextRunsAfter(cron, new Date(fromMs - 1), expected.length).map((run) => run.getTime());
    expect(chained).toEqual(expected);
  });
});

describe('dstNotices', () => {
  it.each([
    [
      'Europe/Paris',
      '30 2 * * *',
      '2027-03-27T12:00:00Z',
      [
        {
          runAt: '2027-03-28T01:00:00.000Z',
          kind: 'gap',
          message:
            '02:30 does not exist on 2027-03-28 in Europe/Paris (clocks go forward); runs at 03:00 instead.',
        },
      ],
    ],
    [
      'Europe/Paris',
      '*/15 2 * * *',
      '2027-03-27T12:00:00Z',
      [
        {
          runAt: '2027-03-28T01:00:00.000Z',
          kind: 'gap',
          message:
            '02:00 to 02:45 do not exist on 2027-03-28 in Europe/Paris (clocks go forward); runs once at 03:00 instead.',
        },
      ],
    ],
    [
      'America/New_York',
      '30 2 * * *',
      '2027-03-13T12:00:00Z',
      [
        {
          runAt: '2027-03-14T07:00:00.000Z',
          kind: 'gap',
          message:
            '02:30 does not exist on 2027-03-14 in America/New_York (clocks go forward); runs at 03:00 instead.',
        },
      ],
    ],
    [
      'Europe/Paris',
      '30 2 * * *',
      '2026-10-24T12:00:00Z',
      [
        {
          runAt: '2026-10-25T00:30:00.000Z',
          kind: 'overlap',
          message:
            '02:30 occurs twice on 2026-10-25 in Europe/Paris (clocks go back); runs once, at the first 02:30 (00:30 UTC).',
        },
      ],
    ],
    [
      'America/New_York',
      '30 1 * * *',
      '2026-10-31T12:00:00Z',
      [
        {
          runAt: '2026-11-01T05:30:00.000Z',
          kind: 'overlap',
          message:
            '01:30 occurs twice on 2026-11-01 in America/New_York (clocks go back); runs once, at the first 01:30 (05:30 UTC).',
        },
      ],
    ],
    [
      'Europe/Paris',
      '0 * * * *',
      '2027-03-28T00:30:00Z',
      [
        {
          runAt: '2027-03-28T01:00:00.000Z',
          kind: 'gap',
          message:
            '02:00 does not exist on 2027-03-28 in Europe/Paris (clocks go forward); that run is skipped.',
        },
      ],
    ],
    [
      'Europe/Paris',
      '0 * * * *',
      '2026-10-24T23:30:00Z',
      [
        {
          runAt: '2026-10-25T00:00:00.000Z',
          kind: 'overlap',
          message:
            '02:00 to 03:00 happens twice on 2026-10-25 in Europe/Paris (clocks go back); this schedule runs in both passes.',
        },
      ],
    ],
    ['Europe/Paris', '30 1 * * *', '2027-03-27T12:00:00Z', []],
    ['Europe/Paris', '30 2 * * *', '2027-06-01T00:00:00Z', []],
    ['Europe/Paris', '0 * * * *', '2027-03-28T02:30:00Z', []],
    ['UTC', '30 2 * * *', '2027-03-27T12:00:00Z', []],
  ])('%s %s after %s', (zone, expression, after, expected) => {
    const cron = parseCron(expression, zone);
    const notices = dstNotices(cron, nextRunsAfter(cron, new Date(after), 3));
    expect(
      notices.map(({ runAt, kind, message }) => ({ runAt: runAt.toISOString(), kind, message })),
    ).toEqual(expected);
  });
});
