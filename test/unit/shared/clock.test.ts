import { describe, expect, it } from 'vitest';
import { createFakeClock, every } from '../../../src/shared/clock.js';

describe('the fake clock’s timers', () => {
  it('fire in order when the clock is moved past them, each seeing its own instant', () => {
    const clock = createFakeClock(0);
    const fired: Array<[string, number]> = [];
    clock.after(300, () => fired.push(['c', clock.nowMs()]));
    clock.after(100, () => fired.push(['a', clock.nowMs()]));
    clock.after(100, () => fired.push(['b', clock.nowMs()]));
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(150);
    expect(fired).toEqual([
      ['a', 100],
      ['b', 100],
    ]);
    expect(clock.nowMs()).toBe(249);
    clock.set(1000);
    expect(fired.at(-1)).toEqual(['c', 300]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires a timer armed by a timer within the same move, and never a cancelled one', () => {
    const clock = createFakeClock(0);
    const fired: number[] = [];
    clock.after(10, () => clock.after(10, () => fired.push(clock.nowMs())));
    const cancel = clock.after(15, () => fired.push(-1));
    cancel();
    clock.advance(100);
    expect(fired).toEqual([20]);
  });

  it('runs a timer due now soon, without the clock moving (as setTimeout(fn, 0) would)', async () => {
    const clock = createFakeClock(0);
    let ran = false;
    clock.after(0, () => {
      ran = true;
    });
    expect(clock.pendingTimers()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(true);
    expect(clock.nowMs()).toBe(0);
  });

  it('every() repeats by the clock until stopped', () => {
    const clock = createFakeClock(0);
    const at: number[] = [];
    const stop = every(clock, 1000, () => at.push(clock.nowMs()));
    clock.advance(3500);
    stop();
    clock.advance(5000);
    expect(at).toEqual([1000, 2000, 3000]);
  });
});
