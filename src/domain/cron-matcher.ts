import { civilFromDays, DAY_MS, daysInMonth, HOUR_MS, MINUTE_MS, SECOND_MS } from './civil-time.js';
import {
  DOM_SPEC,
  DOW_SPEC,
  type FieldSet,
  HOUR_SPEC,
  MINUTE_SPEC,
  MONTH_SPEC,
  parseField,
  SECOND_SPEC,
} from './cron-fields.js';

// The compiled matcher: next matching wall time, as lookup tables per field. See cron.ts for the DST policy.

export interface Matcher {
  readonly nextSecond: Int8Array;
  readonly nextMinute: Int8Array;
  readonly nextHour: Int8Array;
  readonly nextMonth: Int8Array;
  readonly dom: FieldSet;
  readonly dow: FieldSet;
  /** Interval-style schedule: no DST collapsing (see the module comment). */
  readonly interval: boolean;
}

/** next[i] = smallest matching value ≥ i, or -1; one slot past the maximum so `next[max + 1]` is -1. */
export function nextTable(values: readonly boolean[], size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  for (let i = size - 1; i >= 0; i--) table[i] = values[i] ? i : table[i + 1]!;
  return table;
}

export function buildMatcher(tokens: readonly string[]): Matcher {
  const withSeconds = tokens.length === 6 ? tokens : ['0', ...tokens];
  const [secondRaw, minuteRaw, hourRaw, domRaw, monthRaw, dowRaw] = withSeconds as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const second = parseField(SECOND_SPEC, secondRaw);
  const minute = parseField(MINUTE_SPEC, minuteRaw);
  const hour = parseField(HOUR_SPEC, hourRaw);
  const dom = parseField(DOM_SPEC, domRaw);
  const month = parseField(MONTH_SPEC, monthRaw);
  const dow = parseField(DOW_SPEC, dowRaw);
  return {
    nextSecond: nextTable(second.values, 60),
    nextMinute: nextTable(minute.values, 60),
    nextHour: nextTable(hour.values, 24),
    nextMonth: nextTable(month.values, 13),
    dom,
    dow,
    interval: hour.wildcard || hour.stepped || hour.values.every(Boolean),
  };
}

/** Day-of-month / day-of-week rule of cron-parser (and Vixie cron): OR when both are restricted. */
export function dayMatches(matcher: Matcher, day: number, weekday: number, monthLength: number): boolean {
  const { dom, dow } = matcher;
  const domMatch = dom.values[day] === true || (dom.last && day === monthLength);
  const dowMatch =
    (dow.values[weekday] === true && (dow.nth === 0 || Math.ceil(day / 7) === dow.nth)) ||
    (dow.lastWeekdays[weekday] === true && day + 7 > monthLength);
  if (!dom.wildcard && !dow.wildcard) return domMatch || dowMatch;
  if (dow.wildcard) return domMatch;
  return dowMatch;
}

/**
 * The first wall time (whole second, wall ms) in [fromWall, toWall) matching the fields, or null.
 * Jumps a month, day, hour or minute at a time, so the cost is a few dozen steps whatever the range.
 */
export function nextWall(matcher: Matcher, fromWall: number, toWall: number): number | null {
  let wall = Math.ceil(fromWall / SECOND_MS) * SECOND_MS;
  while (wall < toWall) {
    const days = Math.floor(wall / DAY_MS);
    const msOfDay = wall - days * DAY_MS;
    const [year, month, day] = civilFromDays(days);
    if (matcher.nextMonth[month] !== month) {
      const next = matcher.nextMonth[month]!;
      wall = next > 0 ? Date.UTC(year, next - 1, 1) : Date.UTC(year + 1, matcher.nextMonth[1]! - 1, 1);
      continue;
    }
    const monthLength = daysInMonth(year, month);
    const weekday = (((days + 4) % 7) + 7) % 7;
    if (!dayMatches(matcher, day, weekday, monthLength)) {
      wall = (days + 1) * DAY_MS;
      continue;
    }
    const hour = Math.floor(msOfDay / HOUR_MS);
    const nextHour = matcher.nextHour[hour]!;
    if (nextHour !== hour) {
      wall = nextHour < 0 ? (days + 1) * DAY_MS : days * DAY_MS + nextHour * HOUR_MS;
      continue;
    }
    const hourStart = days * DAY_MS + hour * HOUR_MS;
    const minute = Math.floor((wall - hourStart) / MINUTE_MS);
    const nextMinute = matcher.nextMinute[minute]!;
    if (nextMinute !== minute) {
      wall = nextMinute < 0 ? hourStart + HOUR_MS : hourStart + nextMinute * MINUTE_MS;
      continue;
    }
    const minuteStart = hourStart + minute * MINUTE_MS;
    const second = Math.floor((wall - minuteStart) / SECOND_MS);
    const nextSecond = matcher.nextSecond[second]!;
    if (nextSecond !== second) {
      wall = nextSecond < 0 ? minuteStart + MINUTE_MS : minuteStart + nextSecond * SECOND_MS;
      continue;
    }
    return wall;
  }
  return null;
}

/** True when some calendar day matches; exhaustive over one 400-year Gregorian cycle (4,800 months). */
export function firesOnSomeDay(matcher: Matcher): boolean {
  for (let year = 2000; year < 2400; year++) {
    for (let month = 1; month <= 12; month++) {
      if (matcher.nextMonth[month] !== month) continue;
      const monthLength = daysInMonth(year, month);
      const firstDay = Math.floor(Date.UTC(year, month - 1, 1) / DAY_MS);
      for (let day = 1; day <= monthLength; day++) {
        if (dayMatches(matcher, day, (firstDay + day - 1 + 4) % 7, monthLength)) return true;
      }
    }
  }
  return false;
}
