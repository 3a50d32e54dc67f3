import type { Messages, SlackLocale } from '../i18n/index.js';

/** What every builder needs besides its data: the language and the instant "now" (for statuses). */
export interface Ui {
  readonly m: Messages;
  readonly locale: SlackLocale;
  readonly now: Date;
}
