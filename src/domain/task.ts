import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { nextRunAfter, parseCron } from './cron.js';
import { inputErrorText } from './i18n/input-errors.js';
import type { Locale } from './i18n/locale.js';
import { type ValidationMessages, validationMessagesFor } from './i18n/validation.js';
import { enValidation } from './i18n/validation-en.js';
import { type TaskParamsOptions, validateTaskParams } from './task-params.js';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_OVERDUE_GRACE_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  MAX_RETRIES_LIMIT,
  MISFIRE_POLICIES,
  type MisfirePolicyName,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  TASK_NAME_MAX_LENGTH,
  TASK_TYPES,
  type TaskInput,
  type TaskType,
} from './task-types.js';
import { validateTimezone } from './zone-offsets.js';

export type { TaskInput } from './task-types.js';

/** A validated task, normalised, with its first occurrence computed; ready to store. */
export interface TaskDraft {
  name: string;
  description: string;
  type: TaskType;
  template: string | null;
  params: Record<string, unknown>;
  cron: string;
  timezone: string;
  enabled: boolean;
  timeoutSeconds: number;
  maxRetries: number;
  overlapPolicy: OverlapPolicy;
  misfirePolicy: MisfirePolicyName;
  overdueGraceSeconds: number;
  alertChannel: string | null;
  notifyOnSuccess: boolean;
  nextRunAt: Date | null;
}

export type TaskField = keyof TaskInput;
/** Errors by field; a template parameter's error is keyed `params.<name>` (e.g. `params.table`). */
export type FieldErrors = Partial<Record<TaskField | `params.${string}`, string>>;

// Control characters would corrupt Slack rendering and logs; names are shown everywhere.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The input schema with its messages in one language (built once per locale, below). */
function buildInputSchema(v: ValidationMessages) {
  return z.object({
    name: z
      .string({ error: v.nameRequired })
      .trim()
      .min(1, v.nameRequired)
      .max(TASK_NAME_MAX_LENGTH, v.nameTooLong(TASK_NAME_MAX_LENGTH))
      .refine((value) => !CONTROL_CHARACTERS.test(value), v.nameControl),
    description: z
      .string()
      .max(2000, v.descriptionTooLong)
      .optional()
      .transform((value) => value?.trim() ?? ''),
    type: z.enum(TASK_TYPES, { error: v.typeOneOf(TASK_TYPES.join(', ')) }),
    template: z
      .string()
      .trim()
      .min(1)
      .max(80)
      .nullish()
      .transform((value) => value ?? null),
    params: z
      .record(z.string(), z.unknown(), { error: v.paramsObject })
      .optional()
      .transform((value) => value ?? {}),
    cron: z.string({ error: v.cronRequired }).max(200, v.cronTooLong),
    timezone: z.string().max(64, v.timezoneTooLong).optional(),
    enabled: z
      .boolean()
      .optional()
      .transform((value) => value ?? true),
    timeoutSeconds: z
      .number({ error: v.timeoutNumber })
      .int(v.timeoutWhole)
      .min(1, v.timeoutMin)
      .max(86_400, v.timeoutMax)
      .optional()
      .transform((value) => value ?? DEFAULT_TIMEOUT_SECONDS),
    maxRetries: z
      .number({ error: v.retriesNumber })
      .int(v.retriesWhole)
      .min(0, v.retriesRange(MAX_RETRIES_LIMIT))
      .max(MAX_RETRIES_LIMIT, v.retriesRange(MAX_RETRIES_LIMIT))
      .optional()
      .transform((value) => value ?? DEFAULT_MAX_RETRIES),
    overlapPolicy: z
      .enum(OVERLAP_POLICIES, { error: v.overlapOneOf(OVERLAP_POLICIES.join(', ')) })
      .optional()
      .transform((value) => value ?? 'skip'),
    misfirePolicy: z
      .enum(MISFIRE_POLICIES, { error: v.misfireOneOf(MISFIRE_POLICIES.join(', ')) })
      .optional()
      .transform((value) => value ?? 'run_once'),
    overdueGraceSeconds: z
      .number({ error: v.graceNumber })
      .int(v.graceWhole)
      .min(0, v.graceNegative)
      .max(7 * 86_400, v.graceMax)
      .optional()
      .transform((value) => value ?? DEFAULT_OVERDUE_GRACE_SECONDS),
    alertChannel: z
      .string()
      .trim()
      .regex(/^[CGD][A-Z0-9]{2,}$/, v.alertChannel)
      .nullish()
      .transform((value) => value ?? null),
    notifyOnSuccess: z
      .boolean()
      .optional()
      .transform((value) => value ?? false),
  });
}

