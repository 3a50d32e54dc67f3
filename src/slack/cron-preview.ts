import { formatRun } from '../blockkit/dates.js';
import { escapeMrkdwn } from '../blockkit/mrkdwn.js';
import { dstNotices, nextRunsAfter, parseCron } from '../domain/cron.js';
import { describeCron } from '../domain/cron-description.js';
import { inputErrorText } from '../domain/i18n/input-errors.js';
import { findCollisions, type StaggerTask, suggestFreeMinute } from '../domain/stagger.js';
import { validateTimezone } from '../domain/zone-offsets.js';
import type { Messages, SlackLocale } from './i18n/index.js';

/** Stagger advice looks one day ahead: enough for daily schedules, cheap with hundreds of tasks. */
export const STAGGER_HORIZON_MS = 24 * 3600 * 1000;

export interface OtherTask {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
}

/**
 * The live preview under the cron field: a sentence (EN/FR), the next 5 runs in the task's zone and
 * in UTC, daylight-saving remarks, and a warning when other enabled tasks start in the same minute,
 * with the nearest free minute. Pure: `now` and the other tasks are passed in. Returns mrkdwn.
 */
export function buildCronPreview(
  input: {
    cron: string;
    timezone: string;
    taskId: string | undefined;
    others: readonly OtherTask[];
    now: Date;
  },
  m: Messages,
  locale: SlackLocale,
): string {
  const expression = input.cron.trim();
  if (expression === '') return m.modal.previewEmpty;
  let cron: ReturnType<typeof parseCron>;
  let zone: string;
  try {
    zone = validateTimezone(input.timezone);
    cron = parseCron(expression, zone);
  } catch (error) {
    return m.modal.previewInvalid(escapeMrkdwn(inputErrorText(error, locale)));
  }
  const runs = nextRunsAfter(cron, input.now, 5);
  const lines = [
    `_${escapeMrkdwn(describeCron(cron.expression, locale))}_`,
    m.modal.nextRuns(escapeMrkdwn(zone)),
  ];
  for (const run of runs) {
    lines.push(`• ${formatRun(run, zone, locale)} · ${formatRun(run, 'UTC', locale).slice(-5)} UTC`);
  }
  for (const notice of dstNotices(cron, runs))
    lines.push(m.modal.dstWarning(escapeMrkdwn(m.dst.notice(notice))));
  const stagger = staggerWarning(cron, input, m);
  if (stagger) lines.push(stagger);
  return lines.join('\n');
}

function staggerWarning(
  cron: ReturnType<typeof parseCron>,
  input: { taskId: string | undefined; others: readonly OtherTask[]; now: Date },
  m: Messages,
): string | undefined {
  const self = input.taskId ?? '__candidate__';
  const others: StaggerTask[] = [];
  for (const task of input.others) {
    if (task.id === self || !task.enabled) continue;
    try {
      others.push({ id: task.id, name: task.name, cron: parseCron(task.cron, task.timezone), enabled: true });
    } catch {
      // A stored task with an expression this version no longer accepts is simply left out.
    }
  }
  const to = new Date(input.now.getTime() + STAGGER_HORIZON_MS);
  const collision = findCollisions(
    [{ id: self, name: '', cron, enabled: true }, ...others],
    input.now,
    to,
  ).find((entry) => entry.taskIds.includes(self));
  if (!collision) return undefined;
  const suggestion = suggestFreeMinute(cron, others, input.now, STAGGER_HORIZON_MS);
  const minute = collision.minute.toISOString().slice(11, 16);
  return m.modal.stagger(
    collision.taskIds.length - 1,
    minute,
    suggestion && suggestion.minuteOffset !== 0 ? suggestion.expression : undefined,
  );
}
