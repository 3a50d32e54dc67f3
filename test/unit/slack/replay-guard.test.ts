import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReplayGuard, type SlackRequestFacts } from '../../../src/slack/replay-guard.js';

const SECRET = 'unit-signing-secret';
const NOW_SECONDS = 1_796_608_474;
const guard = () => createReplayGuard({ signingSecret: SECRET, nowMs: () => NOW_SECONDS * 1000 });

/** A request as Slack signs it: v0 HMAC over `v0:{timestamp}:{body}`, with Number(timestamp) like Bolt. */
function signed(
  body: string,
  timestamp: string = String(NOW_SECONDS),
  extra: Partial<SlackRequestFacts> = {},
) {
  const signature = `v0=${createHmac('sha256', SECRET)
    .update(`v0:${Number(timestamp)}:${body}`)
    .digest('hex')}`;
  return {
    timestamp,
    signature,
    retryNum: undefined,
    retryReason: undefined,
    body: Buffer.from(body),
    ...extra,
  };
}

describe('replay guard', () => {
  it('admits a signed request once and refuses the same one again', () => {
    const g = guard();
    expect(g.admit(signed('command=%2Ftasks&text=run')).verdict).toBe('process');
    expect(g.admit(signed('command=%2Ftasks&text=run'))).toEqual({ verdict: 'refuse', reason: 'replay' });
    expect(g.admit(signed('command=%2Ftasks&text=list')).verdict).toBe('process');
  });

  it.each([
    '1796608474.0',
    '+1796608474',
    '0x6B168D5A',
    '01796608474',
    ' 1796608474',
    '1796608474e0',
    '1.796608474e9',
  ])('refuses the timestamp written %j (Bolt would accept it through Number())', (timestamp) => {
    const g = guard();
    expect(g.admit(signed('text=run')).verdict).toBe('process');
    expect(g.admit(signed('text=run', timestamp))).toEqual({
      verdict: 'refuse',
      reason: 'non_canonical_timestamp',
    });
  });

  it('allows 5 minutes of clock difference either way, no more', () => {
    const g = guard();
    expect(g.admit(signed('a', String(NOW_SECONDS - 300))).verdict).toBe('process');
    expect(g.admit(signed('b', String(NOW_SECONDS + 300))).verdict).toBe('process');
    expect(g.admit(signed('c', String(NOW_SECONDS - 301)))).toEqual({
      verdict: 'refuse',
      reason: 'clock_skew',
    });
    expect(g.admit(signed('d', String(NOW_SECONDS + 301)))).toEqual({
      verdict: 'refuse',
      reason: 'clock_skew',
    });
  });

  it('a replay with X-Slack-Retry-Num added is still a replay', () => {
    const g = guard();
    expect(g.admit(signed('text=run')).verdict).toBe('process');
    expect(g.admit(signed('text=run', undefined, { retryNum: '1', retryReason: 'http_timeout' }))).toEqual({
      verdict: 'refuse',
      reason: 'replay',
    });
  });

  it('drops a retry of an event being handled or answered here, by its event id', () => {
    const g = guard();
    const event = JSON.stringify({
      type: 'event_callback',
      event_id: 'Ev1',
      event: { type: 'app_home_opened' },
    });
    const first = g.admit(signed(event));
    expect(first.verdict).toBe('process');
    const retry = signed(event, String(NOW_SECONDS + 3), { retryNum: '1', retryReason: 'http_timeout' });
    expect(g.admit(retry)).toEqual({ verdict: 'drop_retry', delivery: 'event:Ev1' });
    if (first.verdict === 'process') g.answered(first.delivery, true);
    const again = signed(event, String(NOW_SECONDS + 10), { retryNum: '2', retryReason: 'http_timeout' });
    expect(g.admit(again).verdict).toBe('drop_retry');
  });

  it('processes, once, a retry whose first delivery failed here or never arrived', () => {
    const g = guard();
    const failed = JSON.stringify({ type: 'event_callback', event_id: 'Ev2' });
    const first = g.admit(signed(failed));
    if (first.verdict === 'process') g.answered(first.delivery, false);
    const retry = signed(failed, String(NOW_SECONDS + 3), { retryNum: '1', retryReason: 'http_error' });
    expect(g.admit(retry).verdict).toBe('process');
    expect(
      g.admit(signed(failed, String(NOW_SECONDS + 9), { retryNum: '2', retryReason: 'http_timeout' }))
        .verdict,
    ).toBe('drop_retry');
    const lost = JSON.stringify({ type: 'event_callback', event_id: 'Ev3' });
    expect(
      g.admit(signed(lost, undefined, { retryNum: '1', retryReason: 'connection_failed' })).verdict,
    ).toBe('process');
  });

  it('leaves unsigned and badly signed requests to Bolt, and remembers nothing of them', () => {
    const g = guard();
    expect(g.admit({ ...signed('x'), signature: undefined }).verdict).toBe('pass_to_bolt');
    const forged = { ...signed('text=run'), signature: 'v0=0000' };
    expect(g.admit(forged).verdict).toBe('pass_to_bolt');
    expect(g.admit(forged).verdict).toBe('pass_to_bolt');
    // The forgery did not mark the body as seen: the real delivery still goes through.
    expect(g.admit(signed('text=run')).verdict).toBe('process');
  });
});
