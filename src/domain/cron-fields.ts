import type { AppError } from '../shared/errors.js';
import { cronError } from './i18n/input-errors.js';
import type { CronProblem } from './i18n/input-errors-en.js';

// Cron text → per-field value sets, with errors that name the field (`hour`, `day of month`…).

export interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  /** Upper-case names indexed by value (months from 1, weekdays from 0). */
  readonly names?: readonly string[];
}

export const SECOND_SPEC: FieldSpec = { name: 'second', min: 0, max: 59 };
export const MINUTE_SPEC: FieldSpec = { name: 'minute', min: 0, max: 59 };
export const HOUR_SPEC: FieldSpec = { name: 'hour', min: 0, max: 23 };
export const DOM_SPEC: FieldSpec = { name: 'day of month', min: 1, max: 31 };
export const MONTH_SPEC: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
// 7 is accepted as a second spelling of Sunday, as in most crons.
export const DOW_SPEC: FieldSpec = {
  name: 'day of week',
  min: 0,
  max: 7,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};

export interface FieldSet {
  /** values[v] is true when v matches (weekday 7 is folded into 0). */
  readonly values: boolean[];
  /** Written as `*` or `?`: decides the day-of-month / day-of-week OR rule, as in cron-parser. */
  readonly wildcard: boolean;
  /** Day of month: `L`, the last day of the month. */
  readonly last: boolean;
  /** Day of week: `5L` (last Friday of the month), indexed by weekday. */
  readonly lastWeekdays: boolean[];
  /** Day of week: n of `d#n` (1–5), 0 when absent. */
  readonly nth: number;
  /** Written with a step (`/`). */
  readonly stepped: boolean;
}

/** The error of one cron field: the problem's key and arguments travel with it (domain/i18n). */
export function fieldError(
  spec: FieldSpec,
  problem: CronProblem,
  args: Readonly<Record<string, string | number>> = {},
): AppError {
  return cronError(problem, args, spec.name);
}

export function parseValue(spec: FieldSpec, token: string): number {
  let value: number;
  if (/^\d+$/.test(token)) {
    value = Number(token);
  } else {
    value = spec.names?.indexOf(token) ?? -1;
    if (value < 0 || token === '') {
      const names = spec.names === undefined ? '' : spec.names.filter(Boolean).join(', ');
      throw fieldError(spec, 'notValue', { token, names });
    }
  }
  if (value < spec.min || value > spec.max) {
    throw fieldError(spec, 'outOfRange', { token, min: spec.min, max: spec.max });
  }
  return value;
}

// Stays whole: one pass over the comma-separated parts; each branch is one cron syntax (*, a-b, /n, L, W, #).
export function parseField(spec: FieldSpec, raw: string): FieldSet {
  const values: boolean[] = new Array<boolean>(spec.max + 1).fill(false);
  const lastWeekdays: boolean[] = new Array<boolean>(7).fill(false);
  let last = false;
  let nth = 0;
  let stepped = false;
  const isDom = spec === DOM_SPEC;
  const isDow = spec === DOW_SPEC;
  const fold = (value: number): number => (isDow ? value % 7 : value);
  const duplicate = (label: string): AppError => fieldError(spec, 'duplicate', { raw, label });

  if (isDow && raw.includes('#')) {
    const match = /^(\w+)#(\w+)$/.exec(raw);
    if (match === null) {
      throw fieldError(spec, 'hashCombined', { raw });
    }
    const weekday = fold(parseValue(spec, match[1]!));
    nth = /^\d$/.test(match[2]!) ? Number(match[2]) : 0;
    if (nth < 1 || nth > 5) {
      throw fieldError(spec, 'hashOccurrence', { raw });
    }
    values[weekday] = true;
    return { values, wildcard: false, last, lastWeekdays, nth, stepped };
  }

  for (const item of raw.split(',')) {
    if (item === '') throw fieldError(spec, 'emptyItem', { raw });
    if (isDom && item.includes('W')) {
      throw fieldError(spec, 'nearestWeekday', { item });
    }
    if (isDom && item === 'L') {
      if (last) throw duplicate('L');
      last = true;
      continue;
    }
    if (isDom && item.startsWith('L')) {
      throw fieldError(spec, 'lastOffset', { item });
    }
    if (isDow && item.endsWith('L')) {
      if (item === 'L') {
        throw fieldError(spec, 'lastNeedsWeekday');
      }
      const weekday = fold(parseValue(spec, item.slice(0, -1)));
      if (lastWeekdays[weekday]) throw duplicate(item);
      lastWeekdays[weekday] = true;
      continue;
    }
    const [base = '', step, extra] = item.split('/');
    if (extra !== undefined || base === '') {
      throw fieldError(spec, 'notItem', { item });
    }
    let from: number;
    let to: number;
    if (base === '*' || base === '?') {
      if (base === '?' && !(isDom || isDow)) {
        throw fieldError(spec, 'questionMark');
      }
      from = spec.min;
      to = isDow ? 6 : spec.max;
    } else {
      const bounds = base.split('-');
      if (bounds.length > 2 || bounds.some((bound) => bound === '')) {
        throw fieldError(spec, 'notItem', { item });
      }
      from = parseValue(spec, bounds[0]!);
      to = bounds.length === 2 ? parseValue(spec, bounds[1]!) : step === undefined ? from : spec.max;
      if (from > to) {
        throw fieldError(spec, 'reversed', { base });
      }
    }
    let increment = 1;
    if (step !== undefined) {
      stepped = true;
      const span = spec.max - spec.min;
      increment = /^\d+$/.test(step) ? Number(step) : Number.NaN;
      if (!(increment >= 1 && increment <= span)) {
        throw fieldError(spec, 'stepRange', { step, span });
      }
    }
    // A range reaching 7 names Sunday twice when it also starts at 0 (0-7): one mention, as cron-parser does.
    const seen = new Set<number>();
    for (let value = from; value <= to; value += increment) {
      const folded = fold(value);
      if (seen.has(folded)) continue;
      seen.add(folded);
      if (values[folded]) throw duplicate(String(folded));
      values[folded] = true;
    }
  }
  return { values, wildcard: raw === '*' || raw === '?', last, lastWeekdays, nth, stepped };
}

/** English names of the cron fields, used as `AppError.field` for field-level errors. */
export type CronFieldName = 'second' | 'minute' | 'hour' | 'day of month' | 'month' | 'day of week';

/** The supported macros and the five-field expressions they stand for (lower-case keys). */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

export interface SplitCron {
  readonly tokens: string[];
  readonly normalized: string;
}

export function splitExpression(expression: string): SplitCron {
  const collapsed = expression.trim().replace(/\s+/g, ' ');
  if (collapsed === '') {
    throw cronError('empty');
  }
  let text = collapsed;
  if (collapsed.startsWith('@')) {
    const expanded = CRON_MACROS[collapsed.toLowerCase()];
    if (expanded === undefined) {
      throw cronError('unknownMacro', { macro: collapsed });
    }
    text = expanded;
  }
  const tokens = text.toUpperCase().split(' ');
  if (tokens.length !== 5 && tokens.length !== 6) {
    throw cronError('fieldCount', { count: tokens.length });
  }
  // `?` ("no specific value") means the same as `*` in the day fields, the only ones that allow it.
  for (const index of [tokens.length - 3, tokens.length - 1]) {
    if (tokens[index] === '?') tokens[index] = '*';
  }
  return { tokens, normalized: tokens.join(' ') };
}
