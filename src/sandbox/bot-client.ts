import { createHmac } from 'node:crypto';

/**
 * Delivers requests to the bot's `/slack/events` exactly as Slack does (docs/ARCHITECTURE.md §10): slash commands
 * as x-www-form-urlencoded fields, interactions as `payload=<json>`, events as JSON, each signed with
 * `v0=` + HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`). Slack gives up after 3 s.
 */
export interface BotReply {
  status: number;
  /** The acknowledgement body parsed as JSON, when it is JSON (view_submission response_action). */
  json: Record<string, unknown> | undefined;
  text: string;
}

export const BOT_TIMEOUT_MS = 3000;

export function signSlackRequest(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export function createBotClient(options: { url: () => string; signingSecret: string; nowMs: () => number }) {
  async function post(body: string, contentType: string): Promise<BotReply> {
    const timestamp = Math.floor(options.nowMs() / 1000);
    const response = await fetch(options.url(), {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(options.signingSecret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(BOT_TIMEOUT_MS),
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  return {
    command(fields: Record<string, string>): Promise<BotReply> {
      return post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
    },
    interaction(payload: Record<string, unknown>): Promise<BotReply> {
      return post(
        `payload=${encodeURIComponent(JSON.stringify(payload))}`,
        'application/x-www-form-urlencoded',
      );
    },
    event(body: Record<string, unknown>): Promise<BotReply> {
      return post(JSON.stringify(body), 'application/json');
    },
  };
}

export type BotClient = ReturnType<typeof createBotClient>;
