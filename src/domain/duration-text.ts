import type { Locale } from './i18n/locale.js';

/**
 * A duration as people read it in Slack (alerts, task rows, the execution modal, the report): `850 ms`,
 * `12.3 s`, `4 min 05 s`, `2 h 03 min`; `—` when unknown. French writes the decimal with a comma
 * (`12,3 s`); the units are the same in both languages.
 */
export function formatDuration(ms: number | null | undefined, locale: Locale = 'en'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) {
    const seconds = (ms / 1000).toFixed(1);
    return `${locale === 'fr' ? seconds.replace('.', ',') : seconds} s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
