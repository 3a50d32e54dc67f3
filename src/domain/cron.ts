import { CronExpressionParser } from 'cron-parser';
import { DAY_MS, formatClock, formatDate, HOUR_MS, SECOND_MS } from './civil-time.js';
import { splitExpression } from './cron-fields.js';
import { buildMatcher, firesOnSomeDay, type Matcher, nextWall } from './cron-matcher.js';
import { cronError } from './i18n/input-errors.js';
import { validateTimezone, type ZoneOffsets, zoneOffsets } from './zone-offsets.js';

/**
 * Cron parsing, next-run computation and daylight-saving policy (docs/ARCHITECTURE.md §5.10). Pure: no clock, no I/O.
 *
 * Occurrences are computed by our own matcher on local wall-clock time plus the zone's offset
 * transitions, not by cron-parser's iterator, because cron-parser's answer around DST transitions
 * follows other DST rules than ours (docs/ARCHITECTURE.md §11, measured by `npm run bench -- cron-dst`): "next run after instant X" must be a pure
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

/**
 * A daylight-saving remark about one run, for the edit modal, the save confirmation and the daily
 * report look-ahead. `message` is the English sentence; the other fields let a caller say the same in
 * another language.
 */
export interface DstNotice {
  runAt: Date;
  kind: 'gap' | 'overlap';
  /** The local day of the clock change, `YYYY-MM-DD`. */
  day: string;
  timezone: string;
  /** The first and last wall times concerned (equal when there is one): missing (gap) or repeated (overlap). */
  from: string;
  to: string;
  /**
   * What the schedule does about them: `moved`, runs once at the wall time `at` instead; `skipped`;
   * `first_pass`, runs once, on the first pass (`at` is that instant's UTC clock); `both_passes`.
   */
  outcome: 'moved' | 'skipped' | 'first_pass' | 'both_passes';
  at: string;
  message: string;
}

/** Larger than any UTC offset (+14:00 / -12:00): bounds how far a wall time can be from its instant. */
const MAX_OFFSET_MS = 15 * HOUR_MS;
/** The Gregorian calendar repeats every 400 years, so a day pattern that matches nothing in 401 never will. */
const SEARCH_HORIZON_MS = 401 * 366 * DAY_MS;
/** Guards against zones where every matching wall time falls in a gap (no real zone does this). */
const MAX_SEGMENTS_PER_SEARCH = 2_000;
const COMPILED_CACHE_SIZE = 10_000;

interface CompiledCron {
  readonly matcher: Matcher;
  readonly zone: ZoneOffsets;
  readonly timezone: string;
  readonly hasSeconds: boolean;
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
    throw cronError('neverFires', { expression: normalized }, 'day of month');
  }
  try {
    CronExpressionParser.parse(normalized, { tz: zone, currentDate: new Date(0) });
  } catch (error) {
    // Our own checks should have caught everything; keep cron-parser's word as a last line of defence.
    const detail = error instanceof Error ? error.message : String(error);
    throw cronError('parser', { detail }, 'cron', error);
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
 *
 * Stays whole: the gap and the overlap are two halves of one walk over the runs, sharing its zone offsets.
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
        notices.push({
          runAt,
          kind: 'gap',
          day: formatDate(firstMissing),
          timezone,
          from: clock(firstMissing),
          to: clock(lastMissing),
          outcome: matcher.interval ? 'skipped' : 'moved',
          at: clock(wall),
          message: `${what} ${where}; ${outcome}`,
        });
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
        day: formatDate(wall),
        timezone,
        from: clock(wall),
        to: clock(wall),
        outcome: 'first_pass',
        at: clock(run),
        message: `${clock(wall)} occurs twice ${where}; runs once, at the first ${clock(wall)} (${clock(run)} UTC).`,
      });
    } else if (!noticedTransitions.has(transition)) {
      noticedTransitions.add(transition);
      notices.push({
        runAt,
        kind: 'overlap',
        day: formatDate(wall),
        timezone,
        from: clock(transition + low),
        to: clock(transition + high),
        outcome: 'both_passes',
        at: clock(wall),
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
