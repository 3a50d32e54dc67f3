import type { App } from '@slack/bolt';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { toError } from '../../shared/errors.js';
import { getTask } from '../../store/tasks.js';
import { ACTION, BLOCK, CALLBACK } from '../blocks/ids.js';
import { decodePauseMeta, PAUSE_REASON_MAX } from '../blocks/pause-modal.js';
import { decodeRejectMeta } from '../blocks/reject-modal.js';
import type { SlackClient, SlackDeps } from '../deps.js';
import { decideApproval, pauseTaskFor } from '../operations.js';
import { answerAfterAck, makeReplier } from '../reply.js';
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

/**
 * Reject modal submission: an empty reason is refused in the modal (a rejection needs one); otherwise
 * the task is rejected, the approval request in the channel updated in place, and the decision announced.
 */
export function makeRejectSubmitHandler(deps: SlackDeps) {
  return async ({ body, view, ack, client }: ViewSubmissionArgs): Promise<void> => {
    const values = view.state.values as Record<string, Record<string, { value?: string | null }>>;
    const reason = values[BLOCK.rejectReason]?.[ACTION.rejectReasonInput]?.value?.trim() ?? '';
    if (reason === '') {
      await ack({ response_action: 'errors', errors: { [BLOCK.rejectReason]: deps.m.rejectReasonRequired } });
      return;
    }
    await ack();
    const meta = decodeRejectMeta(view.private_metadata);
    const reply = makeReplier(deps, client, { userId: body.user.id, channelId: meta?.c });
    await answerAfterAck(deps, reply, { message: 'reject submission failed' }, async () => {
      if (!meta) return reply.ephemeral(deps.m.taskNotFound('?'));
      const outcome = await decideApproval(
        deps,
        body.user.id,
        { taskId: meta.t, version: meta.v },
        'rejected',
        reason,
      );
      await (outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text));
    });
  };
}

/**
 * Pause modal submission (the Pause button): a reason longer than the field allows (only a forged
 * payload can send one) is a field error and pauses nothing; otherwise the task is paused with the
 * reason, under the same role check and audit entry as `/tasks pause`.
 */
export function makePauseSubmitHandler(deps: SlackDeps) {
  return async ({ body, view, ack, client }: ViewSubmissionArgs): Promise<void> => {
    const values = view.state.values as Record<string, Record<string, { value?: string | null }>>;
    const reason = values[BLOCK.pauseReason]?.[ACTION.pauseReasonInput]?.value?.trim() ?? '';
    if (reason.length > PAUSE_REASON_MAX) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.pauseReason]: deps.m.pauseModal.tooLong(PAUSE_REASON_MAX) },
      });
      return;
    }
    await ack();
    const meta = decodePauseMeta(view.private_metadata);
    const reply = makeReplier(deps, client, { userId: body.user.id, channelId: meta?.c });
    await answerAfterAck(deps, reply, { message: 'pause submission failed' }, async () => {
      const task = meta ? await getTask(deps.db, meta.t) : undefined;
      if (!task) return reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(truncateText(meta?.t ?? '?', 60))));
      const outcome = await pauseTaskFor(deps, body.user.id, task, reason || undefined);
      await (outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text));
    });
  };
}

export function register(app: App, deps: SlackDeps): void {
  const submit = makeTaskModalSubmitHandler(deps);
  app.view(CALLBACK.taskModal, async (args) => submit(args as unknown as ViewSubmissionArgs));
  const reject = makeRejectSubmitHandler(deps);
  app.view(CALLBACK.rejectModal, async (args) => reject(args as unknown as ViewSubmissionArgs));
  const pause = makePauseSubmitHandler(deps);
  app.view(CALLBACK.pauseModal, async (args) => pause(args as unknown as ViewSubmissionArgs));
}
