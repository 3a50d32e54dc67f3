import type { Locale } from '../../domain/i18n/locale.js';
import { type ExecutorMessages, en } from './en.js';
import { fr } from './fr.js';

export type { ExecutorMessages };

/** The executors' catalogue for a locale (LOCALE, passed in ExecutorDeps). */
export function executorMessagesFor(locale: Locale): ExecutorMessages {
  return locale === 'fr' ? fr : en;
}
