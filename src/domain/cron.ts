import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import { AppError } from '../shared/errors.js';

/**
 * Cron parsing, next-run computation and daylight-saving policy (DESIGN.md §5.10). Pure: no clock, no I/O.
 *
 * Occurrences are computed by our own matcher on local wall-clock time plus the zone's offset
 * transitions, not by cron-parser's iterator, because cron-parser's answer around DST transitions
 * depends on where the iterator was created (TOOLCHAIN.md): "next run after instant X" must be a pure
 * function of X so the engine can persist the last fired instant and resume from it. cron-parser is
 * still used as a second validator in {@link parseCron}, so we never accept what it would reject.
 *
 * ## DST policy
 *
 * A schedule is **interval-style** when its hour field is `*`, uses a step (`*\/2`, `1-23/3`) or
 * covers all 24 hours; every other schedule is **fixed-time** (the hours are listed: `30 2 * * *`,
 * `0 9-17 * * 1-5`, all macros except `@hourly`).
 *
 * - Fixed-time, spring-forward gap: a matching wall time that does not exist that day runs **once**, at
 *   the first instant after the gap (the transition instant). Several gap times collapse into that
 *   single run, which is also merged with a regular run at the gap end (`0 2,3 * * *` runs once at
 *   03:00). The skipped wall time is never run later at its shifted time (no 03:30 run for 02:30).
 *   Europe/Paris 2027-03-28, `30 2 * * *` → 2027-03-28T01:00:00Z (03:00 CEST).
 * - Fixed-time, fall-back overlap: a wall time that occurs twice runs **once**, at its first occurrence.
 *   Europe/Paris 2026-10-25, `30 2 * * *` → 2026-10-25T00:30:00Z (02:30 CEST), not 01:30Z (02:30 CET).
 * - Interval-style schedules run on elapsed time: in the repeated hour they fire in **both** passes
 *   (`0 * * * *` fires at 00:00Z and 01:00Z on 2026-10-25 in Paris, both 02:00 local), and wall times
 *   inside a gap simply do not exist (`0 * * * *` goes from 00:00Z = 01:00 CET to 01:00Z = 03:00 CEST).
 *
 * These rules define a fixed set of instants per (expression, zone); {@link nextRunAfter} returns the
 * smallest element strictly greater than its argument, whatever instant it is called with.
 */

/** A validated cron expression bound to an IANA time zone. Plain data: safe to copy, compare or log. */
export interface ParsedCron {
  /** Normalised text: single spaces, upper-case names, `?` written `*`, macros expanded to five fields. */
  readonly expression: string;
  /** Number of fields in {@link expression}: 6 when it starts with a seconds field. */
  readonly fields: 5 | 6;
  /** IANA zone the wall-clock fields are read in. */
  readonly timezone: string;
  /** True for six-field expressions, whose runs can fall on any second. */
  readonly hasSeconds: boolean;
}

/** English names of the cron fields, used as `AppError.field` for field-level errors. */
export type CronFieldName = 'second' | 'minute' | 'hour' | 'day of month' | 'month' | 'day of week';

/** A daylight-saving remark about one run, for the edit modal and the daily report look-ahead. */
export interface DstNotice {
  runAt: Date;
  kind: 'gap' | 'overlap';
  message: string;
}

/** The supported macros and the five-field expressions they stand for (lower-case keys). */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Larger than any UTC offset (+14:00 / -12:00): bounds how far a wall time can be from its instant. */
const MAX_OFFSET_MS = 15 * HOUR_MS;
/** The Gregorian calendar repeats every 400 years, so a day pattern that matches nothing in 401 never will. */
const SEARCH_HORIZON_MS = 401 * 366 * DAY_MS;
/** Guards against zones where every matching wall time falls in a gap (no real zone does this). */
const MAX_SEGMENTS_PER_SEARCH = 2_000;
const COMPILED_CACHE_SIZE = 10_000;

// ---------------------------------------------------------------------------------------------------
// Time zones

