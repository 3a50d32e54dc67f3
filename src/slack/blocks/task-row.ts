import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { formatInZone, slackDate } from '../../blockkit/dates.js';
import { actions, button, confirmDialog, section } from '../../blockkit/kit.js';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { formatApprovalRef } from '../../domain/approval-ref.js';
import { formatDuration } from '../../domain/duration-text.js';
import { deriveTaskStatus, statusEmoji } from '../../domain/task-status.js';
import type { ExecutionRow, TaskRow } from '../../store/schema.js';
import { ACTION } from './ids.js';
import type { Ui } from './ui.js';

/** The columns a task row shows. */
export type TaskSummary = Pick<
  TaskRow,
  | 'id'
  | 'name'
  | 'enabled'
  | 'approvalState'
  | 'approvalVersion'
  | 'isRunning'
  | 'nextRunAt'
  | 'lastRunAt'
  | 'lastStatus'
  | 'overdueGraceSeconds'
  | 'timezone'
  | 'isSystem'
  | 'pausedReason'
  | 'cron'
>;

const EXECUTION_EMOJI: Record<string, string> = {
  queued: ':hourglass_flowing_sand:',
  running: ':arrows_counterclockwise:',
  success: ':white_check_mark:',
  failed: ':x:',
  timed_out: ':alarm_clock:',
  cancelled: ':black_square_for_stop:',
  skipped: ':fast_forward:',
};

export function executionEmoji(status: string): string {
  return EXECUTION_EMOJI[status] ?? ':grey_question:';
}

/** One line of status for a task: emoji, name, status word, next and last run. */
export function taskSummaryText(task: TaskSummary, ui: Ui): string {
  const { m, locale, now } = ui;
  const status = deriveTaskStatus(task, now);
  const name = escapeMrkdwn(truncateText(task.name, 80));
  const approval = task.approvalState === 'approved' ? '' : ` · _${m.approval[task.approvalState]}_`;
  const paused =
    !task.enabled && task.pausedReason ? ` · _${escapeMrkdwn(truncateText(task.pausedReason, 200))}_` : '';
  const next =
    task.enabled && task.nextRunAt
      ? `${slackDate(task.nextRunAt, task.timezone, locale)} ${m.inZone(task.timezone)}`
      : task.enabled
        ? m.dateNever
        : m.list.paused;
  const last = task.lastRunAt
    ? `${formatInZone(task.lastRunAt, task.timezone, locale)} ${task.lastStatus ? `${executionEmoji(task.lastStatus)} ${m.executionStatus[task.lastStatus] ?? task.lastStatus}` : ''}`
    : m.never;
  return `${statusEmoji(status)} *${name}* — ${m.taskStatus[status]}${approval}${paused}\n${m.list.nextRun}: ${next} · ${m.list.lastRun}: ${last}`;
}

/** The buttons of a task row; the value of each is the task id. */
export function taskButtons(task: TaskSummary, ui: Ui): Button[] {
  const { m } = ui;
  const buttons = [
    button(m.actions.runNow, ACTION.runNow, task.id, { style: 'primary' }),
    button(m.actions.edit, ACTION.edit, task.id),
    button(task.enabled ? m.actions.pause : m.actions.resume, ACTION.pauseResume, task.id),
    button(m.actions.viewLogs, ACTION.viewExecution, `task:${task.id}`),
  ];
  // Approving needs the code in front of you: the row offers a review modal that shows all of it,
  // with Approve / Reject bound to the version it shows.
  if (task.approvalState === 'pending' && task.approvalVersion !== null) {
    const ref = formatApprovalRef({ taskId: task.id, version: task.approvalVersion });
    buttons.push(button(m.actions.review, ACTION.viewFullText, ref, { style: 'primary' }));
  }
  if (!task.isSystem) buttons.push(deleteButton(task, ui));
  return buttons;
}

