import type { KnownBlock } from '@slack/types';
import { ALERT_ACTION } from '../blockkit/alert-actions.js';
import { slackDate } from '../blockkit/dates.js';
import { actions, button, context, fieldsSection, header, section } from '../blockkit/kit.js';
import { SLACK_LIMITS } from '../blockkit/limits.js';
import { codeBlock, escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import { formatApprovalRef } from '../domain/approval-ref.js';
import { displayChunks } from '../domain/display-chunks.js';
import { formatDuration } from '../domain/duration-text.js';
import { describeError, isErrorCode } from '../domain/error-text.js';
import type { OutboxKind } from '../store/outbox.js';
import type { AlertState, MissedDecision } from '../store/outbox-delivery.js';
import type { NotifyMessages } from './messages.js';

/**
 * Pure Block Kit builders for every alert kind of the outbox: a payload (as the engine
 * wrote it, plus the `state` people and retries added since) in, `{ text, blocks }` out. Every user
 * string is escaped; every limit of docs/ARCHITECTURE.md §10 holds by construction (tested against the fake Web
 * API, which rejects what Slack would).
 */
export interface RenderedMessage {
  /** Notification fallback; Slack still parses mentions in it, so user strings are escaped here too. */
  text: string;
  blocks: KnownBlock[];
}

export interface RenderContext {
  m: NotifyMessages;
  locale: 'en' | 'fr';
}

const ERROR_EXCERPT_CHARS = 1500;
/**
 * The notification text of an alert: Slack accepts 40,000 characters (SLACK_LIMITS.messageText), but this
 * text is what a phone's notification shows, so it stays one section long.
 */
const ALERT_FALLBACK_CHARS = SLACK_LIMITS.sectionText;
/** Tasks listed in one missed-runs summary: section + actions each, within the 50 blocks of a message. */
export const MISSED_TASKS_SHOWN = 20;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const name = (payload: Record<string, unknown>): string =>
  escapeMrkdwn(truncateText(str(payload.taskName) ?? '?', 80));
const stripped = (text: string): string => text.replace(/[*_~`]/g, '').replace(/:[a-z0-9_+-]+: /g, '');

function finish(blocks: KnownBlock[], fallback: string): RenderedMessage {
  return {
    text: truncateText(stripped(fallback), ALERT_FALLBACK_CHARS),
    blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage),
  };
}

/** The state line (who, when, new state) shown under an alert that was acted upon. */
export function stateLine(state: AlertState | undefined, ctx: RenderContext): string | null {
  if (!state) return null;
  const { m, locale } = ctx;
  const when = slackDate(state.at, 'UTC', locale);
  switch (state.kind) {
    case 'retry_requested':
      return m.state.retryRequested(state.by, when);
    case 'retrying':
      return m.state.retrying(state.attempt, state.maxAttempts, when);
    case 'failed_final':
      return m.state.failedFinal(state.attempt, state.maxAttempts, when);
    case 'recovered':
      return m.state.recovered(state.attempt, when);
    case 'run_requested':
      return m.state.runRequested(state.by, when);
    case 'ran':
      return m.state.ran(when);
    case 'approved':
      return m.state.approved(state.by, when);
    case 'rejected':
      return m.state.rejected(state.by, when, escapeMrkdwn(truncateText(state.reason, 500)));
    case 'superseded':
      return m.state.superseded(state.version, when);
  }
}

function stateOf(payload: Record<string, unknown>): AlertState | undefined {
  const state = payload.state;
  return state && typeof state === 'object' ? (state as AlertState) : undefined;
}

/** Failure, time-out or lost worker: task, error excerpt, attempt n/max, duration; View logs, Retry. */
export function buildFailureAlert(
  kind: 'execution_failed' | 'worker_lost',
  payload: Record<string, unknown>,
  ctx: RenderContext,
): RenderedMessage {
  const { m, locale } = ctx;
  const task = name(payload);
  const state = stateOf(payload);
  const title =
    kind === 'worker_lost'
      ? m.workerLost(task, escapeMrkdwn(truncateText(str(payload.workerId) ?? '?', 80)))
      : payload.status === 'timed_out'
        ? m.timedOut(task)
        : m.failed(task);
  const retry = payload.retry as { attempt?: number; runAfter?: string } | null | undefined;
  const info = [
    `*${m.attempt}*\n${num(payload.attempt) ?? '?'}/${num(payload.maxAttempts) ?? '?'}`,
    `*${m.duration}*\n${formatDuration(num(payload.durationMs), locale)}`,
    `*${m.nextRetry}*\n${retry?.runAfter ? slackDate(retry.runAfter, 'UTC', locale) : m.noRetryLeft}`,
  ];
  // The cause in the reader's language (from the code); the error text below is what the task said.
  if (isErrorCode(payload.errorCode))
    info.push(`*${m.cause}*\n${describeError({ code: payload.errorCode }, locale)}`);
  const error = str(payload.error);
  const blocks: KnownBlock[] = [
    section(title),
    fieldsSection(info),
    section(`*${m.error}*\n${error ? codeBlock(truncateText(error, ERROR_EXCERPT_CHARS)) : m.noError}`),
  ];
  const line = stateLine(state, ctx);
  if (line) blocks.push(context([line]));
  // The buttons act on the latest execution of the chain (a later failed attempt, once there is one).
  const latest = state && 'executionId' in state ? state.executionId : (str(payload.executionId) ?? '');
  const buttons = [button(m.viewLogs, ALERT_ACTION.viewExecution, latest)];
  if (state?.kind !== 'recovered' && state?.kind !== 'retry_requested')
    buttons.push(button(m.retry, ALERT_ACTION.retryExecution, latest, { style: 'primary' }));
  blocks.push(actions(buttons, 'alert_actions'));
  return finish(blocks, `${title}${line ? ` — ${line}` : ''}`);
}

/** Overdue: how late, likely causes (stuck run, previous error, no worker); Run now; resolved in place. */
export function buildOverdueAlert(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const { m, locale } = ctx;
  const occurrence = str(payload.occurrence) ?? new Date(0).toISOString();
  const title = m.overdue.title(
    name(payload),
    slackDate(occurrence, 'UTC', locale),
    formatDuration(num(payload.lateByMs), locale),
  );
  const causes: string[] = [];
  if (payload.isRunning === true) causes.push(m.overdue.stuck);
  const lastStatus = str(payload.lastStatus);
  if (lastStatus === 'failed' || lastStatus === 'timed_out')
    causes.push(m.overdue.previousError(m.overdue.status[lastStatus] ?? lastStatus));
  causes.push(m.overdue.workerDown);
  const blocks: KnownBlock[] = [section(title), section(`*${m.overdue.causes}*\n${causes.join('\n')}`)];
  const state = stateOf(payload);
  const line = stateLine(state, ctx);
  if (line) blocks.push(context([line]));
  if (state?.kind !== 'ran' && state?.kind !== 'run_requested') {
    blocks.push(
      actions(
        [
          button(m.runNow, ALERT_ACTION.runNow, str(payload.taskId) ?? '', { style: 'primary' }),
          button(m.viewLogs, ALERT_ACTION.viewExecution, `task:${str(payload.taskId) ?? ''}`),
        ],
        'alert_actions',
      ),
    );
  }
  return finish(blocks, `${title}${line ? ` — ${line}` : ''}`);
}

/** Opt-in success notice (or a recovery with no failure message to resolve). */
export function buildSuccessNotice(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const { m, locale } = ctx;
  const title = m.success.title(
    name(payload),
    formatDuration(num(payload.durationMs), locale),
    num(payload.attempt) ?? 1,
  );
  return finish(
    [
      section(title),
      actions(
        [button(m.viewLogs, ALERT_ACTION.viewExecution, str(payload.executionId) ?? '')],
        'alert_actions',
      ),
    ],
    title,
  );
}

/** A later attempt of a failed run, posted in the thread of the first failure's message. */
export function buildThreadReply(
  kind: OutboxKind,
  payload: Record<string, unknown>,
  ctx: RenderContext,
): RenderedMessage {
  const { m, locale } = ctx;
  const duration = formatDuration(num(payload.durationMs), locale);
  const attempt = num(payload.attempt) ?? 1;
  const blocks: KnownBlock[] = [];
  let text: string;
  if (kind === 'execution_succeeded') {
    text = m.thread.recovered(attempt, duration);
    blocks.push(section(text));
  } else {
    text = m.thread.failed(attempt, num(payload.maxAttempts) ?? attempt, duration);
    const error = str(payload.error);
    blocks.push(
      section(text),
      section(error ? codeBlock(truncateText(error, ERROR_EXCERPT_CHARS)) : m.noError),
    );
  }
  blocks.push(
    actions(
      [button(m.viewLogs, ALERT_ACTION.viewExecution, str(payload.executionId) ?? '')],
      'alert_actions',
    ),
  );
  return finish(blocks, text);
}

interface MissedTask {
  taskId: string;
  taskName: string;
  policy: string;
  missedCount: number;
  truncated: boolean;
  firstMissedFor: string;
  lastMissedFor: string;
  ran: string[];
  skippedCount: number;
}

/** After downtime: one summary of what was missed and what the policy did; Run latest now / Skip. */
export function buildMissedRunsSummary(
  payload: Record<string, unknown>,
  ctx: RenderContext,
): RenderedMessage {
  const { m, locale } = ctx;
  const tasks = (Array.isArray(payload.tasks) ? payload.tasks : []) as MissedTask[];
  const decisions = (payload.decisions ?? {}) as Record<string, MissedDecision>;
  const blocks: KnownBlock[] = [header(m.missed.title)];
  // One entry per task (several planning batches may mention the same task: keep the latest).
  const byTask = new Map<string, MissedTask>();
  for (const task of tasks) byTask.set(task.taskId, task);
  const shown = [...byTask.values()].slice(0, MISSED_TASKS_SHOWN);
  shown.forEach((task, index) => {
    const label = escapeMrkdwn(truncateText(task.taskName, 80));
    const policy = m.missed.policy[task.policy]?.(task.ran.length) ?? escapeMrkdwn(task.policy);
    const text = `${m.missed.task(
      label,
      task.missedCount,
      slackDate(task.firstMissedFor, 'UTC', locale),
      slackDate(task.lastMissedFor, 'UTC', locale),
    )}${task.truncated ? m.missed.truncated : ''} ${policy}${task.skippedCount > 0 ? m.missed.skipped(task.skippedCount) : ''}`;
    blocks.push(section(text));
    const decision = decisions[task.taskId];
    if (decision) {
      const when = slackDate(decision.at, 'UTC', locale);
      blocks.push(
        context([
          decision.kind === 'run'
            ? m.missed.decidedRun(decision.by, when)
            : m.missed.decidedSkip(decision.by, when),
        ]),
      );
    } else {
      blocks.push(
        actions(
          [
            button(m.runLatest, ALERT_ACTION.missedRunLatest, task.taskId, { style: 'primary' }),
            button(m.skip, ALERT_ACTION.missedSkip, task.taskId),
          ],
          `missed_${index}`,
        ),
      );
    }
  });
  if (byTask.size > shown.length) blocks.push(context([m.missed.more(byTask.size - shown.length)]));
  return finish(blocks, m.missed.fallback(byTask.size));
}

/** A run much shorter or longer than the task's recent median. */
export function buildDurationAnomaly(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const { m, locale } = ctx;
  const duration = formatDuration(num(payload.durationMs), locale);
  const medianMs = formatDuration(num(payload.medianMs), locale);
  const samples = num(payload.samples) ?? 0;
  const text =
    payload.direction === 'short'
      ? m.anomaly.short(name(payload), duration, medianMs, samples)
      : m.anomaly.long(name(payload), duration, medianMs, samples, (num(payload.ratio) ?? 0).toFixed(1));
  return finish(
    [
      section(text),
      actions(
        [button(m.viewLogs, ALERT_ACTION.viewExecution, str(payload.executionId) ?? '')],
        'alert_actions',
      ),
    ],
    text,
  );
}

/** Characters of code an approval card shows as an excerpt when the whole code does not fit. */
export const APPROVAL_EXCERPT_CHARS = 1500;

/**
 * A task carrying code that waits for approval: the whole code and its arguments, or an excerpt marked
 * as one with a View full text button, never a silent cut; Approve / Reject name the version shown.
 * Decided or superseded, the card says so in place and loses its buttons.
 */
export function buildApprovalRequest(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const { m, locale } = ctx;
  const author = escapeMrkdwn(str(payload.author) ?? '?');
  const title =
    payload.edited === true
      ? m.approval.edited(author, name(payload))
      : m.approval.created(author, name(payload));
  const blocks: KnownBlock[] = [section(title)];
  const code = str(payload.code) ?? '';
  const whole = codeBlock(code);
  const fitsWhole = whole.length <= SLACK_LIMITS.sectionText;
  if (fitsWhole) blocks.push(section(whole));
  else {
    const [excerpt = ''] = displayChunks(code, APPROVAL_EXCERPT_CHARS, codeBlock);
    blocks.push(section(codeBlock(excerpt)));
    const count = (n: number) => n.toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-US');
    blocks.push(
      context([
        m.approval.excerpt(
          count(Array.from(excerpt).length),
          count(Array.from(code).length),
          code.split('\n').length,
        ),
      ]),
    );
  }
  if (code.includes('```')) blocks.push(context([m.approval.backticks]));
  const runs =
    payload.codeKind === 'script'
      ? m.approval.runs.script
      : payload.readOnly === true
        ? m.approval.runs.sqlReadOnly
        : m.approval.runs.sql;
  blocks.push(
    fieldsSection([
      `*${m.approval.schedule}*\n\`${escapeMrkdwn(str(payload.cron) ?? '?')}\` (${escapeMrkdwn(str(payload.timezone) ?? '?')})`,
      `*${m.approval.kind}*\n${runs}`,
    ]),
  );
  const version = num(payload.version);
  const taskId = str(payload.taskId) ?? '';
  const ref = version === null ? taskId : formatApprovalRef({ taskId, version });
  const state = stateOf(payload);
  const line = stateLine(state, ctx);
  if (line) blocks.push(context([line]));
  else {
    if (version !== null) blocks.push(context([m.approval.version(version)]));
    blocks.push(
      actions(
        [
          button(m.approve, ALERT_ACTION.approve, ref, { style: 'primary' }),
          button(m.reject, ALERT_ACTION.reject, ref, { style: 'danger' }),
          ...(fitsWhole ? [] : [button(m.viewFullText, ALERT_ACTION.viewFullText, ref)]),
        ],
        'approval_actions',
      ),
    );
  }
  return finish(blocks, `${title}${line ? ` — ${line}` : ''}`);
}

/** A message an executor asked to post (report, notification), as it built it. */
export function buildTaskMessage(payload: Record<string, unknown>): RenderedMessage {
  const text = str(payload.text) ?? ' ';
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as KnownBlock[]) : [];
  return {
    text: truncateText(text, SLACK_LIMITS.messageText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage),
  };
}

/** The top-level message of a row of any kind. */
export function buildOutboxMessage(
  kind: OutboxKind,
  payload: Record<string, unknown>,
  ctx: RenderContext,
): RenderedMessage {
  switch (kind) {
    case 'execution_failed':
    case 'worker_lost':
      return buildFailureAlert(kind, payload, ctx);
    case 'execution_succeeded':
      return buildSuccessNotice(payload, ctx);
    case 'overdue':
      return buildOverdueAlert(payload, ctx);
    case 'missed_runs':
      return buildMissedRunsSummary(payload, ctx);
    case 'duration_anomaly':
      return buildDurationAnomaly(payload, ctx);
    case 'approval_requested':
      return buildApprovalRequest(payload, ctx);
    case 'task_message':
      return buildTaskMessage(payload);
  }
}