/**
 * Checks that `zone` is an IANA time-zone name known to this runtime (`Europe/Paris`, `UTC`).
 * Numeric offsets such as `+02:00` are refused: they have no DST rules and read as a mistake.
 *
 * @returns the trimmed name, with its canonical capitalisation when only the case differed
 *   (`europe/paris` → `Europe/Paris`); aliases such as `Asia/Kolkata` are kept as written.
 * @throws AppError `unknown_timezone` with field `timezone`.
 */
export function validateTimezone(zone: string): string {
  const trimmed = zone.trim();
  if (trimmed === '' || /^[+-]?\d/.test(trimmed) || !IANAZone.isValidZone(trimmed)) {
    throw new AppError(
      'unknown_timezone',
      `Unknown time zone "${zone}": use an IANA name such as Europe/Paris.`,
      'timezone',
    );
  }
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === trimmed.toLowerCase() ? resolved : trimmed;
}

interface Segment {
  /** First instant (ms) of this offset period; a transition instant, or earlier than the table year. */
  readonly start: number;
  /** Exclusive end (ms): the next transition, or the end of the table year (a harmless pseudo boundary). */
  readonly end: number;
  /** UTC offset in ms during the segment (wall = instant + offset). */
  readonly offset: number;
  /** Offset in ms just before `start` (equal to `offset` when `start` is not a real transition). */
  readonly previousOffset: number;
}

interface Transition {
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/**
 * Offset periods of one zone, computed lazily per UTC year by sampling the zone once a day and
 * bisecting to the second (≈370 luxon offset look-ups, ~2 ms per zone-year, then cached forever:
 * a few hundred zones × a few years is a few hundred kB at most).
 */
class ZoneOffsets {
  readonly #zone: IANAZone;
  readonly #transitions = new Map<number, Transition[]>();
  readonly #segments = new Map<number, Segment[]>();
  #last: Segment | undefined;

  constructor(zoneName: string) {
    this.#zone = IANAZone.create(zoneName);
  }

  offsetAt(instantMs: number): number {
    return Math.round(this.#zone.offset(instantMs) * MINUTE_MS);
  }

  /** The offset period containing `instantMs`. */
  segmentAt(instantMs: number): Segment {
    const last = this.#last;
    if (last !== undefined && instantMs >= last.start && instantMs < last.end) return last;
    const segments = this.#segmentsOfYear(yearOfInstant(instantMs));
    let found = segments[0]!;
    for (const segment of segments) {
      if (segment.start > instantMs) break;
      found = segment;
    }
    this.#last = found;
    return found;
  }

  #segmentsOfYear(year: number): Segment[] {
    const cached = this.#segments.get(year);
    if (cached !== undefined) return cached;
    const yearStart = Date.UTC(year, 0, 1);
    const previous = this.#transitionsOfYear(year - 1).at(-1);
    const segments: Segment[] = [];
    // The first segment starts at the last transition of the previous year (its start and previous
    // offset matter for a gap or overlap right at the new year); without one, the start is arbitrary.
    let start = previous?.at ?? Date.UTC(year - 1, 0, 1);
    let offset = this.offsetAt(yearStart - SECOND_MS);
    let previousOffset = previous?.before ?? offset;
    for (const transition of this.#transitionsOfYear(year)) {
      if (transition.at > yearStart) segments.push({ start, end: transition.at, offset, previousOffset });
      start = transition.at;
      offset = transition.after;
      previousOffset = transition.before;
    }
    segments.push({ start, end: Date.UTC(year + 1, 0, 1), offset, previousOffset });
    this.#segments.set(year, segments);
    return segments;
  }

  #transitionsOfYear(year: number): Transition[] {
    const cached = this.#transitions.get(year);
    if (cached !== undefined) return cached;
    const transitions: Transition[] = [];
    const yearEnd = Date.UTC(year + 1, 0, 1);
    // Start one second early so that a transition exactly at midnight on 1 January is found here.
    let low = Date.UTC(year, 0, 1) - SECOND_MS;
    let lowOffset = this.offsetAt(low);
    while (low < yearEnd) {
      const high = Math.min(low + DAY_MS, yearEnd);
      const highOffset = this.offsetAt(high);
      if (highOffset === lowOffset) {
        low = high;
        continue;
      }
      // Bisect to the first whole second with a different offset; then rescan the rest of the day,
      // in case a second transition happened within it.
      let a = low;
      let b = high;
      while (b - a > SECOND_MS) {
        const mid = a + Math.floor((b - a) / 2 / SECOND_MS) * SECOND_MS;
        if (this.offsetAt(mid) === lowOffset) a = mid;
        else b = mid;
      }
      const after = this.offsetAt(b);
      if (b < yearEnd) transitions.push({ at: b, before: lowOffset, after });
      low = b;
      lowOffset = after;
    }
    this.#transitions.set(year, transitions);
    return transitions;
  }
}