const INPUT_SCHEMAS: Readonly<Record<Locale, ReturnType<typeof buildInputSchema>>> = {
  en: buildInputSchema(validationMessagesFor('en')),
  fr: buildInputSchema(validationMessagesFor('fr')),
};

export type TaskValidation = { ok: true; draft: TaskDraft } | { ok: false; errors: FieldErrors };

/**
 * Validates and normalises a task, computing its first occurrence strictly after `now`. Every problem
 * is reported against the field it concerns (so a modal can show it next to the input); nothing is
 * thrown for bad input. `protectedTables`: chronops's own tables, which a clean-up may not name.
 */
export function validateTaskInput(
  input: unknown,
  options: { now: Date; defaultTimezone: string } & TaskParamsOptions,
): TaskValidation {
  // The messages are in the reader's language (LOCALE); English when none is given.
  const locale = options.locale ?? 'en';
  const v = validationMessagesFor(locale);
  const errors: FieldErrors = {};
  const parsed = INPUT_SCHEMAS[locale].safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'name') as TaskField;
      errors[field] ??= issue.message;
    }
  }
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const timezoneInput =
    typeof raw.timezone === 'string' && raw.timezone.trim() !== ''
      ? raw.timezone.trim()
      : options.defaultTimezone;
  let timezone = timezoneInput;
  if (!errors.timezone) {
    try {
      timezone = validateTimezone(timezoneInput);
    } catch (error) {
      errors.timezone = error instanceof AppError ? inputErrorText(error, locale) : v.unknownTimezone;
    }
  }
  let nextRunAt: Date | null = null;
  if (!errors.cron && typeof raw.cron === 'string' && !errors.timezone) {
    try {
      const cron = parseCron(raw.cron, timezone);
      nextRunAt = nextRunAfter(cron, options.now);
    } catch (error) {
      if (error instanceof AppError && error.code === 'unknown_timezone')
        errors.timezone = inputErrorText(error, locale);
      else errors.cron = error instanceof Error ? inputErrorText(error, locale) : v.invalidCron;
    }
  }
  let params: Record<string, unknown> = parsed.success ? parsed.data.params : {};
  if (parsed.success && !errors.params) {
    // Per-type and per-template parameters (table names, SQL, thresholds…), checked before anything runs.
    const checked = validateTaskParams(parsed.data.type, parsed.data.template, parsed.data.params, {
      protectedTables: options.protectedTables,
      locale,
    });
    if (checked.ok) params = checked.params as Record<string, unknown>;
    else {
      for (const [key, message] of Object.entries(checked.errors)) {
        const field = key === 'template' || key === 'params' ? key : `params.${key}`;
        errors[field as keyof FieldErrors] ??= message;
      }
    }
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const value = parsed.data;
  return {
    ok: true,
    draft: {
      name: value.name,
      description: value.description,
      type: value.type,
      template: value.template,
      params,
      cron: parseCron(value.cron, timezone).expression,
      timezone,
      enabled: value.enabled,
      timeoutSeconds: value.timeoutSeconds,
      maxRetries: value.maxRetries,
      overlapPolicy: value.overlapPolicy,
      misfirePolicy: value.misfirePolicy,
      overdueGraceSeconds: value.overdueGraceSeconds,
      alertChannel: value.alertChannel,
      notifyOnSuccess: value.notifyOnSuccess,
      nextRunAt,
    },
  };
}

/** Like validateTaskInput, but throws an AppError('invalid_task') naming the first bad field. */
export function prepareTask(
  input: unknown,
  options: { now: Date; defaultTimezone: string } & TaskParamsOptions,
): TaskDraft {
  const result = validateTaskInput(input, options);
  if (result.ok) return result.draft;
  const [field, message] = Object.entries(result.errors)[0] ?? ['name', enValidation.invalidTask];
  throw new AppError(
    field.startsWith('params') || field === 'template' ? 'invalid_params' : 'invalid_task',
    message ?? enValidation.invalidTask,
    field,
  );
}
