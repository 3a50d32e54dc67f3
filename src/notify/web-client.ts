import { type Logger, type LogLevel, WebClient } from '@slack/web-api';

/**
 * A request of the outbox worker times out after this long: an alert is not waited on by a person, so
 * a slow Slack gets more time than an interactive call, but a hung connection must not hold the
 * worker's claim (and every alert behind it) forever (docs/SLACK.md, "Client timeouts").
 */
export const OUTBOX_TIMEOUT_MS = 10_000;

/**
 * The outbox worker's WebClient: one attempt per call, no SDK retries and no sleeping on 429. The
 * worker owns backoff, Retry-After and the retry window (outbox-row-delivery.ts); the SDK's defaults (ten
 * retries over about 30 minutes: https://docs.slack.dev/tools/node-slack-sdk/web-api/#handle-errors-and-retries)
 * would hide every failure from it and stall the queue.
 */
export function createOutboxWebClient(options: {
  token: string;
  apiUrl?: string | undefined;
  logger?: Logger;
  logLevel?: LogLevel;
}): WebClient {
  return new WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: OUTBOX_TIMEOUT_MS,
  });
}