const zoneCache = new Map<string, ZoneOffsets>();

function zoneOffsets(zone: string): ZoneOffsets {
  let offsets = zoneCache.get(zone);
  if (offsets === undefined) {
    offsets = new ZoneOffsets(zone);
    zoneCache.set(zone, offsets);
  }
  return offsets;
}

// ---------------------------------------------------------------------------------------------------
// Calendar arithmetic on "wall" milliseconds: a local date-time written as if it were UTC, so that
// field arithmetic never meets a DST transition.

/** Civil date of a day number (days since 1970-01-01), after Howard Hinnant's `civil_from_days`. */
function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function yearOfInstant(ms: number): number {
  return civilFromDays(Math.floor(ms / DAY_MS))[0];
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month]!;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** `HH:mm`, or `HH:mm:ss` when `withSeconds` and the seconds are not zero, of a wall (or UTC) ms value. */
function formatClock(ms: number, withSeconds: boolean): string {
  const msOfDay = ms - Math.floor(ms / DAY_MS) * DAY_MS;
  const hour = Math.floor(msOfDay / HOUR_MS);
  const minute = Math.floor((msOfDay % HOUR_MS) / MINUTE_MS);
  const second = Math.floor((msOfDay % MINUTE_MS) / SECOND_MS);
  const clock = `${pad2(hour)}:${pad2(minute)}`;
  return withSeconds && second !== 0 ? `${clock}:${pad2(second)}` : clock;
}

function formatDate(ms: number): string {
  const [year, month, day] = civilFromDays(Math.floor(ms / DAY_MS));
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

// ---------------------------------------------------------------------------------------------------
// Field parsing

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  /** Upper-case names indexed by value (months from 1, weekdays from 0). */
  readonly names?: readonly string[];
}

const SECOND_SPEC: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE_SPEC: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR_SPEC: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DOM_SPEC: FieldSpec = { name: 'day of month', min: 1, max: 31 };
const MONTH_SPEC: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
// 7 is accepted as a second spelling of Sunday, as in most crons.
const DOW_SPEC: FieldSpec = {
  name: 'day of week',
  min: 0,
  max: 7,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};

interface FieldSet {
  /** values[v] is true when v matches (weekday 7 is folded into 0). */
  readonly values: boolean[];
  /** Written as `*` or `?`: decides the day-of-month / day-of-week OR rule, as in cron-parser. */
  readonly wildcard: boolean;
  /** Day of month: `L`, the last day of the month. */
  readonly last: boolean;
  /** Day of week: `5L` (last Friday of the month), indexed by weekday. */
  readonly lastWeekdays: boolean[];
  /** Day of week: n of `d#n` (1–5), 0 when absent. */
  readonly nth: number;
  /** Written with a step (`/`). */
  readonly stepped: boolean;
}

function fieldError(spec: FieldSpec, message: string): AppError {
  return new AppError('invalid_cron', `Invalid cron: ${spec.name} ${message}`, spec.name);
}

function parseValue(spec: FieldSpec, token: string): number {
  let value: number;
  if (/^\d+$/.test(token)) {
    value = Number(token);
  } else {
    value = spec.names?.indexOf(token) ?? -1;
    if (value < 0 || token === '') {
      const names = spec.names === undefined ? '' : ` or a name (${spec.names.filter(Boolean).join(', ')})`;
      throw fieldError(spec, `"${token}" is not a valid value: expected a number${names}.`);
    }
  }
  if (value < spec.min || value > spec.max) {
    throw fieldError(spec, `"${token}" is out of range (${spec.min}-${spec.max}).`);
  }
  return value;
}

