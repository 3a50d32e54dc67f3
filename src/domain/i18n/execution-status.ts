import type { Locale } from './locale.js';

/**
 * Execution statuses as people read them, the same words in Slack's views and in the daily report
 * (both catalogues take them from here).
 */
export const EXECUTION_STATUS_TEXT: Readonly<Record<Locale, Readonly<Record<string, string>>>> = {
  en: {
    queued: 'queued',
    running: 'running',
    success: 'success',
    failed: 'failed',
    timed_out: 'timed out',
    cancelled: 'cancelled',
    skipped: 'skipped',
  },
  fr: {
    queued: 'en attente',
    running: 'en cours',
    success: 'succès',
    failed: 'échec',
    timed_out: 'délai dépassé',
    cancelled: 'annulée',
    skipped: 'sautée',
  },
};
