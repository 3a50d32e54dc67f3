import { createHmac, randomUUID } from 'node:crypto';
import type { FakeSlack, StoredView } from './fake-slack.js';

/**
 * Sends requests to the bot's /slack/events exactly as Slack does: slash commands as
 * x-www-form-urlencoded fields, interactions as `payload=<json>`, events as JSON, each signed with
 * `v0=` + HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`) (docs/ARCHITECTURE.md §10). Trigger ids and
 * response_urls come from the fake Slack, so views.open and respond() land there.
 */

/**
 * What Slack does to what a person types before it sends it as a command's `text`: its control
 * characters become HTML entities (https://docs.slack.dev/messaging/formatting-message-text#escaping).
 */
export function escapeLikeSlack(typed: string): string {
  return typed.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SentRequest {
  status: number;
  text: string;
  /** The body parsed as JSON, when it is (view_submission acks with response_action). */
  json: Record<string, unknown> | undefined;
  responseUrl?: string;
  triggerId?: string;
  /** What was sent, for a retry of the same request. */
  body?: string;
  contentType?: string;
  timestampSec?: number;
}

export interface SendOptions {
  /** Seconds since epoch to sign with (default: now). */
  timestampSec?: number;
  /** Sign with this secret instead of the right one (a forgery). */
  secret?: string;
  /** Adds X-Slack-Retry-Num (Slack re-sending a request it thinks was lost). */
  retryNum?: number;
  /** X-Slack-Retry-Reason with retryNum (default http_timeout). */
  retryReason?: string;
  /** An Events API delivery's event_id (default: a new one). */
  eventId?: string;
}

export interface ButtonClick {
  userId: string;
  actionId: string;
  value?: string;
  selectedOption?: string;
  blockId?: string;
  /** Where the button was: a message (gets a response_url), the App Home or a modal. */
  container:
    | { type: 'message'; channelId: string; messageTs?: string }
    | { type: 'home'; view: StoredView }
    | { type: 'modal'; view: StoredView };
  /** For modal block actions: the state of the inputs. */
  values?: Record<string, Record<string, unknown>>;
}

export function createSlackSender(options: {
  url: string;
  signingSecret: string;
  fake: FakeSlack;
  teamId?: string;
}) {
  const teamId = options.teamId ?? 'T0FAKE';

  async function post(body: string, contentType: string, send: SendOptions = {}): Promise<SentRequest> {
    const timestamp = send.timestampSec ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(send.secret ?? options.signingSecret, timestamp, body),
    };
    if (send.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(send.retryNum);
      headers['x-slack-retry-reason'] = send.retryReason ?? 'http_timeout';
    }
    const response = await fetch(options.url, { method: 'POST', headers, body });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json, body, contentType, timestampSec: timestamp };
  }

  const interaction = (payload: Record<string, unknown>, send?: SendOptions) =>
    post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded', send);

  return {
    /** `/tasks <text>` typed by `userId` in `channelId`. */
    async command(
      text: string,
      userId: string,
      send: SendOptions & { channelId?: string } = {},
    ): Promise<SentRequest> {
      const responseUrl = options.fake.newResponseUrl();
      const triggerId = options.fake.newTriggerId();
      const body = new URLSearchParams({
        token: 'deprecated-verification-token',
        team_id: teamId,
        team_domain: 'fake',
        channel_id: send.channelId ?? 'C0GENERAL',
        channel_name: 'general',
        user_id: userId,
        user_name: userId.toLowerCase(),
        command: '/tasks',
        text: escapeLikeSlack(text),
        api_app_id: 'A0CHRONOPS',
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: triggerId,
      }).toString();
      return { ...(await post(body, 'application/x-www-form-urlencoded', send)), responseUrl, triggerId };
    },

    /** A block_actions payload for a button (or select) click. */
    async click(click: ButtonClick, send?: SendOptions): Promise<SentRequest> {
      const triggerId = options.fake.newTriggerId();
      const action: Record<string, unknown> = {
        type: click.selectedOption !== undefined ? 'static_select' : 'button',
        action_id: click.actionId,
        block_id: click.blockId ?? 'block',
        action_ts: `${Date.now() / 1000}`,
        ...(click.value !== undefined ? { value: click.value } : {}),
        ...(click.selectedOption !== undefined
          ? {
              selected_option: {
                text: { type: 'plain_text', text: click.selectedOption },
                value: click.selectedOption,
              },
            }
          : {}),
      };
      const base = {
        type: 'block_actions',
        team: { id: teamId, domain: 'fake' },
        user: { id: click.userId, username: click.userId.toLowerCase(), team_id: teamId },
        api_app_id: 'A0CHRONOPS',
        token: 'deprecated-verification-token',
        trigger_id: triggerId,
        actions: [action],
      };
      let payload: Record<string, unknown>;
      let responseUrl: string | undefined;
      if (click.container.type === 'message') {
        responseUrl = options.fake.newResponseUrl();
        payload = {
          ...base,
          container: {
            type: 'message',
            message_ts: click.container.messageTs ?? '1.000001',
            channel_id: click.container.channelId,
            is_ephemeral: click.container.messageTs === undefined,
          },
          ...(click.container.messageTs
            ? { message: { type: 'message', ts: click.container.messageTs, text: '' } }
            : {}),
          channel: { id: click.container.channelId, name: 'general' },
          response_url: responseUrl,
        };
      } else {
        const view = click.container.view;
        payload = {
          ...base,
          container: { type: 'view', view_id: view.id },
          view: { ...view, state: { values: click.values ?? {} } },
        };
      }
      return { ...(await interaction(payload, send)), triggerId, ...(responseUrl ? { responseUrl } : {}) };
    },

    /** Submits a modal with these input values (block_id → action_id → value object). */
    async submit(
      view: StoredView,
      userId: string,
      values: Record<string, Record<string, unknown>>,
    ): Promise<SentRequest> {
      return interaction({
        type: 'view_submission',
        team: { id: teamId, domain: 'fake' },
        user: { id: userId, username: userId.toLowerCase(), team_id: teamId },
        api_app_id: 'A0CHRONOPS',
        token: 'deprecated-verification-token',
        trigger_id: options.fake.newTriggerId(),
        view: { ...view, state: { values } },
        response_urls: [],
      });
    },

    /** An Events API delivery (event_callback). */
    async event(event: Record<string, unknown>, send?: SendOptions): Promise<SentRequest> {
      const body = JSON.stringify({
        token: 'deprecated-verification-token',
        team_id: teamId,
        api_app_id: 'A0CHRONOPS',
        event,
        type: 'event_callback',
        event_id: send?.eventId ?? `Ev${randomUUID()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: teamId, user_id: 'U0BOT', is_bot: true }],
      });
      return post(body, 'application/json', send);
    },

    /**
     * Slack's retry of an earlier request: the same body, signed again a few seconds later, with
     * X-Slack-Retry-Num and X-Slack-Retry-Reason.
     */
    async retry(sent: SentRequest, retryNum: number, retryReason = 'http_timeout'): Promise<SentRequest> {
      if (!sent.body || !sent.contentType || sent.timestampSec === undefined)
        throw new Error('retry: the first request was not sent by this sender');
      return post(sent.body, sent.contentType, {
        timestampSec: sent.timestampSec + 3 * retryNum,
        retryNum,
        retryReason,
      });
    },

    /** A request with an arbitrary body and signature headers (forgeries). */
    async raw(body: string, headers: Record<string, string>): Promise<SentRequest> {
      const response = await fetch(options.url, { method: 'POST', headers, body });
      return { status: response.status, text: await response.text(), json: undefined };
    },
  };
}

export type SlackSender = ReturnType<typeof createSlackSender>;