function parseField(spec: FieldSpec, raw: string): FieldSet {
  const values: boolean[] = new Array<boolean>(spec.max + 1).fill(false);
  const lastWeekdays: boolean[] = new Array<boolean>(7).fill(false);
  let last = false;
  let nth = 0;
  let stepped = false;
  const isDom = spec === DOM_SPEC;
  const isDow = spec === DOW_SPEC;
  const fold = (value: number): number => (isDow ? value % 7 : value);
  const duplicate = (label: string): AppError => fieldError(spec, `"${raw}" lists ${label} more than once.`);

  if (isDow && raw.includes('#')) {
    const match = /^(\w+)#(\w+)$/.exec(raw);
    if (match === null) {
      throw fieldError(spec, `"${raw}" cannot combine # with other values: write a single d#n such as 1#2.`);
    }
    const weekday = fold(parseValue(spec, match[1]!));
    nth = /^\d$/.test(match[2]!) ? Number(match[2]) : 0;
    if (nth < 1 || nth > 5) {
      throw fieldError(spec, `"${raw}": the occurrence after # must be 1 to 5.`);
    }
    values[weekday] = true;
    return { values, wildcard: false, last, lastWeekdays, nth, stepped };
  }

  for (const item of raw.split(',')) {
    if (item === '') throw fieldError(spec, `"${raw}" has an empty list item.`);
    if (isDom && item.includes('W')) {
      throw fieldError(spec, `"${item}" uses W (nearest weekday), which is not supported.`);
    }
    if (isDom && item === 'L') {
      if (last) throw duplicate('L');
      last = true;
      continue;
    }
    if (isDom && item.startsWith('L')) {
      throw fieldError(spec, `"${item}" is not supported: use L for the last day of the month.`);
    }
    if (isDow && item.endsWith('L')) {
      if (item === 'L') {
        throw fieldError(spec, `"L" needs a weekday: write 5L for the last Friday of the month.`);
      }
      const weekday = fold(parseValue(spec, item.slice(0, -1)));
      if (lastWeekdays[weekday]) throw duplicate(item);
      lastWeekdays[weekday] = true;
      continue;
    }
    const [base = '', step, extra] = item.split('/');
    if (extra !== undefined || base === '') {
      throw fieldError(spec, `"${item}" is not valid: expected a number, a range a-b, a step */n or *.`);
    }
    let from: number;
    let to: number;
    if (base === '*' || base === '?') {
      if (base === '?' && !(isDom || isDow)) {
        throw fieldError(spec, `"?" is only allowed in day of month and day of week.`);
      }
      from = spec.min;
      to = isDow ? 6 : spec.max;
    } else {
      const bounds = base.split('-');
      if (bounds.length > 2 || bounds.some((bound) => bound === '')) {
        throw fieldError(spec, `"${item}" is not valid: expected a number, a range a-b, a step */n or *.`);
      }
      from = parseValue(spec, bounds[0]!);
      to = bounds.length === 2 ? parseValue(spec, bounds[1]!) : step === undefined ? from : spec.max;
      if (from > to) {
        throw fieldError(spec, `range "${base}" is reversed: write the smaller value first.`);
      }
    }
    let increment = 1;
    if (step !== undefined) {
      stepped = true;
      const span = spec.max - spec.min;
      increment = /^\d+$/.test(step) ? Number(step) : Number.NaN;
      if (!(increment >= 1 && increment <= span)) {
        throw fieldError(spec, `step "${step}" is out of range (1-${span}).`);
      }
    }
    // A range reaching 7 names Sunday twice when it also starts at 0 (0-7): one mention, as cron-parser does.
    const seen = new Set<number>();
    for (let value = from; value <= to; value += increment) {
      const folded = fold(value);
      if (seen.has(folded)) continue;
      seen.add(folded);
      if (values[folded]) throw duplicate(String(folded));
      values[folded] = true;
    }
  }
  return { values, wildcard: raw === '*' || raw === '?', last, lastWeekdays, nth, stepped };
}

// ---------------------------------------------------------------------------------------------------
// Compiled matcher

