import type { ModalView } from '@slack/types';
import { plain, section } from '../../blockkit/kit.js';
import { SLACK_LIMITS } from '../../blockkit/limits.js';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import type { Ui } from './ui.js';

/**
 * What the reject modal carries to its submission: the task, the version of its code the card showed
 * (the rejection is about that version only), and the channel the click came from.
 */
export interface RejectModalMeta {
  t: string;
  v: number;
  c?: string;
}

/** Asks why a custom task is rejected (a rejection needs a reason: docs/SECURITY.md). */
export function buildRejectModal(
  task: { id: string; name: string },
  meta: RejectModalMeta,
  ui: Ui,
): ModalView {
  const { m } = ui;
  return {
    type: 'modal',
    callback_id: CALLBACK.rejectModal,
    title: plain(m.rejectModal.title, SLACK_LIMITS.modalTitle),
    submit: plain(m.rejectModal.submit, SLACK_LIMITS.modalTitle),
    close: plain(m.rejectModal.close, SLACK_LIMITS.modalTitle),
    private_metadata: JSON.stringify(meta),
    blocks: [
      section(m.rejectModal.intro(escapeMrkdwn(truncateText(task.name, 80)))),
      {
        type: 'input',
        block_id: BLOCK.rejectReason,
        label: plain(m.rejectModal.label, 2000),
        element: {
          type: 'plain_text_input',
          action_id: ACTION.rejectReasonInput,
          multiline: true,
          max_length: 500,
          placeholder: plain(m.rejectModal.placeholder, 150),
        },
      },
    ],
  };
}

export function decodeRejectMeta(raw: string): RejectModalMeta | undefined {
  try {
    const value = JSON.parse(raw) as Partial<RejectModalMeta>;
    return typeof value.t === 'string' && Number.isSafeInteger(value.v)
      ? { t: value.t, v: value.v as number, ...(typeof value.c === 'string' ? { c: value.c } : {}) }
      : undefined;
  } catch {
    return undefined;
  }
}
