/**
 * The one source of "now", and of "later". Domain and scheduler code never read ambient time nor set
 * ambient timers; they receive a Clock (or an instant read from it once per tick). Production uses a
 * clock that follows the database's `now()` (createDatabaseClock in store/) with real timers; tests
 * use createFakeClock, whose timers fire when the test moves it, so no scheduler test waits in real time.
 */
export interface Clock {
  /** Current instant as epoch milliseconds. */
  nowMs(): number;
  /** Current instant as a Date (a fresh object each call). */
  now(): Date;
  /** Calls `fn` once, `ms` from now by this clock; returns the cancel function. */
  after(ms: number, fn: () => void): () => void;
}

/** Timers of the process (setTimeout), for clocks that follow real time. */
export function realTimer(ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(timer);
}

/** Calls `fn` every `ms` by `clock` until the returned function is called. */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let cancel: () => void = () => {};
  let stopped = false;
  const arm = () => {
    cancel = clock.after(ms, () => {
      if (stopped) return;
      arm();
      fn();
    });
  };
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}

export function createSystemClock(
  offsetMs = 0,
): Clock & { setOffsetMs(ms: number): void; offsetMs(): number } {
  let offset = offsetMs;
  return {
    nowMs: () => Date.now() + offset,
    now: () => new Date(Date.now() + offset),
    after: realTimer,
    setOffsetMs(ms: number) {
      offset = ms;
    },
    offsetMs: () => offset,
  };
}

export interface FakeClock extends Clock {
  /** Moves to `at`, firing in order every timer due by then (each sees the clock at its own instant). */
  set(at: Date | number | string): void;
  advance(ms: number): void;
  /** Timers waiting for the clock to reach them. */
  pendingTimers(): number;
}

export function createFakeClock(start: Date | number | string): FakeClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new Error(`createFakeClock: invalid start instant ${String(start)}`);
  let sequence = 0;
  const timers = new Map<number, { atMs: number; fn: () => void }>();
  const immediates = new Set<NodeJS.Immediate>();

  const moveTo = (targetMs: number) => {
    for (;;) {
      let next: [number, { atMs: number; fn: () => void }] | undefined;
      for (const entry of timers) {
        if (entry[1].atMs > targetMs) continue;
        if (!next || entry[1].atMs < next[1].atMs || (entry[1].atMs === next[1].atMs && entry[0] < next[0]))
          next = entry;
      }
      if (!next) break;
      timers.delete(next[0]);
      current = Math.max(current, next[1].atMs);
      next[1].fn();
    }
    current = targetMs;
  };

  return {
    nowMs: () => current,
    now: () => new Date(current),
    after(ms, fn) {
      const id = ++sequence;
      if (ms <= 0) {
        // Due now: run soon, as setTimeout(fn, 0) would, without waiting for the test to move the clock.
        const immediate = setImmediate(() => {
          immediates.delete(immediate);
          fn();
        });
        immediates.add(immediate);
        return () => {
          clearImmediate(immediate);
          immediates.delete(immediate);
        };
      }
      timers.set(id, { atMs: current + ms, fn });
      return () => {
        timers.delete(id);
      };
    },
    set(at) {
      const next = new Date(at).getTime();
      if (Number.isNaN(next)) throw new Error(`FakeClock.set: invalid instant ${String(at)}`);
      moveTo(next);
    },
    advance(ms) {
      moveTo(current + ms);
    },
    pendingTimers: () => timers.size + immediates.size,
  };
}
