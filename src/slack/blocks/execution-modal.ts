import type { KnownBlock, ModalView } from '@slack/types';
import { slackDate } from '../../blockkit/dates.js';
import { actions, context, fieldsSection, plain, section } from '../../blockkit/kit.js';
import { SLACK_LIMITS } from '../../blockkit/limits.js';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import type { ExecutionRow } from '../../store/schema.js';
import { CALLBACK } from './ids.js';
import { logExcerpt } from './messages.js';
import { executionDuration, executionEmoji, executionStateButtons } from './task-row.js';
import type { Ui } from './ui.js';

/** The execution-details modal: date, duration, status, attempt, error, and the tail of the logs. */
export function buildExecutionModal(
  execution: ExecutionRow,
  task: { name: string; timezone: string },
  ui: Ui,
): ModalView {
  const { m, locale } = ui;
  const at = execution.startedAt ?? execution.createdAt;
  const blocks: KnownBlock[] = [
    section(`*${escapeMrkdwn(truncateText(task.name, 80))}*`),
    fieldsSection([
      `*${m.execution.status}*\n${executionEmoji(execution.status)} ${m.executionStatus[execution.status] ?? execution.status}`,
      `*${m.execution.date}*\n${slackDate(at, task.timezone, locale)}`,
      `*${m.execution.duration}*\n${executionDuration(execution, ui)}`,
      `*${m.execution.attempt}*\n${execution.attempt}`,
      `*${m.execution.trigger}*\n${m.triggers[execution.trigger] ?? execution.trigger}`,
      `*${m.execution.by}*\n${execution.triggeredBy ? escapeMrkdwn(execution.triggeredBy) : m.none}`,
    ]),
  ];
  if (execution.error) {
    blocks.push(section(`*${m.execution.error}*\n${escapeMrkdwn(truncateText(execution.error, 2800))}`));
  }
  const excerpt = logExcerpt(execution.logs, ui, execution.status);
  blocks.push(section(`*${m.execution.logs}*`), section(excerpt.text));
  if (excerpt.note) blocks.push(context([excerpt.note]));
  blocks.push(context([`${m.execution.id}: \`${execution.id}\``]));
  const buttons = executionStateButtons(execution, m);
  if (buttons.length > 0) blocks.push(actions(buttons, 'execution_actions'));
  return {
    type: 'modal',
    callback_id: CALLBACK.executionModal,
    title: plain(m.execution.title, SLACK_LIMITS.modalTitle),
    close: plain(m.modal.close, SLACK_LIMITS.modalTitle),
    private_metadata: execution.id,
    blocks,
  };
}
