import { DateTime } from 'luxon';

/**
 * Dates in alerts (durations: domain/duration-text.ts). Slack's date token shows each reader the
 * instant in their own zone; the fallback text (clients that cannot render it) is in `zone` (UTC unless
 * the caller knows better).
 */
export function slackDate(at: Date | string, locale: 'en' | 'fr', zone = 'UTC'): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  const unix = Math.floor(instant.getTime() / 1000);
  const fallback = DateTime.fromJSDate(instant, { zone }).setLocale(locale).toFormat('yyyy-MM-dd HH:mm');
  return `<!date^${unix}^{date_short_pretty} {time}|${fallback} ${zone}>`;
}
