/**
 * The sentences of the schedule and time-zone errors (cron-fields.ts, cron.ts, zone-offsets.ts), in
 * English, word for word what those files used to write. The error carries the problem's key and
 * arguments in AppError.params, so the form can show it in the reader's language (input-errors.ts);
 * input-errors-fr.ts mirrors this object key for key (the compiler checks).
 */
type Args = Readonly<Record<string, string | number>>;
const s = (args: Args, key: string) => String(args[key] ?? '');

export const enInputErrors = {
  /** Starts every cron error. */
  cronPrefix: 'Invalid cron: ',
  fieldNames: {
    second: 'second',
    minute: 'minute',
    hour: 'hour',
    'day of month': 'day of month',
    month: 'month',
    'day of week': 'day of week',
  } as Record<string, string>,
  /** A field's name followed by what is wrong with it. */
  inField: (field: string, problem: string) => `${field} ${problem}`,
  cron: {
    empty: () => 'the expression is empty.',
    unknownMacro: (a: Args) =>
      `unknown macro "${s(a, 'macro')}": use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually.`,
    fieldCount: (a: Args) =>
      `got ${s(a, 'count')} field${a.count === 1 ? '' : 's'}, expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first).`,
    neverFires: (a: Args) =>
      `"${s(a, 'expression')}" never fires: no date has that day of month in the months given.`,
    parser: (a: Args) => `${s(a, 'detail')}.`,
    notValue: (a: Args) =>
      `"${s(a, 'token')}" is not a valid value: expected a number${a.names ? ` or a name (${s(a, 'names')})` : ''}.`,
    outOfRange: (a: Args) => `"${s(a, 'token')}" is out of range (${s(a, 'min')}-${s(a, 'max')}).`,
    duplicate: (a: Args) => `"${s(a, 'raw')}" lists ${s(a, 'label')} more than once.`,
    hashCombined: (a: Args) =>
      `"${s(a, 'raw')}" cannot combine # with other values: write a single d#n such as 1#2.`,
    hashOccurrence: (a: Args) => `"${s(a, 'raw')}": the occurrence after # must be 1 to 5.`,
    emptyItem: (a: Args) => `"${s(a, 'raw')}" has an empty list item.`,
    nearestWeekday: (a: Args) => `"${s(a, 'item')}" uses W (nearest weekday), which is not supported.`,
    lastOffset: (a: Args) => `"${s(a, 'item')}" is not supported: use L for the last day of the month.`,
    lastNeedsWeekday: () => `"L" needs a weekday: write 5L for the last Friday of the month.`,
    notItem: (a: Args) => `"${s(a, 'item')}" is not valid: expected a number, a range a-b, a step */n or *.`,
    questionMark: () => `"?" is only allowed in day of month and day of week.`,
    reversed: (a: Args) => `range "${s(a, 'base')}" is reversed: write the smaller value first.`,
    stepRange: (a: Args) => `step "${s(a, 'step')}" is out of range (1-${s(a, 'span')}).`,
  },
  unknownZone: (zone: string) => `Unknown time zone "${zone}": use an IANA name such as Europe/Paris.`,
};

export type InputErrorMessages = typeof enInputErrors;
export type CronProblem = keyof InputErrorMessages['cron'];
