import { EXECUTION_STATUS_TEXT } from '../../domain/i18n/execution-status.js';
import type { ReportQueryName } from '../../domain/task-params.js';

/**
 * Every sentence the report and notification executors put in a channel message or an execution
 * summary, in English. fr.ts mirrors it key for key (typed by this object; the compiler checks).
 * Values are passed in already escaped for mrkdwn by the callers; dates and durations already
 * formatted for the locale. Log lines stay in English: they are for whoever runs the service.
 */
export const en = {
  /** Execution statuses as the report's "by status" figure shows them. */
  executionStatus: EXECUTION_STATUS_TEXT.en as Record<string, string | undefined>,
  report: {
    /** The header's date: ISO in English, as before (tests and archives read it). */
    headerDate: 'yyyy-MM-dd',
    overviewTitle: '*Overview (24 h)*',
    activeTasks: 'Active tasks',
    running: 'Running',
    successes: 'Successes',
    failures: 'Failures',
    overviewLine: (active: number, running: number, successes: number, failures: number) =>
      `${active} active, ${running} running, ${successes} successes, ${failures} failures`,
    figureTitle: {
      executions_24h_by_status: 'Executions in the last 24 h',
      slowest_tasks: 'Slowest tasks (24 h)',
      failing_tasks: 'Failing tasks (24 h)',
      new_users_24h: 'New users (24 h)',
      messages_sent_24h: 'Messages sent (24 h)',
    } satisfies Record<ReportQueryName, string>,
    none: 'none',
    figureRows: (count: number) => `${count} row${count === 1 ? '' : 's'}`,
    slowestRow: (max: string, avg: string, runs: string) => `max ${max} · avg ${avg} · ${runs} runs`,
    failingRow: (failures: string, runs: string) => `${failures} failed of ${runs} runs`,
    lookaheadLine: (count: number) => `look-ahead: ${count} remark(s)`,
    /** The window's ends, already formatted (ISO-8601 UTC in English). */
    window: (since: string, until: string) => `Window: ${since} → ${until} (UTC)`,
    windowDate: null as string | null,
    skipped: (query: string, reason: string) => `${query} skipped: ${reason}`,
    tableMissing: (tables: string, inChronops: boolean) =>
      `table ${tables} not found in the ${inChronops ? 'chronops' : 'target'} database`,
    noFigures: 'no figures',
    summary: (count: number, skipped: number) =>
      `report with ${count} figure${count === 1 ? '' : 's'}${skipped > 0 ? ` (${skipped} skipped)` : ''}`,
  },
  lookahead: {
    title: '*Next 24 h*',
    more: (count: number) => `  …and ${count} more`,
    collision: (minute: string, names: string) => `${minute} UTC: ${names} start in the same minute`,
    nearTimeout: (longest: string, timeout: string, percent: number) =>
      `longest recent run ${longest} of a ${timeout} timeout (${percent} %)`,
    pausedFor: (days: number, by: string | undefined, reason: string | undefined) =>
      `paused for ${days} days${by ? ` by ${by}` : ''}${reason ? ` (${reason})` : ''}`,
    nothing: '_Nothing to flag._',
  },
  notification: {
    lowQuotaHeadline: (matched: number, threshold: number) =>
      `${matched} user${matched === 1 ? ' has' : 's have'} fewer than ${threshold} messages left in their quota`,
    rowsHeadline: (task: string, matched: number) =>
      `${task}: ${matched} row${matched === 1 ? '' : 's'} matched`,
    lowQuotaLine: (email: string, remaining: string, quota: string) =>
      `• ${email} — ${remaining} left of ${quota}`,
    more: (count: number) => `and ${count} more`,
    fallbackMore: (listed: number, more: number) => ` (${listed} listed, and ${more} more)`,
    summary: (matched: number, listed: number) => `${matched} matched, ${listed} listed`,
    nothing: 'nothing matched; no message',
  },
};

export type ExecutorMessages = typeof en;
