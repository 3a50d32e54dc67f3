import type { WebClient } from '@slack/web-api';
import { OUTBOX_EVENT_TYPE } from '../blockkit/alert-actions.js';
import type { Logger } from '../shared/logger.js';
import type { OutboxDeliveryRow } from '../store/outbox-delivery.js';
import { classifySlackError } from './slack-failure.js';

/**
 * The lost-response lookup (docs/ARCHITECTURE.md §5.11). A row whose post intent is recorded
 * (`slack_channel` set) but whose ts is not may have been posted: a crash between post and mark, a
 * response lost on the network, a lease that lapsed. Every message carries Slack message metadata
 * `{event_type: 'chronops_outbox', event_payload: {outbox_id}}`, so the row's message is looked for with
 * `conversations.history` / `conversations.replies` (`include_all_metadata`) before it is posted again.
 *
 * Limits: the lookup needs the `channels:history` / `groups:history` / `im:history` scope and a channel
 * *id* (ALERT_CHANNEL=C…), reads at most LOOKUP_PAGES × 200 messages back, and relies on Slack showing a
 * message in history once `postMessage` returned.
 */

const LOOKUP_PAGES = 5;
/** How far before a row's creation its message may be (Slack and database clocks differ). */
const LOOKUP_MARGIN_MS = 10 * 60_000;

/**
 * The ts of this row's message if an earlier attempt posted it. A lookup Slack refuses for good
 * (missing `*:history` scope, a channel name instead of an id) cannot tell: the row is posted again
 * (at least once wins over at most once). A transient failure is retried like a failed post.
 */
export async function lookUpEarlierPost(
  web: WebClient,
  log: Logger,
  row: OutboxDeliveryRow,
  channel: string,
  threadTs: string | undefined,
): Promise<string | null> {
  try {
    return await findPosted(web, row, channel, threadTs);
  } catch (error) {
    const failure = classifySlackError(error);
    if (failure.kind !== 'permanent') throw error;
    log.warn(
      { outboxId: row.id, slackError: failure.code },
      'cannot look for an earlier post of this alert; posting it again',
    );
    return null;
  }
}

/** The message of this row already in Slack (looked up by its metadata), if any. */
async function findPosted(
  web: WebClient,
  row: OutboxDeliveryRow,
  channel: string,
  threadTs: string | undefined,
): Promise<string | null> {
  const wanted = String(row.id);
  const oldest = String((row.createdAt.getTime() - LOOKUP_MARGIN_MS) / 1000);
  let cursor: string | undefined;
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    const base = { channel, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
    const result = threadTs
      ? await web.conversations.replies({ ...base, ts: threadTs })
      : await web.conversations.history({ ...base, oldest });
    for (const message of result.messages ?? []) {
      const metadata = (
        message as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }
      ).metadata;
      if (
        metadata?.event_type === OUTBOX_EVENT_TYPE &&
        String(metadata.event_payload?.outbox_id) === wanted
      ) {
        return message.ts ?? null;
      }
    }
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return null;
}
