/**
 * The action ids of the buttons on channel alerts. The notifier (notify/) builds the alerts and the
 * Slack listeners (slack/) handle the clicks; neither may import the other, so both take the ids from
 * here. slack/blocks/ids.ts reuses these values for the buttons it shares (Retry, View logs, Run now,
 * Approve, Reject).
 */
export const ALERT_ACTION = {
  viewExecution: 'execution_view',
  retryExecution: 'execution_retry',
  runNow: 'task_run_now',
  approve: 'task_approve',
  reject: 'task_reject',
  /** On an approval card whose code is too long to show whole: a modal with all of it. */
  viewFullText: 'approval_full_text',
  /** Missed-runs summary: queue a run of that task now (the latest missed occurrence, run late). */
  missedRunLatest: 'missed_run_latest',
  /** Missed-runs summary: acknowledge, leave the missed occurrences skipped. */
  missedSkip: 'missed_skip',
} as const;

/** The metadata event type stamped on every message the notifier posts (see notify/outbox-worker.ts). */
export const OUTBOX_EVENT_TYPE = 'chronops_outbox';
