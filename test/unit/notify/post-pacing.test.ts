import { describe, expect, it } from 'vitest';
import { POST_SPACING_MS, PostPacing } from '../../../src/notify/post-pacing.js';

describe('PostPacing', () => {
  it('lets a channel never posted to post at once', () => {
    const pacing = new PostPacing();
    expect(pacing.earliestPostAt('C1')).toBe(0);
    expect(pacing.pausedUntil).toBe(0);
  });

  it('spaces posts to one channel by POST_SPACING_MS, and leaves other channels free', () => {
    const pacing = new PostPacing();
    pacing.recordPost('C1', 10_000);
    expect(pacing.earliestPostAt('C1')).toBe(10_000 + POST_SPACING_MS);
    expect(pacing.earliestPostAt('C2')).toBe(0);
    pacing.recordPost('C1', 12_000);
    expect(pacing.earliestPostAt('C1')).toBe(12_000 + POST_SPACING_MS);
  });

  it('holds every channel during a 429 pause, and a shorter pause never cuts a longer one short', () => {
    const pacing = new PostPacing();
    pacing.recordPost('C1', 10_000);
    pacing.pause(40_000);
    expect(pacing.earliestPostAt('C1')).toBe(40_000);
    expect(pacing.earliestPostAt('C2')).toBe(40_000);
    pacing.pause(20_000);
    expect(pacing.pausedUntil).toBe(40_000);
    pacing.recordPost('C1', 39_500);
    expect(pacing.earliestPostAt('C1')).toBe(39_500 + POST_SPACING_MS);
  });
});
