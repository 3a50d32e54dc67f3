import type { Locale } from './locale.js';
import { enValidation, type ValidationMessages } from './validation-en.js';
import { frValidation } from './validation-fr.js';

export type { ValidationMessages };

export function validationMessagesFor(locale: Locale): ValidationMessages {
  return locale === 'fr' ? frValidation : enValidation;
}
