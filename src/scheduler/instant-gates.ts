import type { Clock } from '../shared/clock.js';

/**
 * One timer per instant for early starts (docs/ENGINE.md, "Early start"): every execution recorded
 * running ahead of instant T waits for the same promise, so a second's executors are all invoked
 * before any of their results is handled. Resolves at T by `clock`, never before: a timer that fires a
 * millisecond early by the wall clock waits again.
 */
export function createInstantGates(clock: Clock): (atMs: number) => Promise<void> {
  const gates = new Map<number, Promise<void>>();
  return (atMs) => {
    let gate = gates.get(atMs);
    if (!gate) {
      gate = new Promise<void>((resolve) => {
        const fire = () => {
          const remainingMs = atMs - clock.nowMs();
          if (remainingMs > 0) {
            clock.after(remainingMs, fire);
            return;
          }
          gates.delete(atMs);
          resolve();
        };
        clock.after(atMs - clock.nowMs(), fire);
      });
      gates.set(atMs, gate);
    }
    return gate;
  };
}
