import { ALERT_ACTION } from '../../blockkit/alert-actions.js';

/**
 * Every action_id, callback_id and block_id the bot sends or listens for. Listeners match on these
 * constants, builders emit them: a renamed id cannot leave a button without a handler.
 */
export const ACTION = {
  /** Overflow menu on a task row; the selected option's value is `<op>:<taskId>` (see TaskOp). */
  taskMenu: 'task_menu',
  runNow: ALERT_ACTION.runNow,
  edit: 'task_edit',
  pauseResume: 'task_pause_resume',
  delete: 'task_delete',
  viewExecution: ALERT_ACTION.viewExecution,
  retryExecution: ALERT_ACTION.retryExecution,
  cancelExecution: 'execution_cancel',
  approve: ALERT_ACTION.approve,
  reject: ALERT_ACTION.reject,
  viewFullText: ALERT_ACTION.viewFullText,
  /** Previous / next page inside the full-text modal; the value is `<taskId>:<version>:<page>`. */
  fullTextPage: 'approval_full_text_page',
  /** On the missed-runs summary posted by the notifier. */
  missedRunLatest: ALERT_ACTION.missedRunLatest,
  missedSkip: ALERT_ACTION.missedSkip,
  /** Redeliver an undeliverable (dead) alert, from `/tasks alerts` or the App Home; the value is its outbox id. */
  redeliverAlert: 'alert_redeliver',
  rejectReasonInput: 'reject_reason_input',
  pauseReasonInput: 'pause_reason_input',
  useTemplate: 'template_use',
  listPage: 'list_page',
  homePage: 'home_page',
  /** Inside the task modal. */
  cronInput: 'cron_input',
  presetSelect: 'preset_select',
  typeSelect: 'type_select',
  nameInput: 'name_input',
  descriptionInput: 'description_input',
  timezoneInput: 'timezone_input',
  timeoutInput: 'timeout_input',
  retriesSelect: 'retries_select',
  overlapSelect: 'overlap_select',
  misfireSelect: 'misfire_select',
  alertChannelSelect: 'alert_channel_select',
  notifyCheckbox: 'notify_checkbox',
  paramInput: 'param_input',
} as const;

export type TaskOp = 'run' | 'edit' | 'pause' | 'resume' | 'delete' | 'logs' | 'history';
export const TASK_OPS: readonly TaskOp[] = ['run', 'edit', 'pause', 'resume', 'delete', 'logs', 'history'];

export const CALLBACK = {
  taskModal: 'task_modal',
  deleteConfirm: 'task_delete_confirm',
  executionModal: 'execution_modal',
  /** The reason asked when an admin rejects a custom task. */
  rejectModal: 'approval_reject',
  /** The optional reason asked when someone pauses a task by its button. */
  pauseModal: 'task_pause',
  /** The whole code of one approval request, when the card shows only an excerpt. */
  fullTextModal: 'approval_full_text',
} as const;

/**
 * Input blocks of the task modal. The cron block id carries a revision suffix (`cron_3`): Slack keeps
 * what the user typed in an input whose block_id is unchanged, so filling the cron field from the
 * frequency menu needs a new block id. Params blocks are `param_<type>_<key>` for the same reason.
 */
export const BLOCK = {
  name: 'name',
  description: 'description',
  type: 'type',
  preset: 'preset',
  cronPrefix: 'cron_',
  preview: 'cron_preview',
  paramPrefix: 'param_',
  timezone: 'timezone',
  timeout: 'timeout',
  retries: 'retries',
  overlap: 'overlap',
  misfire: 'misfire',
  alertChannel: 'alert_channel',
  notify: 'notify',
  paramsHeader: 'params_header',
  rejectReason: 'reject_reason',
  pauseReason: 'pause_reason',
} as const;

export function cronBlockId(revision: number): string {
  return `${BLOCK.cronPrefix}${revision}`;
}

export function paramBlockId(type: string, key: string): string {
  return `${BLOCK.paramPrefix}${type}_${key}`;
}
