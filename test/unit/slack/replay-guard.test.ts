import { describe, expect, it } from 'vitest';
import { createReplayGuard } from '../../../src/slack/replay-guard.js';

describe('replay guard', () => {
  const nowSeconds = 1_800_000_000;
  const guard = () => createReplayGuard(() => nowSeconds * 1000);

  it('admits a request once and refuses the same timestamp and signature again', () => {
    const g = guard();
    const request = { timestamp: String(nowSeconds - 10), signature: 'v0=abc', retryNum: undefined };
    expect(g.admit(request)).toBe(true);
    expect(g.admit(request)).toBe(false);
    expect(g.admit({ ...request, signature: 'v0=def' })).toBe(true);
  });

  it('refuses timestamps from the future beyond a minute of skew', () => {
    const g = guard();
    expect(g.admit({ timestamp: String(nowSeconds + 61), signature: 'v0=a', retryNum: undefined })).toBe(
      false,
    );
    expect(g.admit({ timestamp: String(nowSeconds + 30), signature: 'v0=b', retryNum: undefined })).toBe(
      true,
    );
  });

  it('leaves stale, unsigned and Slack-retried requests to Bolt and the retry middleware', () => {
    const g = guard();
    const stale = { timestamp: String(nowSeconds - 301), signature: 'v0=s', retryNum: undefined };
    expect(g.admit(stale)).toBe(true);
    expect(g.admit({ timestamp: undefined, signature: undefined, retryNum: undefined })).toBe(true);
    const retried = { timestamp: String(nowSeconds - 5), signature: 'v0=r', retryNum: '1' };
    expect(g.admit(retried)).toBe(true);
    expect(g.admit(retried)).toBe(true);
  });
});
