import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { SERVICE_SECRET_VARIABLES } from '../shared/service-secrets.js';
import type { Locale } from './i18n/locale.js';
import { paramError, renderParamError } from './i18n/param-errors.js';
import { enParamErrors } from './i18n/param-errors-en.js';
import { type ValidationMessages, validationMessagesFor } from './i18n/validation.js';
import { protectedTableError } from './protected-tables.js';
import type { TaskType } from './task-types.js';
import { templateTaskType } from './templates.js';

/**
 * Parameter schemas per task type (docs/ARCHITECTURE.md §6). Pure: this checks the *syntax* of table and column
 * names (so an injection attempt never reaches an executor); the executor checks their *existence* and
 * type in the target database's catalog before running anything, and quotes them.
 *
 * Every message starts with the parameter's name, so it reads on its own in a modal, a log or Slack:
 * `table: "users; drop table x" is not a valid table name.`
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/i;
/** PostgreSQL truncates identifiers at 63 bytes; `<table>_archive` must still fit. */
const ARCHIVE_SUFFIX = '_archive';

/**
 * Unquoted SQL identifiers fold to lower case in PostgreSQL, so `Users` means `users`; we keep that
 * meaning (and then always quote the catalog's spelling).
 */
function identifier(field: string, kind: 'table' | 'column', options: { qualified?: boolean } = {}) {
  return z
    .string({ error: paramError('nameRequired', { field, kind }) })
    .trim()
    .refine(
      (value) => {
        const parts = value.split('.');
        if (parts.length > (options.qualified ? 2 : 1)) return false;
        return parts.every((part) => IDENTIFIER.test(part));
      },
      {
        error: (issue) =>
          paramError('nameInvalid', {
            field,
            kind,
            value: JSON.stringify(issue.input),
            qualified: options.qualified === true,
          }),
      },
    )
    .transform((value) => value.toLowerCase());
}

function wholeNumber(field: string, unit: string, min: number, max: number) {
  return z
    .number({ error: paramError('numberType', { field, unit }) })
    .int(paramError('wholeNumber', { field, unit }))
    .min(min, paramError('range', { field, unit, min, max }))
    .max(max, paramError('range', { field, unit, min, max }));
}

const batchSize = wholeNumber('batchSize', 'rows', 1, 100_000).default(5000);

// ---------------------------------------------------------------------------------------------------
// backup

export const backupParamsSchema = z.strictObject({
  /** How many of this task's archives to keep (older ones are deleted after a verified dump). */
  keep: wholeNumber('keep', 'archives', 1, 365).default(7),
});
export type BackupParams = z.output<typeof backupParamsSchema>;

// ---------------------------------------------------------------------------------------------------
// cleanup

export const CLEANUP_MODES = ['older_than', 'expired', 'archive', 'execution_history'] as const;
export type CleanupMode = (typeof CLEANUP_MODES)[number];

const olderThanDays = wholeNumber('olderThanDays', 'days', 1, 36_500);

const cleanupSchemas = {
  older_than: z.strictObject({
    mode: z.literal('older_than').default('older_than'),
    table: identifier('table', 'table', { qualified: true }),
    timestampColumn: identifier('timestampColumn', 'column'),
    olderThanDays,
    batchSize,
  }),
  expired: z.strictObject({
    mode: z.literal('expired'),
    table: identifier('table', 'table', { qualified: true }),
    expiresColumn: identifier('expiresColumn', 'column').default('expires_at'),
    batchSize,
  }),
  archive: z.strictObject({
    mode: z.literal('archive'),
    table: identifier('table', 'table', { qualified: true }).refine(
      (value) => (value.split('.').at(-1) ?? '').length + ARCHIVE_SUFFIX.length <= 63,
      paramError('archiveNameTooLong', { suffix: ARCHIVE_SUFFIX, max: 63 - ARCHIVE_SUFFIX.length }),
    ),
    timestampColumn: identifier('timestampColumn', 'column'),
    olderThanDays,
    batchSize,
  }),
  execution_history: z
    .strictObject({
      mode: z.literal('execution_history'),
      successDays: wholeNumber('successDays', 'days', 1, 3650),
      failureDays: wholeNumber('failureDays', 'days', 1, 3650),
      batchSize,
    })
    .refine((value) => value.failureDays >= value.successDays, {
      error: paramError('failuresKeptLonger'),
      path: ['failureDays'],
    }),
} as const;
export type CleanupParams = { [M in CleanupMode]: z.output<(typeof cleanupSchemas)[M]> }[CleanupMode];

// ---------------------------------------------------------------------------------------------------
// report

