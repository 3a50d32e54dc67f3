import type { DstNotice } from '../cron.js';
import { enDstNotice } from './dst-en.js';
import { frDstNotice } from './dst-fr.js';
import type { Locale } from './locale.js';

/** A daylight-saving notice as a sentence in `locale`. */
export function dstSentence(notice: DstNotice, locale: Locale): string {
  return locale === 'fr' ? frDstNotice(notice) : enDstNotice(notice);
}
