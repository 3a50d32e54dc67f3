/**
 * Bolt verifies signatures and refuses timestamps older than 5 minutes, but keeps no record of what it
 * has seen: inside the window an exact replay of a captured request (same timestamp, same signature)
 * would be accepted again. This guard remembers every (timestamp, signature) for the window and refuses
 * a second one, and refuses timestamps from the future (Bolt accepts those).
 *
 * Per replica, in memory: a replay sent to another replica is still caught by the idempotency of the
 * handlers (Run now de-duplicated in the database, pause/resume idempotent). Slack's own re-deliveries
 * carry `X-Slack-Retry-Num` and are let through, to be acknowledged and ignored by the retry middleware.
 */
export interface ReplayGuard {
  /** True when the request may proceed; false for a replay or a timestamp too far in the future. */
  admit(headers: {
    timestamp: string | undefined;
    signature: string | undefined;
    retryNum: string | undefined;
  }): boolean;
}

const WINDOW_SECONDS = 5 * 60;
const MAX_FUTURE_SKEW_SECONDS = 60;
/** Bound on remembered signatures, so a flood of forged requests cannot grow memory without limit. */
const MAX_ENTRIES = 100_000;

export function createReplayGuard(nowMs: () => number): ReplayGuard {
  const seen = new Map<string, number>();
  const evict = (nowSeconds: number) => {
    for (const [key, timestamp] of seen) {
      if (timestamp >= nowSeconds - WINDOW_SECONDS && seen.size <= MAX_ENTRIES) break;
      seen.delete(key);
    }
  };
  return {
    admit({ timestamp, signature, retryNum }) {
      if (!timestamp || !signature) return true; // Bolt refuses unsigned requests itself.
      const nowSeconds = Math.floor(nowMs() / 1000);
      const at = Number(timestamp);
      if (!Number.isFinite(at)) return true;
      if (at > nowSeconds + MAX_FUTURE_SKEW_SECONDS) return false;
      if (at < nowSeconds - WINDOW_SECONDS) return true; // stale: Bolt answers 401
      if (retryNum !== undefined && retryNum !== '0') return true;
      const key = `${timestamp}:${signature}`;
      if (seen.has(key)) return false;
      seen.set(key, at);
      evict(nowSeconds);
      return true;
    },
  };
}
