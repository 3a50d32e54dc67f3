import type { WebClientOptions } from '@slack/web-api';

/**
 * How the Bolt app's Web API clients wait and retry. They serve people who are looking at Slack: a
 * views.open must land within the trigger's 3 s, an ephemeral answer is useless a minute late. The
 * SDK's defaults (no request timeout, ten retries over about 30 minutes, waiting out any Retry-After:
 * https://docs.slack.dev/tools/node-slack-sdk/web-api/#handle-errors-and-retries) would instead keep a
 * listener, its after-ack slot and the person's request open for half an hour when Slack is slow. So:
 * one request times out after INTERACTIVE_TIMEOUT_MS, is retried once after a short pause (a dropped
 * connection, a 5xx), and a 429 fails at once instead of sleeping (docs/SLACK.md, "Client timeouts").
 * Worst case: 2 × 5 s + 0.3 s.
 */
export const INTERACTIVE_TIMEOUT_MS = 5_000;
export const INTERACTIVE_RETRIES = 1;
const INTERACTIVE_RETRY_PAUSE_MS = 300;

/**
 * Also bounds respond() (Bolt posts to response_url with `clientOptions.fetch`, without any timeout of
 * its own): a request without a signal gets one that aborts it after INTERACTIVE_TIMEOUT_MS. The
 * WebClient passes its own timeout signal, which is kept.
 */
const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(INTERACTIVE_TIMEOUT_MS) });

/** Options for every WebClient Bolt builds (app.client and each listener's client). */
export function interactiveClientOptions(
  overrides: { apiUrl?: string | undefined; retries?: number | undefined } = {},
): WebClientOptions {
  return {
    ...(overrides.apiUrl ? { slackApiUrl: overrides.apiUrl } : {}),
    timeout: INTERACTIVE_TIMEOUT_MS,
    retryConfig: {
      retries: overrides.retries ?? INTERACTIVE_RETRIES,
      factor: 1,
      minTimeout: INTERACTIVE_RETRY_PAUSE_MS,
      maxTimeout: INTERACTIVE_RETRY_PAUSE_MS,
      randomize: false,
    },
    rejectRateLimitedCalls: true,
    fetch: fetchWithTimeout,
  };
}
