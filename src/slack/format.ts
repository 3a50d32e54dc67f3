import { DateTime } from 'luxon';
import type { SlackLocale } from './i18n/index.js';

/**
 * Dates and durations as shown in Slack. `slackDate` uses Slack's date token, so every viewer sees the
 * instant in their own zone; the fallback (shown by clients that cannot render the token) is in the
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

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
