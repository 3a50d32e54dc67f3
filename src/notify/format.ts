import { DateTime } from 'luxon';

/**
 * Dates and durations in alerts. Slack's date token shows each reader the instant in their own zone;
 * the fallback text (clients that cannot render it) is in `zone` (UTC unless the caller knows better).
 */
export function slackDate(at: Date | string, locale: 'en' | 'fr', zone = 'UTC'): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  const unix = Math.floor(instant.getTime() / 1000);
  const fallback = DateTime.fromJSDate(instant, { zone }).setLocale(locale).toFormat('yyyy-MM-dd HH:mm');
  return `<!date^${unix}^{date_short_pretty} {time}|${fallback} ${zone}>`;
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`; `—` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
