import { en, type Messages } from './en.js';
import { fr } from './fr.js';

export type { Messages };
export type SlackLocale = 'en' | 'fr';

/** The message catalogue for a locale (LOCALE: en by default, fr). */
export function messagesFor(locale: SlackLocale): Messages {
  return locale === 'fr' ? fr : en;
}
