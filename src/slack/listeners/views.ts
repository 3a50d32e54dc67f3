import type { App } from '@slack/bolt';
import { toError } from '../../shared/errors.js';
import { CALLBACK } from '../blocks/ids.js';
import type { SlackClient, SlackDeps } from '../deps.js';
import { makeReplier } from '../reply.js';
import { type SubmitAck, submitTaskModal, type ViewPayload } from '../task-modal-flow.js';

export interface ViewSubmissionArgs {
  body: { user: { id: string } };
  view: ViewPayload;
  ack: SubmitAck;
  client: SlackClient;
}

/**
 * Task modal submission. Unlike other listeners this one acknowledges after validating, because
 * field errors can only be returned in the acknowledgement; validation is pure and the single write
 * is bounded by SAVE_BUDGET_MS (see task-modal-flow.ts), well inside Slack's 3 s.
 */
export function makeTaskModalSubmitHandler(deps: SlackDeps) {
  return async ({ body, view, ack, client }: ViewSubmissionArgs): Promise<void> => {
    let acked = false;
    const ackOnce: SubmitAck = async (response) => {
      if (acked) return;
      acked = true;
      await ack(response);
    };
    const userId = body.user.id;
    const reply = (channelId: string | undefined) => makeReplier(deps, client, { userId, channelId });
    try {
      await submitTaskModal(deps, view, userId, ackOnce, reply);
    } catch (error) {
      deps.logger.error({ err: toError(error) }, 'task modal submission failed');
      await ackOnce();
      await reply(undefined).ephemeral(deps.m.genericError);
    }
  };
}

export function register(app: App, deps: SlackDeps): void {
  const submit = makeTaskModalSubmitHandler(deps);
  app.view(CALLBACK.taskModal, async (args) => submit(args as unknown as ViewSubmissionArgs));
}