interface Matcher {
  readonly nextSecond: Int8Array;
  readonly nextMinute: Int8Array;
  readonly nextHour: Int8Array;
  readonly nextMonth: Int8Array;
  readonly dom: FieldSet;
  readonly dow: FieldSet;
  /** Interval-style schedule: no DST collapsing (see the module comment). */
  readonly interval: boolean;
}

interface CompiledCron {
  readonly matcher: Matcher;
  readonly zone: ZoneOffsets;
  readonly timezone: string;
  readonly hasSeconds: boolean;
}

/** next[i] = smallest matching value ≥ i, or -1; one slot past the maximum so `next[max + 1]` is -1. */
function nextTable(values: readonly boolean[], size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  for (let i = size - 1; i >= 0; i--) table[i] = values[i] ? i : table[i + 1]!;
  return table;
}

interface SplitCron {
  readonly tokens: string[];
  readonly normalized: string;
}

function splitExpression(expression: string): SplitCron {
  const collapsed = expression.trim().replace(/\s+/g, ' ');
  if (collapsed === '') {
    throw new AppError('invalid_cron', 'Invalid cron: the expression is empty.', 'cron');
  }
  let text = collapsed;
  if (collapsed.startsWith('@')) {
    const expanded = CRON_MACROS[collapsed.toLowerCase()];
    if (expanded === undefined) {
      throw new AppError(
        'invalid_cron',
        `Invalid cron: unknown macro "${collapsed}": use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually.`,
        'cron',
      );
    }
    text = expanded;
  }
  const tokens = text.toUpperCase().split(' ');
  if (tokens.length !== 5 && tokens.length !== 6) {
    throw new AppError(
      'invalid_cron',
      `Invalid cron: got ${tokens.length} field${tokens.length === 1 ? '' : 's'}, expected 5 ` +
        '(minute hour day-of-month month day-of-week) or 6 (with seconds first).',
      'cron',
    );
  }
  // `?` ("no specific value") means the same as `*` in the day fields, the only ones that allow it.
  for (const index of [tokens.length - 3, tokens.length - 1]) {
    if (tokens[index] === '?') tokens[index] = '*';
  }
  return { tokens, normalized: tokens.join(' ') };
}

