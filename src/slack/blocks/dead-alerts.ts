import type { KnownBlock, SectionBlock } from '@slack/types';
import { slackDate } from '../../blockkit/dates.js';
import { button, context, header, section } from '../../blockkit/kit.js';
import { escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { parseDeliveryError } from '../../domain/delivery-error.js';
import type { DeadAlert } from '../../store/dead-alerts.js';
import { ACTION } from './ids.js';
import type { Ui } from './ui.js';

/** Dead alerts `/tasks alerts` shows (one block each, within a message's 50). */
export const ALERTS_LIST_LIMIT = 10;
/** Dead alerts the App Home shows under its count. */
export const HOME_DEAD_ALERTS = 3;

export interface DeadAlertsView {
  total: number;
  alerts: readonly DeadAlert[];
  /** Fallback zone of the dates, for clients that cannot render Slack's date token. */
  timezone: string;
  /** Whether the viewer may redeliver (an operator or an admin): only then is the button shown. */
  canRedeliver: boolean;
}

/** How an alert is named in sentences: its kind, and its task when it has one. */
export function deadAlertSubject(alert: Pick<DeadAlert, 'kind' | 'taskName'>, ui: Ui): string {
  const kind = ui.m.alerts.kinds[alert.kind] ?? alert.kind;
  const task = alert.taskName ? escapeMrkdwn(truncateText(alert.taskName, 80)) : undefined;
  return ui.m.alerts.subject(kind, task);
}

/** Where the alert was going, as Slack shows it. */
function destination(channel: string | null, ui: Ui): string | undefined {
  if (!channel) return undefined;
  if (/^[CG][A-Z0-9]+$/.test(channel)) return `<#${channel}>`;
  if (/^D[A-Z0-9]+$/.test(channel)) return ui.m.alerts.directMessage;
  return `\`${escapeMrkdwn(truncateText(channel, 80)).replace(/`/g, "'")}\``;
}

/** The error Slack named, first, in code style; then what else was recorded. */
function errorText(lastError: string | null, ui: Ui): string {
  const { code, detail } = parseDeliveryError(lastError);
  if (code === 'no_channel') return `\`no_channel\`: ${ui.m.alerts.noChannel}`;
  const rest = detail ? escapeMrkdwn(truncateText(detail.split('\n')[0] ?? '', 300)) : '';
  if (code) return rest ? `\`${code}\`: ${rest}` : `\`${code}\``;
  return rest || ui.m.alerts.unknownError;
}

/** One dead alert: kind, task, when, the error, attempts, and Redeliver when the viewer may. */
export function deadAlertBlock(alert: DeadAlert, view: DeadAlertsView, ui: Ui): SectionBlock {
  const { m, locale } = ui;
  const kind = m.alerts.kinds[alert.kind] ?? alert.kind;
  const task = alert.taskName ? ` · *${escapeMrkdwn(truncateText(alert.taskName, 80))}*` : '';
  const where = destination(alert.channel, ui);
  const when = [
    ...(alert.deadAt ? [m.alerts.gaveUp(slackDate(alert.deadAt, view.timezone, locale))] : []),
    m.alerts.raised(slackDate(alert.createdAt, view.timezone, locale)),
    m.alerts.attempts(alert.attempts),
    ...(where ? [m.alerts.to(where)] : []),
  ].join(' · ');
  return section(
    `:rotating_light: *${kind}*${task} · #${alert.id}\n> ${errorText(alert.lastError, ui)}\n${when}`,
    {
      block_id: `dead_alert_${alert.id}`,
      ...(view.canRedeliver
        ? {
            accessory: button(m.alerts.redeliver, ACTION.redeliverAlert, String(alert.id), {
              style: 'primary',
            }),
          }
        : {}),
    },
  );
}

/** `/tasks alerts`: the newest dead alerts, with Redeliver; `notice` on top (the outcome of a click). */
export function buildDeadAlertsMessage(view: DeadAlertsView, ui: Ui, notice?: string): KnownBlock[] {
  const { m } = ui;
  const blocks: KnownBlock[] = [...(notice ? [section(notice)] : []), header(m.alerts.title(view.total))];
  if (view.total === 0) return [...blocks, section(m.alerts.none)];
  blocks.push(context([m.alerts.intro]));
  const shown = view.alerts.slice(0, ALERTS_LIST_LIMIT);
  for (const alert of shown) blocks.push(deadAlertBlock(alert, view, ui));
  const notes = [
    ...(view.total > shown.length ? [m.alerts.more(shown.length, view.total)] : []),
    ...(view.canRedeliver ? [] : [m.alerts.operatorsOnly]),
  ];
  if (notes.length > 0) blocks.push(context(notes));
  return blocks;
}
