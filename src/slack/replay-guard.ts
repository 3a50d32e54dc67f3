import { createHash } from 'node:crypto';
import { isValidSlackRequest } from '@slack/bolt';

/**
 * What Bolt's signature check leaves open, closed before a request reaches it (docs/SECURITY.md,
 * "Slack requests"). Bolt verifies the HMAC over `Number(timestamp)`, so the same signed request with its
 * timestamp written `1796608474.0`, `+1796608474` or `0x6B168D5A` passes again; it refuses stale
 * timestamps but accepts any future one; and it keeps no record of what it has seen.
 *
 * - A timestamp must be written the way Slack writes it: decimal digits, no sign, point or leading zero.
 * - It must be within 5 minutes of this machine's clock either way (Slack's recommendation, read on the
 *   local clock as Slack's own examples do, not on the database's).
 * - A signed request is admitted once: the key is the canonical timestamp and the SHA-256 of the body,
 *   whatever the headers say (a replay that adds `X-Slack-Retry-Num` is still a replay; Slack's own
 *   retries are new requests with a new timestamp).
 * - Slack's retries (`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`) are matched to their first delivery by
 *   the event id (or the body): a retry of a delivery this replica is handling or has answered is
 *   dropped (acknowledged, not processed); a retry of one that failed here, or never reached here, is
 *   processed, once.
 *
 * Per replica and in memory, bounded: a replay or retry that lands on another replica is met by the
 * handlers' own idempotency (Run now de-duplicated in the database, pause and resume idempotent).
 */
export type Admission =
  | { verdict: 'process'; delivery: string }
  | { verdict: 'drop_retry'; delivery: string }
  | { verdict: 'refuse'; reason: 'non_canonical_timestamp' | 'clock_skew' | 'replay' }
  /** Unsigned or badly signed: Bolt answers 401 itself; nothing is remembered. */
  | { verdict: 'pass_to_bolt' };

export interface SlackRequestFacts {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly retryNum: string | undefined;
  readonly retryReason: string | undefined;
  readonly body: Buffer;
}

export interface ReplayGuard {
  admit(request: SlackRequestFacts): Admission;
  /** The app's answer to a processed delivery: a failed one (5xx, no answer) may be retried by Slack. */
  answered(delivery: string, ok: boolean): void;
}

export const MAX_SKEW_SECONDS = 5 * 60;
const CANONICAL_TIMESTAMP = /^[1-9][0-9]{0,11}$/;
/** Bound on what is remembered, so a flood of signed requests cannot grow memory without limit. */
const MAX_ENTRIES = 100_000;

type DeliveryState = 'handling' | 'answered' | 'failed';

export function createReplayGuard(options: { signingSecret: string; nowMs: () => number }): ReplayGuard {
  /** `${timestamp}:${sha256(body)}` → timestamp (seconds), in arrival order. */
  const seen = new Map<string, number>();
  /** Delivery key (event id or body hash) → its state and when it was last seen (seconds). */
  const deliveries = new Map<string, { state: DeliveryState; atSeconds: number }>();

  const evict = (nowSeconds: number) => {
    const horizon = nowSeconds - 2 * MAX_SKEW_SECONDS;
    for (const [key, at] of seen) {
      if (at >= horizon && seen.size <= MAX_ENTRIES) break;
      seen.delete(key);
    }
    for (const [key, entry] of deliveries) {
      if (entry.atSeconds >= horizon && deliveries.size <= MAX_ENTRIES) break;
      deliveries.delete(key);
    }
  };

  return {
    admit(request) {
      const { timestamp, signature } = request;
      if (!timestamp || !signature) return { verdict: 'pass_to_bolt' };
      if (!CANONICAL_TIMESTAMP.test(timestamp))
        return { verdict: 'refuse', reason: 'non_canonical_timestamp' };
      const nowSeconds = Math.floor(options.nowMs() / 1000);
      const at = Number(timestamp);
      if (Math.abs(at - nowSeconds) > MAX_SKEW_SECONDS) return { verdict: 'refuse', reason: 'clock_skew' };
      const body = request.body.toString('utf8');
      // Only a request Slack really signed is remembered: forged ones must not fill the memory or
      // mark a body as seen before its real delivery.
      if (
        !isValidSlackRequest({
          signingSecret: options.signingSecret,
          body,
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': at },
          nowMilliseconds: options.nowMs(),
        })
      )
        return { verdict: 'pass_to_bolt' };
      const bodyHash = createHash('sha256').update(request.body).digest('hex');
      const key = `${timestamp}:${bodyHash}`;
      if (seen.has(key)) return { verdict: 'refuse', reason: 'replay' };
      seen.set(key, at);
      const delivery = deliveryKey(body, bodyHash);
      const previous = deliveries.get(delivery);
      const isRetry = request.retryNum !== undefined && request.retryNum !== '0';
      evict(nowSeconds);
      if (isRetry && previous && previous.state !== 'failed') {
        previous.atSeconds = nowSeconds;
        return { verdict: 'drop_retry', delivery };
      }
      deliveries.delete(delivery);
      deliveries.set(delivery, { state: 'handling', atSeconds: nowSeconds });
      return { verdict: 'process', delivery };
    },
    answered(delivery, ok) {
      const entry = deliveries.get(delivery);
      if (entry) entry.state = ok ? 'answered' : 'failed';
    },
  };
}

/**
 * What identifies one delivery across Slack's retries: an Events API callback's `event_id`, else the
 * body itself (slash commands and interactions are not retried by Slack, but a proxy might).
 */
function deliveryKey(body: string, bodyHash: string): string {
  if (body.startsWith('{')) {
    try {
      const parsed = JSON.parse(body) as { event_id?: unknown };
      if (typeof parsed.event_id === 'string' && parsed.event_id !== '') return `event:${parsed.event_id}`;
    } catch {
      // not JSON: keyed by the body
    }
  }
  return `body:${bodyHash}`;
}
