import { EXECUTION_STATUS_TEXT } from '../../domain/i18n/execution-status.js';
import { enDst } from './en-dst.js';
import { enHelp } from './en-help.js';
import { enPauseModal } from './en-pause-modal.js';
import { enTriggers } from './en-triggers.js';

/**
 * Every English sentence the Slack surface shows. fr.ts mirrors it key for key (the compiler checks).
 * Values that come from users are passed in already escaped for mrkdwn by the callers (see
 * blockkit/mrkdwn.ts); strings used in plain_text fields (buttons, titles) are passed raw.
 */
export const en = {
  roles: { admin: 'admin', operator: 'operator', viewer: 'viewer' },
  forbidden: (role: string) => `:no_entry: Only an *${role}* can do this; nothing was changed.`,
  taskStatus: {
    scheduled: 'scheduled',
    soon: 'soon',
    running: 'running',
    overdue: 'overdue',
    disabled: 'disabled',
  },
  executionStatus: EXECUTION_STATUS_TEXT.en as Record<string, string | undefined>,
  approval: { pending: 'awaiting approval', rejected: 'rejected', approved: 'approved' } as Record<
    string,
    string
  >,
  never: 'never',
  none: '—',
  help: enHelp,
  unknownSubcommand: (name: string) => `I don't know \`${name}\`. Here is what I can do:`,
  usage: (usage: string) => `Usage: \`/tasks ${usage}\``,
  taskNotFound: (ref: string) => `:mag: No task named or with id \`${ref}\`.`,
  didYouMean: (names: string[]) => `Did you mean ${names.map((n) => `*${n}*`).join(', ')}?`,
  executionNotFound: (ref: string) => `:mag: No execution with id \`${ref}\`.`,
  runQueued: (user: string, task: string) => `:arrow_forward: <@${user}> started *${task}* (run queued).`,
  runAlreadyQueued: (task: string) =>
    `:hourglass_flowing_sand: A run of *${task}* you asked for is already queued; not starting another.`,
  notApproved: (task: string) => `:lock: *${task}* is awaiting approval and cannot run yet.`,
  userSqlUnavailable: (task: string) =>
    `:no_entry: *${task}* runs SQL written by a person, and this installation has no restricted database login for it: an administrator must set TASK_DATABASE_URL (README, "The restricted task login").`,
  paused: (user: string, task: string, reason: string | undefined) =>
    `:double_vertical_bar: <@${user}> paused *${task}*${reason ? ` — ${reason}` : ''}.`,
  alreadyPaused: (task: string) => `*${task}* is already paused.`,
  resumed: (user: string, task: string, next: string) =>
    `:arrow_forward: <@${user}> resumed *${task}*; next run ${next}.`,
  alreadyActive: (task: string) => `*${task}* is not paused.`,
  deleted: (user: string, task: string) => `:wastebasket: <@${user}> deleted *${task}*.`,
  systemTask: (task: string) => `*${task}* is a system task: it can be paused but not deleted.`,
  created: (user: string, task: string) => `:sparkles: <@${user}> created *${task}*.`,
  createdPending: (user: string, task: string) =>
    `:sparkles: <@${user}> created *${task}*; it runs code a person wrote, so another admin must approve it before it runs.`,
  updated: (user: string, task: string) => `:pencil2: <@${user}> edited *${task}*.`,
  updatedPending: (user: string, task: string) =>
    `:pencil2: <@${user}> edited *${task}*; it runs code a person wrote, so another admin must approve this version before it runs again.`,
  retryQueued: (user: string, task: string) =>
    `:repeat: <@${user}> retried *${task}*: a new attempt starts now.`,
  retryBroughtForward: (user: string, task: string, wasDue: string) =>
    `:repeat: <@${user}> retried *${task}*: its automatic retry, due at ${wasDue}, starts now instead.`,
  retryStarting: (task: string) => `A retry of this execution of *${task}* is due and starting now.`,
  retryRunning: (task: string, since: string) =>
    `A retry of this execution of *${task}* is already running (since ${since}).`,
  notRetryable: (status: string) =>
    `This execution is ${status}; only failed, timed-out or cancelled ones can be retried.`,
  cancelOutcome: {
    cancelled: (task: string) => `:black_square_for_stop: The queued run of *${task}* was cancelled.`,
    cancel_requested: (task: string) =>
      `:black_square_for_stop: Stopping the running execution of *${task}*…`,
    already_finished: (task: string) => `That execution of *${task}* had already finished.`,
  },
  nothingRunning: (task: string) => `*${task}* has no queued or running execution.`,
  approvedBy: (user: string, task: string) => `:white_check_mark: <@${user}> approved *${task}*.`,
  rejectedBy: (user: string, task: string, reason: string) => `:x: <@${user}> rejected *${task}*: ${reason}`,
  rejectReasonRequired: 'A rejection needs a reason, so the author knows what to change.',
  missedSkipped: (user: string, task: string) =>
    `:fast_forward: <@${user}> chose not to run the missed runs of *${task}*.`,
  cannotApproveOwn:
    'Code a person wrote must be approved by an admin other than the task’s author and the one who saved this version. Nothing was changed.',
  approvalRefused: {
    superseded: (task: string, cardVersion: number, newerAwaits: boolean) =>
      `This card is for version ${cardVersion} of *${task}*, which was saved again since: it can no longer decide. Nothing was changed.${newerAwaits ? ' The newer version has its own card.' : ''}`,
    alreadyApproved: (task: string, by: string | null) =>
      `This version of *${task}* was already approved${by ? ` by <@${by}>` : ''}. Nothing was changed.`,
    alreadyRejected: (task: string, by: string | null) =>
      `This version of *${task}* was already rejected${by ? ` by <@${by}>` : ''}: it cannot be approved any more. To propose it again, its author edits and saves it, which asks for a new approval. Nothing was changed.`,
    legacyCard: (task: string, version: number) =>
      `This card does not say which version of *${task}* it decides on (it was posted by an earlier chronops), so it cannot decide. It is being refreshed with buttons for version ${version}: read it again, then click there. Nothing was changed.`,
    notPending: (task: string) => `*${task}* does not wait for an approval. Nothing was changed.`,
  },
  fullText: {
    title: 'Code to approve',
    close: 'Close',
    intro: (task: string, version: number, chars: string) =>
      `*${task}*, version ${version}: all ${chars} characters of the code Approve approves.`,
    page: (page: number, pages: number) => `Page ${page} of ${pages}`,
    previous: '‹ Previous',
    next: 'Next ›',
    superseded:
      ':arrows_counterclockwise: The task was saved again since: this version can no longer be approved.',
    backticks: "Three backticks in the code are shown as ''' so they cannot end the code block early.",
    missing: (task: string) =>
      `The approval request for this version of *${task}* is gone (the task was deleted?).`,
  },
  genericError: 'Something went wrong; nothing was changed. The error is in the service logs.',
  list: {
    title: (count: number) => `Tasks (${count})`,
    empty: 'No tasks yet. Create one with `/tasks new` or from `/tasks templates`.',
    page: (page: number, pages: number) => `Page ${page} of ${pages}`,
    next: 'Next ›',
    previous: '‹ Previous',
    nextRun: 'next',
    lastRun: 'last',
    paused: 'paused',
  },
  actions: {
    runNow: 'Run now',
    edit: 'Edit',
    pause: 'Pause',
    resume: 'Resume',
    delete: 'Delete',
    viewLogs: 'View logs',
    history: 'History',
    retry: 'Retry',
    cancel: 'Cancel run',
    details: 'Details',
    review: 'Review code',
    approve: 'Approve',
    reject: 'Reject',
    useTemplate: 'Use template',
  },
  confirmCancel: {
    title: 'Cancel this run?',
    text: 'The execution is stopped (a running one at its next heartbeat).',
    confirm: 'Cancel run',
    deny: 'Keep running',
  },
  deleteModal: {
    title: 'Delete task?',
    text: (task: string) =>
      `Delete *${task}* and its whole execution history? The audit log keeps a record. This cannot be undone.`,
    submit: 'Delete',
    close: 'Keep it',
  },
  stats: {
    title: 'Dashboard',
    active: 'Active tasks',
    running: 'Running',
    successes: 'Successes (24 h)',
    failures: 'Failures (24 h)',
    byStatus: 'Tasks by status',
  },
  templates: {
    title: 'Templates',
    intro: 'Start a task from a template; every field can be changed before saving.',
  },
  audit: {
    title: (task: string) => `Audit log of ${task}`,
    empty: 'No audit entries for this task.',
    changed: (fields: string) => `changed ${fields}`,
    titleDeleted: (task: string) => `Audit log of ${task} (deleted)`,
    several: (ref: string, tasks: string) =>
      `:mag: Several tasks named *${ref}* are in the audit log: ${tasks}. Ask again with its id: \`/tasks audit <id>\`.`,
    deletedOn: (when: string) => `deleted ${when}`,
  },
  history: {
    title: (task: string) => `Recent executions of ${task}`,
    empty: (task: string) => `*${task}* has not run yet.`,
  },
  logs: {
    none: (task: string) => `*${task}* has no execution yet.`,
    header: (task: string) => `Last execution of ${task}`,
    truncated: (shown: number, total: number) =>
      `Showing the last ${shown} of ${total} characters. Full logs: \`SELECT logs FROM task_executions WHERE id = '…'\`.`,
    empty: '(no log output)',
    whileRunning: 'Still running: its logs are saved when it ends.',
  },
  execution: {
    title: 'Execution',
    task: 'Task',
    status: 'Status',
    date: 'Date',
    duration: 'Duration',
    attempt: 'Attempt',
    trigger: 'Trigger',
    by: 'By',
    error: 'Error',
    logs: 'Logs',
    id: 'Id',
    soFar: (duration: string) => `${duration} so far`,
  },
  home: {
    title: 'chronops dashboard',
    tasks: 'Tasks',
    recentFailures: 'Recent failures',
    noFailures: 'No recent failures. :tada:',
    updated: (when: string) => `Updated ${when}`,
    undeliverable: (count: number) =>
      `:rotating_light: ${count} alert${count === 1 ? '' : 's'} could not be delivered to Slack. The latest are below; \`/tasks alerts\` lists them all.`,
  },
  alerts: {
    title: (count: number) => `Undeliverable alerts (${count})`,
    intro:
      'Alerts chronops gave up delivering to Slack, newest first. Once the cause is fixed (the channel, an invitation, a scope, ALERT_CHANNEL), Redeliver sends one again.',
    none: 'No undeliverable alerts. :tada:',
    more: (shown: number, total: number) => `Showing the ${shown} most recent of ${total}.`,
    operatorsOnly: 'Only an *operator* or an *admin* can redeliver them.',
    kinds: {
      execution_failed: 'failure alert',
      execution_succeeded: 'success notice',
      worker_lost: 'lost-replica alert',
      overdue: 'overdue alert',
      missed_runs: 'missed-runs summary',
      task_message: 'task message',
      approval_requested: 'approval request',
      duration_anomaly: 'duration anomaly alert',
    } as Record<string, string>,
    attempts: (count: number) => `${count} attempt${count === 1 ? '' : 's'}`,
    raised: (when: string) => `raised ${when}`,
    gaveUp: (when: string) => `given up ${when}`,
    to: (where: string) => `to ${where}`,
    directMessage: 'a direct message',
    noChannel:
      'nowhere to send it: the task has no alert channel, ALERT_CHANNEL is not set, and it has no author to message (approval cards are never sent to their author)',
    unknownError: 'no error recorded',
    redeliver: 'Redeliver',
    subject: (kind: string, task: string | undefined) => (task ? `the ${kind} of *${task}*` : `the ${kind}`),
    redelivered: (user: string, subject: string) =>
      `:outbox_tray: <@${user}> redelivered ${subject}: it is pending again, attempts reset, and chronops posts it shortly.`,
    notDead: (subject: string, status: string) =>
      `${subject.charAt(0).toUpperCase()}${subject.slice(1)} is no longer undeliverable (${status}): it was redelivered already. Nothing was changed.`,
    status: { pending: 'waiting for delivery', delivered: 'delivered' } as Record<string, string>,
    notFound: (ref: string) => `:mag: No undeliverable alert \`${ref}\`. Nothing was changed.`,
  },
  modal: {
    createTitle: 'New task',
    editTitle: 'Edit task',
    submit: 'Save',
    close: 'Cancel',
    name: 'Name',
    description: 'Description',
    type: 'Type',
    types: {
      backup: 'Backup',
      cleanup: 'Clean-up',
      report: 'Report',
      notification: 'Notification',
      custom: 'Custom (SQL or script)',
    } as Record<string, string>,
    paramsHeader: 'Parameters',
    preset: 'Common frequencies',
    presetPlaceholder: 'Pick a frequency…',
    presets: {
      daily_0200: 'Every day at 02:00',
      every_6h: 'Every 6 hours',
      weekly_sunday: 'Every Sunday at 03:00',
      monthly_first: 'The 1st of each month at 04:00',
      every_5m: 'Every 5 minutes',
    } as Record<string, string>,
    cron: 'Cron expression',
    cronHint: 'minute hour day-of-month month day-of-week, read in the task’s time zone',
    timezone: 'Time zone',
    timeout: 'Timeout (seconds)',
    retries: 'Retries (0–3)',
    overlap: 'If the previous run is still running',
    overlapOptions: { skip: 'Skip this run', queue: 'Queue it', allow: 'Run concurrently' } as Record<
      string,
      string
    >,
    misfire: 'Missed runs (service down)',
    misfireOptions: {
      run_once: 'Run the latest once',
      skip: 'Skip them',
      run_all: 'Run each (catch-up window)',
    } as Record<string, string>,
    alertChannel: 'Alert channel',
    notify: 'Notifications',
    notifyOnSuccess: 'Also notify on success',
    previewTitle: 'Schedule preview',
    previewInvalid: (error: string) => `:warning: ${error}`,
    previewEmpty: 'Type a cron expression to see the next runs.',
    nextRuns: (zone: string) => `Next 5 runs (${zone} · UTC):`,
    dstWarning: (message: string) => `:clock2: DST: ${message}`,
    stagger: (count: number, minute: string, suggestion: string | undefined) =>
      `:traffic_light: ${count} other task${count === 1 ? '' : 's'} also start${count === 1 ? 's' : ''} at ${minute} UTC.${
        suggestion ? ` Consider \`${suggestion}\` to spread the load.` : ''
      }`,
    conflict: (by: string) =>
      `Someone (${by}) saved this task while you were editing it. Close this window and reopen the task to see their changes; yours were not saved.`,
    duplicateName: 'A task with this name already exists.',
    userSqlUnavailable:
      'SQL written here needs a restricted database login, and none is configured: an administrator must set TASK_DATABASE_URL (README, "The restricted task login").',
    longTextReadOnly: (chars: string) => `${chars} characters, read-only here`,
    longTextHowToChange:
      'A Slack text field holds at most 3,000 characters, so this text is shown read-only (its beginning above) and is kept unchanged when you save. To change it, keep the SQL in a file of the scripts folder (SCRIPTS_DIR) and run it from a custom task of kind script, or create the task again with a text of at most 3,000 characters.',
    truncatedText: (chars: number) =>
      `This field holds only the first 3,000 of the saved text's ${chars.toLocaleString('en-US')} characters: saving it would cut the rest, so nothing was saved. Close this window and open the task again: the whole text is then kept and shown read-only.`,
    notANumber: 'Must be a whole number.',
    notJson: 'Must be a JSON list such as ["a", "b"].',
    saveTimeout: 'Saving is taking longer than expected; you will get a message when it is done.',
    saved: (task: string) => `Saved *${task}*.`,
    paramLabels: {
      keep: 'Archives to keep',
      mode: 'Mode',
      table: 'Table',
      timestampColumn: 'Timestamp column',
      expiresColumn: 'Expiry column',
      olderThanDays: 'Older than (days)',
      successDays: 'Keep successes (days)',
      failureDays: 'Keep failures (days)',
      batchSize: 'Batch size (rows)',
      queries: 'Report queries',
      csv: 'CSV',
      query: 'Condition',
      threshold: 'Quota threshold (messages)',
      sql: 'SQL',
      maxListed: 'Rows listed at most',
      message: 'Message headline',
      kind: 'Kind',
      readOnly: 'Read-only',
      script: 'Script (in SCRIPTS_DIR)',
      args: 'Arguments (JSON list)',
      env: 'Variables passed (JSON list of names)',
    } as Record<string, string>,
    /** Shown under a parameter's input, after the modes it applies to. */
    paramHints: {
      // Own tables are refused at save; foreign keys only when the task runs (the target database's catalog).
      table:
        'Refused: chronops’s own tables, and tables other tables reference by foreign key (a clean-up would cascade to their rows).',
    } as Record<string, string>,
    yes: 'Yes',
  },
  dateNever: 'not planned',
  inZone: (zone: string) => `(${zone})`,
  dst: enDst,
  triggers: enTriggers as Record<string, string | undefined>,
  pauseModal: enPauseModal,
  rejectModal: {
    title: 'Reject task',
    intro: (task: string) => `Reject *${task}*? Its author sees your reason.`,
    label: 'Reason',
    placeholder: 'What must change before it can be approved?',
    submit: 'Reject',
    close: 'Cancel',
  },
  why: {
    title: (task: string) => `Why ${task} ran or not`,
    paused: (by: string | undefined, when: string | undefined, reason: string | undefined) =>
      `:double_vertical_bar: *Paused*${by ? ` by <@${by}>` : ''}${when ? ` ${when}` : ''}${reason ? ` — ${reason}` : ''}. Paused tasks plan no slots; missed ones are not caught up on resume.`,
    pendingApproval:
      ':lock: *Awaiting approval* by an admin other than its author: its slots are recorded as not approved and do not run.',
    rejected: (reason: string | undefined) =>
      `:no_entry_sign: *Rejected*${reason ? ` — ${reason}` : ''}: its slots do not run until it is edited and approved.`,
    active: (next: string) => `:calendar: Active; next run ${next}.`,
    slotsTitle: 'Latest slots',
    noSlots: 'No slot decided yet.',
    verdict: {
      succeeded: 'ran and succeeded',
      failed: 'ran and failed',
      timed_out: 'ran and timed out',
      running: 'is running',
      queued: 'is queued, waiting to start',
      overlap_skipped: 'skipped: the previous run was still running (overlap policy)',
      misfire_skipped: 'skipped: missed while no replica was running (misfire policy)',
      caught_up: 'caught up late, after downtime (misfire policy)',
      not_approved: 'not run: the task was not approved',
      worker_lost: 'lost: the replica running it stopped; retried per the retry policy',
      cancelled: 'cancelled by someone',
      skipped: 'skipped',
    } as Record<string, string>,
    slot: (when: string, verdict: string, attempt: number) =>
      `• ${when} — ${verdict}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
    by: (user: string) => ` — by <@${user}>`,
    dst: (message: string) => `    :clock2: DST: ${message}`,
    missedTitle: 'Missed during downtime',
    missed: (count: number, first: string, last: string, policy: string, ran: number, skipped: number) =>
      `• ${count} missed (${first} → ${last}); policy *${policy}*: ${ran} ran, ${skipped} recorded skipped.`,
    upcomingDst: 'Daylight-saving shifts ahead',
  },
};

export type Messages = typeof en;
