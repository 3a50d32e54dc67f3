import { DateTime } from 'luxon';
import type { SlackLocale } from './i18n/index.js';

/**
 * Dates as shown in Slack (durations: domain/duration-text.ts). `slackDate` uses Slack's date token,
 * so every viewer sees the instant in their own zone; the fallback (shown by clients that cannot render the token) is in the
 * task's zone.
 */
export function slackDate(at: Date, fallbackZone: string, locale: SlackLocale): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatInZone(at, fallbackZone, locale)}>`;
}

/** `2026-11-28 11:05` in `zone` (24-hour clock). */
export function formatInZone(at: Date, zone: string, locale: SlackLocale): string {
  return DateTime.fromJSDate(at, { zone }).setLocale(locale).toFormat('yyyy-MM-dd HH:mm');
}

/** `Sun 2026-11-29 03:00` in `zone`, for the cron preview. */
export function formatRun(at: Date, zone: string, locale: SlackLocale): string {
  return DateTime.fromJSDate(at, { zone }).setLocale(locale).toFormat('ccc yyyy-MM-dd HH:mm');
}
