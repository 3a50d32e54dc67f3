import type { ModalView } from '@slack/types';
import { plain, section } from '../../blockkit/kit.js';
import { SLACK_LIMITS } from '../../blockkit/limits.js';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import type { Ui } from './ui.js';

/** The longest pause reason the modal accepts (the field says so, and the submission checks it again). */
export const PAUSE_REASON_MAX = 500;

/** What the pause modal carries to its submission: the task, and the channel the click came from. */
export interface PauseModalMeta {
  t: string;
  c?: string;
}

/**
 * Asks why a task is paused before pausing it from its button, as `/tasks pause <task> [reason]` takes
 * one on the command line. The reason is optional; it is shown on the task and kept in the audit log.
 */
export function buildPauseModal(task: { id: string; name: string }, meta: PauseModalMeta, ui: Ui): ModalView {
  const { m } = ui;
  return {
    type: 'modal',
    callback_id: CALLBACK.pauseModal,
    title: plain(m.pauseModal.title, SLACK_LIMITS.modalTitle),
    submit: plain(m.pauseModal.submit, SLACK_LIMITS.modalTitle),
    close: plain(m.pauseModal.close, SLACK_LIMITS.modalTitle),
    private_metadata: JSON.stringify(meta),
    blocks: [
      section(m.pauseModal.intro(escapeMrkdwn(truncateText(task.name, 80)))),
      {
        type: 'input',
        block_id: BLOCK.pauseReason,
        optional: true,
        label: plain(m.pauseModal.label, 2000),
        hint: plain(m.pauseModal.hint, 2000),
        element: {
          type: 'plain_text_input',
          action_id: ACTION.pauseReasonInput,
          max_length: PAUSE_REASON_MAX,
          placeholder: plain(m.pauseModal.placeholder, 150),
        },
      },
    ],
  };
}

export function decodePauseMeta(raw: string): PauseModalMeta | undefined {
  try {
    const value = JSON.parse(raw) as Partial<PauseModalMeta>;
    return typeof value.t === 'string'
      ? { t: value.t, ...(typeof value.c === 'string' ? { c: value.c } : {}) }
      : undefined;
  } catch {
    return undefined;
  }
}