/** The Delete button, behind Slack's own confirmation dialog. */
export function deleteButton(task: Pick<TaskSummary, 'id' | 'name'>, ui: Ui): Button {
  const { m } = ui;
  return button(m.actions.delete, ACTION.delete, task.id, {
    style: 'danger',
    confirm: confirmDialog(
      m.deleteModal.title,
      m.deleteModal.text(escapeMrkdwn(truncateText(task.name, 80))),
      m.deleteModal.submit,
      m.deleteModal.close,
    ),
  });
}

/** A task as two blocks: its status line and its buttons. */
export function taskRowBlocks(task: TaskSummary, ui: Ui): [SectionBlock, ActionsBlock] {
  return [section(taskSummaryText(task, ui)), actions(taskButtons(task, ui), `task_${task.id}`)];
}

export type ExecutionSummary = Pick<
  ExecutionRow,
  'id' | 'status' | 'attempt' | 'createdAt' | 'startedAt' | 'durationMs' | 'trigger' | 'error'
> & { logs?: string };

/**
 * How long an execution took; for one still running (no duration yet), how long it has run so far,
 * by the injected clock.
 */
export function executionDuration(
  execution: Pick<ExecutionRow, 'status' | 'startedAt' | 'durationMs'>,
  ui: Ui,
): string {
  if (execution.durationMs === null && execution.status === 'running' && execution.startedAt) {
    // The claim records a run up to 1.5 s before its instant (docs/ENGINE.md, "Early start").
    const elapsed = Math.max(0, ui.now.getTime() - execution.startedAt.getTime());
    return ui.m.execution.soFar(formatDuration(elapsed, ui.locale));
  }
  return formatDuration(execution.durationMs, ui.locale);
}

/** The last non-empty line of some logs, shortened and made safe for an inline code span. */
function lastLogLine(logs: string | undefined): string | undefined {
  const line = logs
    ?.split('\n')
    .map((candidate) => candidate.trim())
    .findLast((candidate) => candidate !== '');
  return line ? `\`${escapeMrkdwn(truncateText(line, 200)).replace(/`/g, "'")}\`` : undefined;
}

/**
 * An execution as a status line plus View / Retry / Cancel buttons. With `logTail` (the history), the
 * line also shows the last line of its logs when it has no error to show.
 */
export function executionRowBlocks(
  execution: ExecutionSummary,
  taskName: string | undefined,
  timezone: string,
  ui: Ui,
  options: { logTail?: boolean } = {},
): KnownBlock[] {
  const { m, locale } = ui;
  const at = execution.startedAt ?? execution.createdAt;
  const who = taskName ? `*${escapeMrkdwn(truncateText(taskName, 80))}* · ` : '';
  const tail = options.logTail ? lastLogLine(execution.logs) : undefined;
  const detail = execution.error
    ? `\n> ${escapeMrkdwn(truncateText(execution.error.split('\n')[0] ?? '', 200))}`
    : tail
      ? `\n${tail}`
      : '';
  const text = `${executionEmoji(execution.status)} ${who}${slackDate(at, timezone, locale)} · ${
    m.executionStatus[execution.status] ?? execution.status
  } · ${m.execution.attempt.toLowerCase()} ${execution.attempt} · ${executionDuration(execution, ui)}${detail}`;
  const buttons = [button(m.actions.viewLogs, ACTION.viewExecution, execution.id)];
  buttons.push(...executionStateButtons(execution, m));
  return [section(text), actions(buttons, `execution_${execution.id}`)];
}

/** Retry for a finished execution that did not succeed, Cancel (confirmed) for a queued or running one. */
export function executionStateButtons(execution: { id: string; status: string }, m: Ui['m']): Button[] {
  if (['failed', 'timed_out', 'cancelled'].includes(execution.status)) {
    return [button(m.actions.retry, ACTION.retryExecution, execution.id, { style: 'primary' })];
  }
  if (['queued', 'running'].includes(execution.status)) {
    return [
      button(m.actions.cancel, ACTION.cancelExecution, execution.id, {
        style: 'danger',
        confirm: confirmDialog(
          m.confirmCancel.title,
          m.confirmCancel.text,
          m.confirmCancel.confirm,
          m.confirmCancel.deny,
        ),
      }),
    ];
  }
  return [];
}
