import type { Locale } from './locale.js';
import { enParamErrors, type ParamErrorMessages } from './param-errors-en.js';
import { frParamErrors } from './param-errors-fr.js';

/**
 * The parameter schemas are built once, so their messages cannot be in the reader's language when
 * they are made: each schema message is this token, the key of a sentence and its values, and
 * validateTaskParams renders it in the caller's language (domain/task-params.ts).
 */
const MARK = '\u0001param-error\u0001';

type Key = keyof ParamErrorMessages;

/** The token of a schema message (rendered later by renderParamError). */
export function paramError<K extends Key>(key: K, ...params: Parameters<ParamErrorMessages[K]>): string {
  return `${MARK}${JSON.stringify({ key, params: params[0] ?? {} })}`;
}

/** A schema message in `locale`: a token is rendered; any other text (zod's own) is kept as it is. */
export function renderParamError(message: string, locale: Locale): string {
  if (!message.startsWith(MARK)) return message;
  const { key, params } = JSON.parse(message.slice(MARK.length)) as { key: Key; params: never };
  const messages: ParamErrorMessages = locale === 'fr' ? frParamErrors : enParamErrors;
  return (messages[key] as (p: never) => string)(params);
}