export const REPORT_QUERY_NAMES = [
  'executions_24h_by_status',
  'slowest_tasks',
  'failing_tasks',
  'new_users_24h',
  'messages_sent_24h',
] as const;
export type ReportQueryName = (typeof REPORT_QUERY_NAMES)[number];

export const reportParamsSchema = z.strictObject({
  queries: z
    .array(
      z.enum(REPORT_QUERY_NAMES, {
        error: (issue) =>
          paramError('notAReportQuery', {
            value: JSON.stringify(issue.input),
            choices: REPORT_QUERY_NAMES.join(', '),
          }),
      }),
      { error: paramError('queriesList') },
    )
    .min(1, paramError('queriesAtLeastOne'))
    .transform((names) => [...new Set(names)])
    .default([...REPORT_QUERY_NAMES]),
  csv: z.boolean({ error: paramError('trueOrFalse', { field: 'csv' }) }).default(false),
});
export type ReportParams = z.output<typeof reportParamsSchema>;

// ---------------------------------------------------------------------------------------------------
// notification

const maxListed = wholeNumber('maxListed', 'rows', 1, 50).default(10);
const headline = z
  .string({ error: paramError('messageText') })
  .trim()
  .min(1, paramError('messageEmpty'))
  .max(500, paramError('atMostCharacters', { field: 'message', max: 500 }))
  .optional();
const sqlText = (field: string, max: number) =>
  z
    .string({ error: paramError('sqlRequired', { field }) })
    .trim()
    .min(1, paramError('sqlRequired', { field }))
    .max(max, paramError('atMostCharacters', { field, max }));

const notificationSchemas = {
  low_quota: z.strictObject({
    query: z.literal('low_quota'),
    /** Users whose remaining quota (quota − messages_sent) is below this many messages. */
    threshold: wholeNumber('threshold', 'messages', 0, 1_000_000_000).default(10),
    maxListed,
    message: headline,
  }),
  custom: z.strictObject({
    query: z.literal('custom'),
    sql: sqlText('sql', 10_000),
    maxListed,
    message: headline,
  }),
} as const;
export type NotificationParams = z.output<(typeof notificationSchemas)[keyof typeof notificationSchemas]>;

// ---------------------------------------------------------------------------------------------------
// custom

/** A relative path of plain segments: no `..`, no leading `/`, no shell metacharacters. */
const SCRIPT_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const customSchemas = {
  sql: z.strictObject({
    kind: z.literal('sql'),
    sql: sqlText('sql', 100_000),
    readOnly: z.boolean({ error: paramError('trueOrFalse', { field: 'readOnly' }) }).default(false),
  }),
  script: z.strictObject({
    kind: z.literal('script'),
    script: z
      .string({ error: paramError('scriptRequired') })
      .trim()
      .min(1, paramError('scriptRequired'))
      .max(255, paramError('atMostCharacters', { field: 'script', max: 255 }))
      .superRefine((value, context) => {
        const problem = scriptPathProblemKey(value);
        if (problem)
          context.addIssue({
            code: 'custom',
            message: paramError('scriptPath', { problem, value: JSON.stringify(value) }),
          });
      }),
    args: z
      .array(
        z
          .string({ error: paramError('argText') })
          .max(1000, paramError('argTooLong'))
          .refine((value) => !value.includes('\u0000'), paramError('argNul')),
        { error: paramError('argsList') },
      )
      .max(20, paramError('argsTooMany'))
      .default([]),
    env: z
      .array(
        z
          .string({ error: paramError('envEntry') })
          .regex(ENV_NAME, paramError('envName'))
          .superRefine((name, context) => {
            if (SERVICE_SECRET_VARIABLES.includes(name))
              context.addIssue({
                code: 'custom',
                message: paramError('envSecret', { name }),
              });
          }),
        { error: paramError('envList') },
      )
      .max(20, paramError('envTooMany'))
      .refine((names) => new Set(names).size === names.length, paramError('envTwice'))
      .default([]),
  }),
} as const;
export type CustomParams = z.output<(typeof customSchemas)[keyof typeof customSchemas]>;

/**
 * Why a script path is not a plain relative file name inside SCRIPTS_DIR, or undefined when it is.
 * The executor checks again on the real file system (realpath, symlinks, executable bit).
 */
export function scriptPathProblem(value: string): string | undefined {
  const problem = scriptPathProblemKey(value);
  return problem && enParamErrors[problem]({ value: JSON.stringify(value) });
}

function scriptPathProblemKey(
  value: string,
): 'scriptAbsolute' | 'scriptLeaves' | 'scriptNotPlain' | undefined {
  if (value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value)) return 'scriptAbsolute';
  const segments = value.split(/[\\/]/);
  if (segments.includes('..')) return 'scriptLeaves';
  if (!segments.every((segment) => SCRIPT_SEGMENT.test(segment))) return 'scriptNotPlain';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// dispatch