function buildMatcher(tokens: readonly string[]): Matcher {
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
function dayMatches(matcher: Matcher, day: number, weekday: number, monthLength: number): boolean {
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
function nextWall(matcher: Matcher, fromWall: number, toWall: number): number | null {
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
function firesOnSomeDay(matcher: Matcher): boolean {
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

const compiledCache = new Map<string, CompiledCron>();

function compiled(cron: ParsedCron): CompiledCron {
  const key = `${cron.timezone}\n${cron.expression}`;
  const hit = compiledCache.get(key);
  if (hit !== undefined) return hit;
  const entry: CompiledCron = {
    matcher: buildMatcher(splitExpression(cron.expression).tokens),
    zone: zoneOffsets(validateTimezone(cron.timezone)),
    timezone: cron.timezone,
    hasSeconds: cron.hasSeconds,
  };
  // Bounded: evict the oldest entry (Map keeps insertion order). 1,000 distinct pairs are expected.
  if (compiledCache.size >= COMPILED_CACHE_SIZE) {
    const oldest = compiledCache.keys().next();
    if (oldest.done !== true) compiledCache.delete(oldest.value);
  }
  compiledCache.set(key, entry);
  return entry;
}

// ---------------------------------------------------------------------------------------------------
// Public API

/**
 * Validates and normalises a cron expression for a time zone.
 *
 * Accepts five fields (minute hour day-of-month month day-of-week), six fields (seconds first) and
 * the macros `@hourly @daily @midnight @weekly @monthly @yearly @annually` (expanded to five fields).
 * Per field: numbers, `*`, lists `a,b`, ranges `a-b`, steps `*\/n`, `a-b/n`, `a/n`, names `JAN`–`DEC`
 * and `SUN`–`SAT` (case-insensitive); `?` in the day fields; `L` in day of month; `5L` (last Friday)
 * and a single `1#2` (second Monday) in day of week; weekday 7 is Sunday. When both day fields are
 * restricted a day matching either runs (Vixie cron, cron-parser). Not supported: `W`, `L-n`, `H`.
 * The zone is checked first (cron-parser reports an unknown zone misleadingly).
 *
 * @throws AppError `unknown_timezone` (field `timezone`); `invalid_cron` with field `cron` for an empty
 *   expression, a wrong field count, an unknown macro; with the English field name (`hour`,
 *   `day of month`…) for a malformed or out-of-range value, and with `day of month` for a day pattern
 *   that no calendar date matches (`0 0 31 2 *`), checked exhaustively over a 400-year cycle.
 */
export function parseCron(expression: string, timezone: string): ParsedCron {
  const zone = validateTimezone(timezone);
  const { tokens, normalized } = splitExpression(expression);
  const matcher = buildMatcher(tokens);
  if (!firesOnSomeDay(matcher)) {
    throw new AppError(
      'invalid_cron',
      `Invalid cron: "${normalized}" never fires: no date has that day of month in the months given.`,
      'day of month',
    );
  }
  try {
    CronExpressionParser.parse(normalized, { tz: zone, currentDate: new Date(0) });
  } catch (error) {
    // Our own checks should have caught everything; keep cron-parser's word as a last line of defence.
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError('invalid_cron', `Invalid cron: ${detail}.`, 'cron', { cause: error });
  }
  const fields = tokens.length === 6 ? 6 : 5;
  return { expression: normalized, fields, timezone: zone, hasSeconds: fields === 6 };
}

function nextRunAfterMs(entry: CompiledCron, afterMs: number): number | null {
  // An invalid Date is a bug in the caller; null would read as "never runs again".
  if (!Number.isFinite(afterMs)) throw new RangeError('nextRunAfter: invalid Date');
  const { matcher, zone } = entry;
  // Runs are whole seconds; the first candidate is the first whole second strictly after `afterMs`.
  let cursor = Math.floor(afterMs / SECOND_MS) * SECOND_MS + SECOND_MS;
  const limit = cursor + SEARCH_HORIZON_MS;
  for (let segments = 0; segments < MAX_SEGMENTS_PER_SEARCH && cursor < limit; segments++) {
    const segment = zone.segmentAt(cursor);
    const { start, end, offset, previousOffset } = segment;
    if (!matcher.interval && cursor === start && offset > previousOffset) {
      // Spring-forward gap ending at `start`: its missing wall times run once, at the gap end.
      if (nextWall(matcher, start + previousOffset, start + offset) !== null) return start;
    }
    let fromWall = cursor + offset;
    if (!matcher.interval && previousOffset > offset) {
      // Fall-back overlap: wall times before start + previousOffset already ran in the first pass.
      fromWall = Math.max(fromWall, start + previousOffset);
    }
    const wall = nextWall(matcher, fromWall, end + offset);
    if (wall !== null) return wall - offset;
    // Nothing in this offset period: jump to the next one, or further when the next matching wall
    // time is far away, so rare schedules do not compute offset tables for every year in between.
    const nextPossible = nextWall(matcher, end - MAX_OFFSET_MS, limit);
    if (nextPossible === null) return null;
    cursor = Math.max(end, nextPossible - MAX_OFFSET_MS);
  }
  return null;
}

/**
 * The first run strictly after the instant `after`, following the DST policy above.
 *
 * A pure function of `after`: the engine persists the last fired instant and asks for the next run
 * after it, and gets the same answer on any replica at any time. Runs are whole seconds (whole
 * minutes for five-field expressions). Cost: O(1) amortised per call once the (expression, zone)
 * pair is compiled (cached, up to 10,000 pairs) and the zone's year is tabulated (cached).
 *
 * @returns null only when no run exists in the next 401 years (not possible for a parsed cron in a
 *   real zone).
 */
export function nextRunAfter(cron: ParsedCron, after: Date): Date | null {
  const next = nextRunAfterMs(compiled(cron), after.getTime());
  return next === null ? null : new Date(next);
}

/** The next `count` runs strictly after `after`, ascending (fewer only if the schedule ends). */
export function nextRunsAfter(cron: ParsedCron, after: Date, count: number): Date[] {
  const entry = compiled(cron);
  const runs: Date[] = [];
  let cursor = after.getTime();
  while (runs.length < count) {
    const next = nextRunAfterMs(entry, cursor);
    if (next === null) break;
    runs.push(new Date(next));
    cursor = next;
  }
  return runs;
}

/**
 * Daylight-saving remarks about `runs` (as returned by {@link nextRunsAfter}), in English:
 *
 * - fixed-time, `gap`: on the run that replaces wall times missing that day, e.g. "02:30 does not exist
 *   on 2027-03-28 in Europe/Paris (clocks go forward); runs at 03:00 instead.";
 * - fixed-time, `overlap`: on a run whose wall time occurs twice that day ("runs once, at the first");
 * - interval-style, `gap`: once per transition, on the first run after a gap that swallowed matching
 *   wall times ("those runs are skipped");
 * - interval-style, `overlap`: once per transition, on the first run inside the repeated period
 *   ("runs in both passes").
 */
export function dstNotices(cron: ParsedCron, runs: readonly Date[]): DstNotice[] {
  const entry = compiled(cron);
  const { matcher, zone, timezone, hasSeconds } = entry;
  const notices: DstNotice[] = [];
  const noticedTransitions = new Set<number>();
  const clock = (wall: number): string => formatClock(wall, hasSeconds);

  for (const runAt of runs) {
    const run = runAt.getTime();
    const segment = zone.segmentAt(run);
    const { start, end, offset, previousOffset } = segment;
    const wall = run + offset;

    // Gap at the start of this run's offset period.
    if (offset > previousOffset && !noticedTransitions.has(start)) {
      const firstMissing = nextWall(matcher, start + previousOffset, start + offset);
      const isFirstRunAfterGap = matcher.interval
        ? firstMissing !== null && nextRunAfterMs(entry, start - 1) === run
        : run === start;
      if (firstMissing !== null && isFirstRunAfterGap) {
        noticedTransitions.add(start);
        const lastMissing = lastWallBefore(matcher, firstMissing, start + offset);
        const what =
          lastMissing === firstMissing
            ? `${clock(firstMissing)} does not exist`
            : `${clock(firstMissing)} to ${clock(lastMissing)} do not exist`;
        const where = `on ${formatDate(firstMissing)} in ${timezone} (clocks go forward)`;
        const outcome = matcher.interval
          ? lastMissing === firstMissing
            ? 'that run is skipped.'
            : 'those runs are skipped.'
          : `runs ${lastMissing === firstMissing ? '' : 'once '}at ${clock(wall)} instead.`;
        notices.push({ runAt, kind: 'gap', message: `${what} ${where}; ${outcome}` });
      }
    }

    // Overlap: this wall time also exists in the neighbouring offset period. Segments may end at a
    // pseudo boundary (new year) with no offset change: look one segment further in that case.
    let following = zone.segmentAt(end);
    if (following.offset === offset) following = zone.segmentAt(following.end);
    const secondPass = previousOffset > offset && wall < start + previousOffset;
    const firstPass = following.offset < offset && wall >= following.start + following.offset;
    if (!secondPass && !firstPass) continue;
    const transition = secondPass ? start : following.start;
    const [high, low] = secondPass ? [previousOffset, offset] : [offset, following.offset];
    const where = `on ${formatDate(wall)} in ${timezone} (clocks go back)`;
    if (!matcher.interval) {
      notices.push({
        runAt,
        kind: 'overlap',
        message: `${clock(wall)} occurs twice ${where}; runs once, at the first ${clock(wall)} (${clock(run)} UTC).`,
      });
    } else if (!noticedTransitions.has(transition)) {
      noticedTransitions.add(transition);
      notices.push({
        runAt,
        kind: 'overlap',
        message: `${clock(transition + low)} to ${clock(transition + high)} happens twice ${where}; this schedule runs in both passes.`,
      });
    }
  }
  return notices;
}

/** The last matching wall time in [fromWall, toWall), given that `fromWall` matches. */
function lastWallBefore(matcher: Matcher, fromWall: number, toWall: number): number {
  let last = fromWall;
  for (let wall = nextWall(matcher, last + SECOND_MS, toWall); wall !== null; ) {
    last = wall;
    wall = nextWall(matcher, last + SECOND_MS, toWall);
  }
  return last;
}
