import { AppError, type ErrorParams } from '../../shared/errors.js';
import { type CronProblem, enInputErrors, type InputErrorMessages } from './input-errors-en.js';
import { frInputErrors } from './input-errors-fr.js';
import type { Locale } from './locale.js';

const CATALOGUES: Readonly<Record<Locale, InputErrorMessages>> = { en: enInputErrors, fr: frInputErrors };

const WHOLE_EXPRESSION: ReadonlySet<CronProblem> = new Set(['neverFires', 'parser']);

function isCronProblem(value: unknown): value is CronProblem {
  return typeof value === 'string' && Object.hasOwn(enInputErrors.cron, value);
}

function cronSentence(m: InputErrorMessages, params: ErrorParams): string {
  const problem = params.problem;
  if (!isCronProblem(problem)) return `${m.cronPrefix}${m.cron.parser(params)}`;
  const body = m.cron[problem](params);
  const field = typeof params.field === 'string' ? m.fieldNames[params.field] : undefined;
  return `${m.cronPrefix}${field ? m.inField(field, body) : body}`;
}

/**
 * An `invalid_cron` error: its English message is built from the same catalogue, and its params keep
 * the problem (and the cron field, when one is at fault) so inputErrorText can say it in French.
 */
export function cronError(
  problem: CronProblem,
  args: Readonly<Record<string, string | number>> = {},
  field?: string,
  cause?: unknown,
): AppError {
  // The whole-expression problems name no field in their sentence, though the error points at one.
  const named = field !== undefined && field !== 'cron' && !WHOLE_EXPRESSION.has(problem);
  const params: ErrorParams = { ...args, problem, ...(named ? { field } : {}) };
  return new AppError('invalid_cron', cronSentence(enInputErrors, params), field ?? 'cron', {
    params,
    ...(cause === undefined ? {} : { cause }),
  });
}

export function unknownZoneError(zone: string): AppError {
  return new AppError('unknown_timezone', enInputErrors.unknownZone(zone), 'timezone', { params: { zone } });
}

/** The sentence of a schedule or time-zone error in `locale`; any other error keeps its message. */
export function inputErrorText(error: unknown, locale: Locale): string {
  const m = CATALOGUES[locale];
  if (error instanceof AppError && error.code === 'invalid_cron' && isCronProblem(error.params.problem))
    return cronSentence(m, error.params);
  if (error instanceof AppError && error.code === 'unknown_timezone' && typeof error.params.zone === 'string')
    return m.unknownZone(error.params.zone);
  return error instanceof Error ? error.message : String(error);
}
