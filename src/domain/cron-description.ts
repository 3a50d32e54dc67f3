import cronstrue from 'cronstrue';
// Registers the French strings on the same cronstrue instance (UMD bundle, side effect only).
import 'cronstrue/locales/fr.js';
import { CRON_MACROS } from './cron-fields.js';

/** Languages the bot speaks (docs/ARCHITECTURE.md §2: English by default, French with LOCALE=fr). */
export type DescriptionLocale = 'en' | 'fr';

/**
 * A human sentence for a cron expression, in 24-hour time ("At 02:30, Monday through Friday",
 * "À 02:30, de lundi à vendredi"). Describes wall-clock time in the task's own zone; the zone is not
 * part of the sentence. Macros (`@daily`…) are expanded first.
 *
 * Never throws: an expression cronstrue cannot read (or that does not have 5 or 6 fields, which
 * cronstrue would otherwise read as something else) comes back unchanged, trimmed.
 */
export function describeCron(expression: string, locale: DescriptionLocale): string {
  const collapsed = expression.trim().replace(/\s+/g, ' ');
  const expanded = collapsed.startsWith('@') ? CRON_MACROS[collapsed.toLowerCase()] : collapsed;
  if (expanded === undefined) return collapsed;
  const fieldCount = expanded.split(' ').length;
  if (fieldCount !== 5 && fieldCount !== 6) return collapsed;
  try {
    return cronstrue.toString(expanded, {
      locale,
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
    });
  } catch {
    return collapsed;
  }
}
