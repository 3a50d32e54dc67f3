import { formatDeliveryError } from '../domain/delivery-error.js';
import { toError } from '../shared/errors.js';

/**
 * What a failed Slack Web API call means for an alert (docs/RELIABILITY.md, "Alert delivery"):
 *
 * - `permanent`: Slack named an error it will repeat until a person changes something (the channel,
 *   an invitation, a scope, the token, the message): another attempt is pointless, the row is dead at
 *   once with that error recorded, and shown where dead alerts are listed.
 * - `transient`: 5xx, network errors, Slack's own hiccups (`internal_error`, `fatal_error`,
 *   `service_unavailable`, `request_timeout`) and any error not known to be permanent: retried with
 *   backoff until the retry window (ALERT_RETRY_FOR_MINUTES) is over.
 * - `rate_limited`: a 429 or `ratelimited`: wait for Retry-After, without counting an attempt.
 */
export interface SlackFailure {
  kind: 'rate_limited' | 'transient' | 'permanent';
  retryAfterMs: number;
  /** Slack's error (`channel_not_found`), or `http_503`, `network_error`, `ratelimited`. */
  code: string;
  /** What `notification_outbox.last_error` records: the code, then what else is known. */
  recorded: string;
}

/** Slack errors another attempt will not fix (Web API method references, "Errors"). */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  // Where the alert goes: a person must fix the channel or invite the bot.
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_reply_to_message',
  'team_access_not_granted',
  // Who sends it: the token and its scopes.
  'missing_scope',
  'not_allowed_token_type',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'access_denied',
  'ekm_access_denied',
  'two_factor_setup_required',
  'org_login_required',
  // A direct message to a task's author (conversations.open).
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'cannot_dm_bot',
  // What it says: the same message is refused again.
  'msg_too_long',
  'msg_blocks_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_json',
  'json_not_object',
  'no_text',
  'too_many_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'metadata_must_be_sent_from_app',
  // chat.update of a message that is gone or can no longer be edited.
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'method_deprecated',
  'deprecated_endpoint',
]);

/** Slack errors that say "try again later" (listed for the record: unknown errors are transient too). */
export const TRANSIENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Reads an error thrown by @slack/web-api (a client that neither retries nor waits on 429). */
export function classifySlackError(error: unknown): SlackFailure {
  const err = error as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string; response_metadata?: { messages?: unknown } };
  };
  const message = toError(error).message;
  if (err.code === 'slack_webapi_rate_limited_error') {
    const retryAfterMs = Math.max(1, err.retryAfter ?? 1) * 1000;
    return failure('rate_limited', 'ratelimited', `retry after ${retryAfterMs / 1000} s`, retryAfterMs);
  }
  if (err.code === 'slack_webapi_platform_error') {
    const code = err.data?.error ?? 'unknown_error';
    const messages = err.data?.response_metadata?.messages;
    const detail = Array.isArray(messages) ? messages.map(String).join('; ') : undefined;
    if (code === 'ratelimited') return failure('rate_limited', code, detail, 1000);
    return failure(PERMANENT_SLACK_ERRORS.has(code) ? 'permanent' : 'transient', code, detail);
  }
  if (err.code === 'slack_webapi_http_error') {
    return failure('transient', `http_${err.statusCode ?? 'error'}`, message);
  }
  // slack_webapi_request_error (network, timeout) and anything unexpected.
  return failure('transient', 'network_error', message);
}

function failure(
  kind: SlackFailure['kind'],
  code: string,
  detail: string | undefined,
  retryAfterMs = 0,
): SlackFailure {
  return { kind, code, retryAfterMs, recorded: formatDeliveryError(code, detail) };
}

const BACKOFF_BASE_MS = 5000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** Delay before the next attempt after `failedAttempts` failures: 5 s doubling, at most 10 minutes. */
export function backoffMs(failedAttempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failedAttempts - 1));
}
