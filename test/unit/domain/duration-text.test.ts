import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/domain/duration-text.js';

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4 min 05 s'],
    [7_380_000, '2 h 03 min'],
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
  ])('%j → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
