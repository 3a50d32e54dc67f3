/**
 * The one source of "now". Domain and scheduler code never read ambient time; they receive a Clock
 * (or an instant read from it once per tick). Production uses a clock that follows the database's
 * `now()` (see createDatabaseClock in store/), tests use createFakeClock.
 */
export interface Clock {
  /** Current instant as epoch milliseconds. */
  nowMs(): number;
  /** Current instant as a Date (a fresh object each call). */
  now(): Date;
}

export function createSystemClock(
  offsetMs = 0,
): Clock & { setOffsetMs(ms: number): void; offsetMs(): number } {
  let offset = offsetMs;
  return {
    nowMs: () => Date.now() + offset,
    now: () => new Date(Date.now() + offset),
    setOffsetMs(ms: number) {
      offset = ms;
    },
    offsetMs: () => offset,
  };
}

export interface FakeClock extends Clock {
  set(at: Date | number | string): void;
  advance(ms: number): void;
}

export function createFakeClock(start: Date | number | string): FakeClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new Error(`createFakeClock: invalid start instant ${String(start)}`);
  return {
    nowMs: () => current,
    now: () => new Date(current),
    set(at) {
      const next = new Date(at).getTime();
      if (Number.isNaN(next)) throw new Error(`FakeClock.set: invalid instant ${String(at)}`);
      current = next;
    },
    advance(ms) {
      current += ms;
    },
  };
}
