import { formatRun } from '../blockkit/dates.js';
import { escapeMrkdwn } from '../blockkit/mrkdwn.js';
import { dstNotices, nextRunsAfter, parseCron } from '../domain/cron.js';
import type { Messages, SlackLocale } from './i18n/index.js';

/**
 * The daylight-saving remark for a saved task's next run, or undefined when that run meets no clock
 * change (or the task is paused). The live preview shows the same remark while typing; this one goes
 * into the confirmation, where it stays in the channel after the modal is closed.
 */
export function nextRunDstWarning(
  task: { cron: string; timezone: string; enabled: boolean },
  now: Date,
  m: Messages,
  locale: SlackLocale,
): string | undefined {
  if (!task.enabled) return undefined;
  const cron = parseCron(task.cron, task.timezone);
  const [next] = nextRunsAfter(cron, now, 1);
  if (!next) return undefined;
  const [notice] = dstNotices(cron, [next]);
  if (!notice) return undefined;
  const when = `${formatRun(next, task.timezone, locale)} (${escapeMrkdwn(task.timezone)})`;
  return m.dst.nextRunNotice(when, escapeMrkdwn(m.dst.notice(notice)));
}
