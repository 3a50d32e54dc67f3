import { describe, expect, it } from 'vitest';
import { createAfterAckQueue } from '../../../src/slack/after-ack.js';

/** A piece of work the test finishes by hand. */
function gate() {
  let open: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('after-ack queue', () => {
  it('runs at most `concurrency` at a time, the others in arrival order', async () => {
    const queue = createAfterAckQueue(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const done = gates.map((g, i) =>
      queue.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await turn();
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.waiting]).toEqual([2, 2]);
    gates[1]!.open();
    await turn();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await turn();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3]);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('frees the slot of work that fails, and passes the failure on', async () => {
    const queue = createAfterAckQueue(1);
    const first = gate();
    const failing = queue.run(() => first.promise);
    const next = queue.run(async () => 'next');
    first.fail(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(queue.running).toBe(0);
  });

  it('refuses a concurrency that would run nothing', () => {
    expect(() => createAfterAckQueue(0)).toThrow(RangeError);
    expect(() => createAfterAckQueue(1.5)).toThrow(RangeError);
  });
});
