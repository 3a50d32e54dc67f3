import { describe, expect, it } from 'vitest';
import { DueHeap } from '../../../src/scheduler/due-heap.js';

const item = (id: string, atMs: number) => ({ id, atMs });

describe('DueHeap', () => {
  it('pops what is due, earliest first, and keeps the rest', () => {
    const heap = new DueHeap<{ id: string; atMs: number }>();
    for (const [id, at] of [
      ['e', 50],
      ['a', 10],
      ['d', 40],
      ['b', 20],
      ['c', 30],
      ['f', 60],
    ] as const)
      heap.push(item(id, at));
    expect(heap.peek()?.id).toBe('a');
    expect(heap.popDue(35).map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
    expect(heap.size).toBe(3);
    expect(heap.popDue(39)).toEqual([]);
    expect(heap.peek()?.id).toBe('d');
    expect(heap.drain().map((entry) => entry.id)).toEqual(['d', 'e', 'f']);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });

  it('stays ordered through a thousand random pushes and pops', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const heap = new DueHeap<{ id: string; atMs: number }>();
    const popped: number[] = [];
    for (let i = 0; i < 1000; i++) {
      heap.push(item(`x${i}`, Math.floor(random() * 10_000)));
      if (i % 3 === 0) popped.push(...heap.popDue(Math.floor(random() * 10_000)).map((entry) => entry.atMs));
    }
    const rest = heap.drain().map((entry) => entry.atMs);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(popped.length + rest.length).toBe(1000);
  });

  it('knows which ids it holds', () => {
    const heap = new DueHeap<{ id: string; atMs: number }>();
    heap.push(item('a', 1));
    expect(heap.has('a')).toBe(true);
    // Claimed once: a second push of the same execution (a deferred start put back) is ignored.
    heap.push(item('a', 0));
    expect(heap.size).toBe(1);
    expect(heap.peek()?.atMs).toBe(1);
    heap.popDue(1);
    expect(heap.has('a')).toBe(false);
  });
});
