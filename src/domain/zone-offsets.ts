import { IANAZone } from 'luxon';
import { DAY_MS, MINUTE_MS, SECOND_MS, yearOfInstant } from './civil-time.js';
import { unknownZoneError } from './i18n/input-errors.js';

// Time-zone offsets for the cron matcher (pure, cached per zone and year). See cron.ts for the DST policy.

/**
 * Checks that `zone` is an IANA time-zone name known to this runtime (`Europe/Paris`, `UTC`).
 * Numeric offsets such as `+02:00` are refused: they have no DST rules and read as a mistake.
 *
 * @returns the trimmed name, with its canonical capitalisation when only the case differed
 *   (`europe/paris` → `Europe/Paris`); aliases such as `Asia/Kolkata` are kept as written.
 * @throws AppError `unknown_timezone` with field `timezone`.
 */
export function validateTimezone(zone: string): string {
  const known = validatedZones.get(zone);
  if (known !== undefined) return known;
  const canonical = checkTimezone(zone);
  // Bounded like the other caches; names that fail are not kept (they throw).
  if (validatedZones.size >= VALIDATED_ZONES_LIMIT) validatedZones.clear();
  validatedZones.set(zone, canonical);
  return canonical;
}

// Every Intl.DateTimeFormat (luxon's validity check creates one too) holds ~25 KB of ICU memory
// outside the JS heap that the process does not give back: validating the zones of 100,000 tasks
// uncached added 130 MB of RSS (docs/BENCHMARKS.md, capacity). Zone names are few; remember them.
const VALIDATED_ZONES_LIMIT = 2_000;
const validatedZones = new Map<string, string>();

function checkTimezone(zone: string): string {
  const trimmed = zone.trim();
  if (trimmed === '' || /^[+-]?\d/.test(trimmed) || !IANAZone.isValidZone(trimmed)) {
    throw unknownZoneError(zone);
  }
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === trimmed.toLowerCase() ? resolved : trimmed;
}

export interface Segment {
  /** First instant (ms) of this offset period; a transition instant, or earlier than the table year. */
  readonly start: number;
  /** Exclusive end (ms): the next transition, or the end of the table year (a harmless pseudo boundary). */
  readonly end: number;
  /** UTC offset in ms during the segment (wall = instant + offset). */
  readonly offset: number;
  /** Offset in ms just before `start` (equal to `offset` when `start` is not a real transition). */
  readonly previousOffset: number;
}

export interface Transition {
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/**
 * Offset periods of one zone, computed lazily per UTC year by sampling the zone once a day and
 * bisecting to the second (≈370 luxon offset look-ups, ~2 ms per zone-year, then cached forever:
 * a few hundred zones × a few years is a few hundred kB at most).
 */
export class ZoneOffsets {
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

export const zoneCache = new Map<string, ZoneOffsets>();

export function zoneOffsets(zone: string): ZoneOffsets {
  let offsets = zoneCache.get(zone);
  if (offsets === undefined) {
    offsets = new ZoneOffsets(zone);
    zoneCache.set(zone, offsets);
  }
  return offsets;
}
