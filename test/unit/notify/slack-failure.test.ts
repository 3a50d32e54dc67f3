import { describe, expect, it } from 'vitest';
import { formatDeliveryError, parseDeliveryError } from '../../../src/domain/delivery-error.js';
import { backoffMs, classifySlackError } from '../../../src/notify/slack-failure.js';

/** An error shaped as @slack/web-api throws them. */
const webApiError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

/** What @slack/web-api throws when Slack answers `{ ok: false, error }`. */
const platform = (error: string, messages?: string[]) =>
  webApiError(`An API error occurred: ${error}`, {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error, ...(messages ? { response_metadata: { messages } } : {}) },
  });

describe('Slack delivery failures', () => {
  it.each([
    'channel_not_found',
    'not_in_channel',
    'is_archived',
    'missing_scope',
    'invalid_auth',
    'account_inactive',
    'token_revoked',
    'msg_too_long',
    'invalid_blocks',
    'msg_blocks_too_long',
    'cannot_dm_bot',
    'user_not_found',
  ])('%s is permanent: dead at once, named', (error) => {
    expect(classifySlackError(platform(error))).toMatchObject({
      kind: 'permanent',
      code: error,
      recorded: error,
    });
  });

  it.each(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'some_new_error'])(
    '%s is transient: retried within the window',
    (error) => {
      expect(classifySlackError(platform(error))).toMatchObject({ kind: 'transient', code: error });
    },
  );

  it('names HTTP, network and rate-limit failures', () => {
    expect(classifySlackError({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 7000,
      code: 'ratelimited',
    });
    expect(classifySlackError(platform('ratelimited'))).toMatchObject({ kind: 'rate_limited' });
    const http = classifySlackError(
      webApiError('An HTTP protocol error occurred: statusCode = 502', {
        code: 'slack_webapi_http_error',
        statusCode: 502,
      }),
    );
    expect(http).toMatchObject({ kind: 'transient', code: 'http_502' });
    expect(parseDeliveryError(http.recorded)).toEqual({
      code: 'http_502',
      detail: 'An HTTP protocol error occurred: statusCode = 502',
    });
    const network = classifySlackError(
      webApiError('A request error occurred: ECONNRESET', { code: 'slack_webapi_request_error' }),
    );
    expect(network).toMatchObject({
      kind: 'transient',
      code: 'network_error',
      recorded: 'network_error: A request error occurred: ECONNRESET',
    });
  });

  it("records Slack's explanation after the error's name", () => {
    const failure = classifySlackError(
      platform('invalid_blocks', ['[ERROR] must be more than 0 characters']),
    );
    expect(failure.recorded).toBe('invalid_blocks: [ERROR] must be more than 0 characters');
    expect(parseDeliveryError(failure.recorded).code).toBe('invalid_blocks');
  });

  it('reads errors recorded before they were named as unnamed text', () => {
    expect(parseDeliveryError('An API error occurred: invalid_blocks')).toEqual({
      code: null,
      detail: 'An API error occurred: invalid_blocks',
    });
    expect(parseDeliveryError(null)).toEqual({ code: null, detail: '' });
    expect(formatDeliveryError('no_channel', 'x'.repeat(2000))).toHaveLength(1000);
  });

  it('backs off exponentially, capped at 10 minutes', () => {
    expect([1, 2, 3, 4, 10, 20].map(backoffMs)).toEqual([5000, 10_000, 20_000, 40_000, 600_000, 600_000]);
  });
});
