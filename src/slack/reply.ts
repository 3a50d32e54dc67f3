import type { KnownBlock } from '@slack/types';
import { toError } from '../shared/errors.js';
import type { SlackClient, SlackDeps } from './deps.js';

/** Bolt's respond(), as far as we use it. */
export type Respond = (message: {
  text: string;
  blocks?: KnownBlock[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
}) => Promise<unknown>;

/**
 * Where answers go. From a slash command or a message button, Slack gives a response_url: private
 * answers are ephemeral there, announcements are posted to the channel. From the App Home or a modal
 * there is none: private answers go to the user's DM with the app, announcements to the command's
 * channel, the alert channel, or that DM. Delivery failures are logged, never thrown: the change
 * they describe already happened.
 */
export interface Replier {
  ephemeral(text: string, blocks?: KnownBlock[]): Promise<void>;
  announce(text: string): Promise<void>;
  /** Replaces the message the button was on (pagination); falls back to an ephemeral answer. */
  replace(text: string, blocks: KnownBlock[]): Promise<void>;
}

export function makeReplier(
  deps: Pick<SlackDeps, 'logger' | 'config'>,
  client: SlackClient,
  origin: { respond?: Respond | undefined; userId: string; channelId?: string | undefined },
): Replier {
  const safely = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      deps.logger.warn({ err: toError(error), what }, 'could not deliver a Slack reply');
    }
  };
  const respond = origin.respond;
  const post = (channel: string, text: string, blocks?: KnownBlock[]) =>
    client.chat.postMessage({ channel, text, ...(blocks ? { blocks } : {}) });
  return {
    ephemeral: (text, blocks) =>
      safely('ephemeral', () =>
        respond
          ? respond({
              text,
              response_type: 'ephemeral',
              replace_original: false,
              ...(blocks ? { blocks } : {}),
            })
          : post(origin.userId, text, blocks),
      ),
    announce: (text) =>
      safely('announce', () =>
        respond
          ? respond({ text, response_type: 'in_channel', replace_original: false })
          : post(origin.channelId ?? deps.config.slack.alertChannel ?? origin.userId, text),
      ),
    replace: (text, blocks) =>
      safely('replace', () =>
        respond ? respond({ text, blocks, replace_original: true }) : post(origin.userId, text, blocks),
      ),
  };
}

/**
 * The part of a listener after its ack: `work` runs in the after-ack queue (after-ack.ts); a failure is
 * logged with `logFields` and ends as the generic-error sentence to the user, never as silence.
 */
export function answerAfterAck(
  deps: Pick<SlackDeps, 'afterAck' | 'logger' | 'm'>,
  reply: Replier,
  failure: { message: string; logFields?: Record<string, unknown> },
  work: () => Promise<unknown>,
): Promise<void> {
  return deps.afterAck(async () => {
    try {
      await work();
    } catch (error) {
      deps.logger.error({ err: toError(error), ...failure.logFields }, failure.message);
      await reply.ephemeral(deps.m.genericError);
    }
  });
}