export interface TaskParamsByType {
  backup: BackupParams;
  cleanup: CleanupParams;
  report: ReportParams;
  notification: NotificationParams;
  custom: CustomParams;
}

export { protectedTableNamed } from './protected-tables.js';

export type ParamsValidation<T extends TaskType = TaskType> =
  | { ok: true; params: TaskParamsByType[T] }
  | { ok: false; errors: Record<string, string> };

type SchemaChoice = { schema: z.ZodType } | { field: string; error: string };

/** Picks the schema of a variant type from its discriminator field (with a default), or reports it. */
function pickVariant(
  v: ValidationMessages,
  schemas: Record<string, z.ZodType>,
  field: string,
  value: unknown,
  fallback?: string,
): SchemaChoice {
  const chosen = value === undefined ? fallback : value;
  if (typeof chosen === 'string' && Object.hasOwn(schemas, chosen)) return { schema: schemas[chosen]! };
  const choices = Object.keys(schemas).join(', ');
  return {
    field,
    error:
      value === undefined
        ? v.variantRequired(field, choices)
        : v.variantInvalid(field, JSON.stringify(value), choices),
  };
}

function schemaFor(v: ValidationMessages, type: TaskType, params: Record<string, unknown>): SchemaChoice {
  switch (type) {
    case 'backup':
      return { schema: backupParamsSchema };
    case 'report':
      return { schema: reportParamsSchema };
    case 'cleanup':
      // `older_than` is the default mode: tasks written before modes existed keep working.
      return pickVariant(v, cleanupSchemas, 'mode', params.mode, 'older_than');
    case 'notification':
      return pickVariant(v, notificationSchemas, 'query', params.query);
    case 'custom':
      return pickVariant(v, customSchemas, 'kind', params.kind);
  }
}

/** What parameter validation needs from outside the params themselves. */
export interface TaskParamsOptions {
  /**
   * chronops's own tables (store/chronops-tables.ts): a clean-up naming one is refused. Unqualified
   * entries are refused in any schema, since a pure check cannot see which schema they resolve to; the
   * executor checks again by catalog identity before running.
   */
  readonly protectedTables?: readonly string[] | undefined;
  /**
   * The language of the errors, those of the schemas included. Default en.
   */
  readonly locale?: Locale | undefined;
}

/**
 * Validates and normalises (defaults filled, identifiers lower-cased) the params of a task of `type`
 * created from `template` (a template id, a system task key, or null). Errors are keyed by parameter
 * name (`template` when the template does not make tasks of this type), one message per field. A
 * clean-up of one of `options.protectedTables` is refused on its `table` field.
 */
export function validateTaskParams<T extends TaskType>(
  type: T,
  template: string | null | undefined,
  params: unknown,
  options: TaskParamsOptions = {},
): ParamsValidation<T> {
  const v = validationMessagesFor(options.locale ?? 'en');
  if (template !== null && template !== undefined && template !== '') {
    const templateType = templateTaskType(template);
    if (!templateType) return { ok: false, errors: { template: v.unknownTemplate(template) } };
    if (templateType !== type) {
      return {
        ok: false,
        errors: { template: v.templateType(template, templateType, type) },
      };
    }
  }
  const raw = params ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: { params: v.paramsObject } };
  }
  const choice = schemaFor(v, type, raw as Record<string, unknown>);
  if ('error' in choice) return { ok: false, errors: { [choice.field]: choice.error } };
  const parsed = choice.schema.safeParse(raw);
  if (parsed.success) {
    const refused =
      type === 'cleanup' ? protectedTableError(v, parsed.data, options.protectedTables ?? []) : undefined;
    if (refused) return { ok: false, errors: { table: refused } };
    return { ok: true, params: parsed.data as TaskParamsByType[T] };
  }
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors[key] ??= v.notAParameter(key, type);
      continue;
    }
    const field = String(issue.path[0] ?? 'params');
    const message = renderParamError(issue.message, options.locale ?? 'en');
    errors[field] ??=
      message.startsWith(`${field}:`) || message.startsWith(`${field} :`) ? message : `${field}: ${message}`;
  }
  return { ok: false, errors };
}

/**
 * Like validateTaskParams, for executors: returns the typed params or throws AppError('invalid_params')
 * naming the first bad field, before anything runs.
 */
export function requireTaskParams<T extends TaskType>(
  type: T,
  template: string | null | undefined,
  params: unknown,
): TaskParamsByType[T] {
  const result = validateTaskParams(type, template, params);
  if (result.ok) return result.params;
  const [field, message] = Object.entries(result.errors)[0] ?? ['params', 'params: invalid.'];
  throw new AppError('invalid_params', message, field);
}
