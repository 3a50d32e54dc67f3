import type { KnownBlock } from '@slack/types';
import { slackDate } from '../../blockkit/dates.js';
import { context, header, section } from '../../blockkit/kit.js';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { describeError, isErrorCode } from '../../domain/error-text.js';
import type { WhyExplanation } from '../../domain/why.js';
import type { Ui } from './ui.js';

/** `/tasks why <task>`: current state, latest slots with their verdict, downtime, DST shifts ahead. */
export function buildWhyMessage(
  task: { name: string; timezone: string },
  why: WhyExplanation,
  ui: Ui,
): KnownBlock[] {
  const { m, locale } = ui;
  const zone = task.timezone;
  const date = (at: Date) => slackDate(at, zone, locale);
  const blocks: KnownBlock[] = [header(m.why.title(truncateText(task.name, 80)))];
  const state = why.state;
  switch (state.kind) {
    case 'paused':
      blocks.push(
        section(
          m.why.paused(
            state.by ? escapeMrkdwn(state.by) : undefined,
            state.at ? date(state.at) : undefined,
            state.reason ? escapeMrkdwn(truncateText(state.reason, 500)) : undefined,
          ),
        ),
      );
      break;
    case 'pending_approval':
      blocks.push(section(m.why.pendingApproval));
      break;
    case 'rejected':
      blocks.push(
        section(m.why.rejected(state.reason ? escapeMrkdwn(truncateText(state.reason, 500)) : undefined)),
      );
      break;
    case 'active':
      blocks.push(
        section(m.why.active(state.nextRunAt ? `${date(state.nextRunAt)} ${m.inZone(zone)}` : m.dateNever)),
      );
      break;
  }
  const lines = why.slots.map((slot) => {
    let line = m.why.slot(date(slot.at), m.why.verdict[slot.verdict] ?? slot.verdict, slot.attempt);
    if (slot.trigger === 'manual' && slot.triggeredBy) line += m.why.by(escapeMrkdwn(slot.triggeredBy));
    const failed =
      slot.verdict === 'failed' || slot.verdict === 'timed_out' || slot.verdict === 'worker_lost';
    // The cause in the reader's language, then the first line of what the task said.
    if (failed && isErrorCode(slot.errorCode))
      line += `\n    ${describeError({ code: slot.errorCode }, locale)}`;
    if (failed && slot.error)
      line += `\n    _${escapeMrkdwn(truncateText(slot.error.split('\n')[0] ?? '', 150))}_`;
    if (slot.dst) line += `\n${m.why.dst(escapeMrkdwn(m.dst.notice(slot.dst)))}`;
    return line;
  });
  blocks.push(section(`*${m.why.slotsTitle}*\n${lines.length > 0 ? lines.join('\n') : m.why.noSlots}`));
  if (why.missed.length > 0) {
    const missed = why.missed.map((item) =>
      m.why.missed(
        item.missedCount,
        date(item.firstMissedFor),
        date(item.lastMissedFor),
        escapeMrkdwn(item.policy),
        item.ran.length,
        item.skippedCount,
      ),
    );
    blocks.push(section(`*${m.why.missedTitle}*\n${missed.join('\n')}`));
  }
  if (why.upcomingDst.length > 0) {
    blocks.push(
      context([
        `*${m.why.upcomingDst}*\n${why.upcomingDst.map((notice) => escapeMrkdwn(m.dst.notice(notice))).join('\n')}`,
      ]),
    );
  }
  return blocks;
}
