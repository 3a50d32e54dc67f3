import { DateTime } from 'luxon';

/** The locales dates are written in (the same two as the Slack and alert texts). */
export type DateLocale = 'en' | 'fr';

/**
 * Dates as shown in Slack (durations: domain/duration-text.ts). `slackDate` uses Slack's date token, so
 * every viewer sees the instant in their own zone; the fallback, shown by clients that cannot render the
 * token (notifications, some integrations), is in `zone` and names it, since nothing else tells the reader
 * which zone a bare `11:05` is in.
 */
export function slackDate(at: Date | string, zone: string, locale: DateLocale): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  const unix = Math.floor(instant.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatInZone(instant, zone, locale)} ${zone}>`;
}

/** `2026-11-28 11:05` in `zone` (24-hour clock). */
export function formatInZone(at: Date, zone: string, locale: DateLocale): string {
  return DateTime.fromJSDate(at, { zone }).setLocale(locale).toFormat('yyyy-MM-dd HH:mm');
}

/** `Sun 2026-11-29 03:00` in `zone`, for the cron preview. */
export function formatRun(at: Date, zone: string, locale: DateLocale): string {
  return DateTime.fromJSDate(at, { zone }).setLocale(locale).toFormat('ccc yyyy-MM-dd HH:mm');
}
