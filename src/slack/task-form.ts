import { parseCron } from '../domain/cron.js';
import { inputErrorText } from '../domain/i18n/input-errors.js';
import { type FieldErrors, type TaskDraft, type TaskInput, validateTaskInput } from '../domain/task.js';
import { validateTaskParams } from '../domain/task-params.js';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_SECONDS,
  type MisfirePolicyName,
  type OverlapPolicy,
  TASK_TYPES,
  type TaskType,
} from '../domain/task-types.js';
import { taskInputFromTemplate } from '../domain/templates.js';
import { CHRONOPS_TABLES } from '../store/chronops-tables.js';
import type { TaskRow } from '../store/schema.js';
import { BLOCK, cronBlockId, paramBlockId } from './blocks/ids.js';
import type { Messages, SlackLocale } from './i18n/index.js';
import { PARAM_FIELDS, relevantParams } from './param-fields.js';

/**
 * The task modal's data, independent of Block Kit: what the form shows (strings as typed), how to read
 * it back from a view's state, and how to validate it into a TaskDraft with errors keyed by block_id.
 */
export interface TaskForm {
  name: string;
  description: string;
  type: TaskType;
  template: string | null;
  params: Record<string, unknown>;
  cron: string;
  timezone: string;
  timeoutSeconds: string;
  maxRetries: string;
  overlapPolicy: OverlapPolicy;
  misfirePolicy: MisfirePolicyName;
  alertChannel: string | null;
  notifyOnSuccess: boolean;
}

/** Kept in the view's private_metadata (short keys: it is limited to 3000 characters). */
export interface TaskModalMeta {
  /** Task id when editing. */
  t?: string;
  /** The version the editor read (optimistic concurrency). */
  v?: number;
  /** Channel the command came from, to announce the change. */
  c?: string;
  /** Revision of the cron block id (see BLOCK.cronPrefix). */
  r: number;
  /** Template the task comes from. */
  tp?: string | null;
  /** The task type the view was rendered with (its params blocks belong to it). */
  ty?: TaskType;
}

export function encodeMeta(meta: TaskModalMeta): string {
  return JSON.stringify(meta);
}

export function decodeMeta(text: string | undefined): TaskModalMeta {
  try {
    const parsed = JSON.parse(text ?? '') as Partial<TaskModalMeta>;
    return { ...parsed, r: typeof parsed.r === 'number' ? parsed.r : 0 };
  } catch {
    return { r: 0 };
  }
}

export function formFromInput(input: TaskInput, defaultTimezone: string): TaskForm {
  return {
    name: input.name,
    description: input.description ?? '',
    type: input.type,
    template: input.template ?? null,
    params: { ...(input.params ?? {}) },
    cron: input.cron,
    timezone: input.timezone ?? defaultTimezone,
    timeoutSeconds: String(input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
    maxRetries: String(input.maxRetries ?? DEFAULT_MAX_RETRIES),
    overlapPolicy: input.overlapPolicy ?? 'skip',
    misfirePolicy: input.misfirePolicy ?? 'run_once',
    alertChannel: input.alertChannel ?? null,
    notifyOnSuccess: input.notifyOnSuccess ?? false,
  };
}

export function formFromTask(task: TaskRow): TaskForm {
  return formFromInput(
    {
      ...task,
      template: task.template,
      params: task.params,
      alertChannel: task.alertChannel,
    },
    task.timezone,
  );
}

/** A blank form, or one filled from a template (`/tasks new backup_database`). */
export function newForm(
  template: string | undefined,
  defaultTimezone: string,
  locale: SlackLocale,
): TaskForm {
  if (template) return formFromInput(taskInputFromTemplate(template, {}, locale), defaultTimezone);
  return formFromInput({ name: '', type: 'backup', cron: '0 2 * * *', params: { keep: 7 } }, defaultTimezone);
}

/** The subset of Bolt's ViewStateValue we read. */
export interface StateValue {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
  selected_conversation?: string | null;
}
export type StateValues = Record<string, Record<string, StateValue>>;

function single(values: StateValues, blockId: string): StateValue | undefined {
  const block = values[blockId];
  return block ? Object.values(block)[0] : undefined;
}

function textOf(value: StateValue | undefined): string | undefined {
  if (!value) return undefined;
  if (value.selected_option !== undefined) return value.selected_option?.value ?? '';
  if (value.selected_conversation !== undefined) return value.selected_conversation ?? '';
  return value.value ?? '';
}

/** The cron block currently in the view (its id carries a revision). */
export function findCronBlockId(values: StateValues): string | undefined {
  return Object.keys(values).find((id) => id.startsWith(BLOCK.cronPrefix) && id !== BLOCK.preview);
}

/**
 * Reads the form back from a view's state. Values not in the state keep `fallback`'s (a field the user
 * never touched is absent from some payloads). Param values are typed per field kind; text that is not
 * a number or not JSON is kept as typed and reported by {@link validateTaskForm}.
 */
export function readTaskForm(values: StateValues, fallback: TaskForm): TaskForm {
  const text = (blockId: string) => textOf(single(values, blockId));
  const typeText = text(BLOCK.type);
  const type = (TASK_TYPES as readonly string[]).includes(typeText ?? '')
    ? (typeText as TaskType)
    : fallback.type;
  const cronId = findCronBlockId(values);
  const params: Record<string, unknown> = type === fallback.type ? { ...fallback.params } : {};
  for (const field of PARAM_FIELDS[type]) {
    const state = single(values, paramBlockId(type, field.key));
    if (!state) continue;
    if (field.kind === 'boolean') params[field.key] = (state.selected_options ?? []).length > 0;
    else if (field.kind === 'multiselect')
      params[field.key] = (state.selected_options ?? []).map((o) => o.value);
    else {
      const raw = (textOf(state) ?? '').trim();
      if (raw === '') delete params[field.key];
      else if (field.kind === 'number') params[field.key] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
      else if (field.kind === 'json') params[field.key] = parseJsonOr(raw);
      else params[field.key] = raw;
    }
  }
  const notify = single(values, BLOCK.notify);
  const channel = text(BLOCK.alertChannel);
  return {
    name: text(BLOCK.name) ?? fallback.name,
    description: text(BLOCK.description) ?? fallback.description,
    type,
    template: fallback.template,
    params,
    cron: (cronId ? text(cronId) : undefined) ?? fallback.cron,
    timezone: text(BLOCK.timezone) ?? fallback.timezone,
    timeoutSeconds: text(BLOCK.timeout) ?? fallback.timeoutSeconds,
    maxRetries: text(BLOCK.retries) ?? fallback.maxRetries,
    overlapPolicy: (text(BLOCK.overlap) as OverlapPolicy | undefined) || fallback.overlapPolicy,
    misfirePolicy: (text(BLOCK.misfire) as MisfirePolicyName | undefined) || fallback.misfirePolicy,
    alertChannel: channel === undefined ? fallback.alertChannel : channel || null,
    notifyOnSuccess: notify ? (notify.selected_options ?? []).length > 0 : fallback.notifyOnSuccess,
  };
}

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const FIELD_BLOCKS: Partial<Record<keyof TaskInput, string>> = {
  name: BLOCK.name,
  description: BLOCK.description,
  type: BLOCK.type,
  template: BLOCK.type,
  timezone: BLOCK.timezone,
  timeoutSeconds: BLOCK.timeout,
  overdueGraceSeconds: BLOCK.timeout,
  maxRetries: BLOCK.retries,
  overlapPolicy: BLOCK.overlap,
  misfirePolicy: BLOCK.misfire,
  alertChannel: BLOCK.alertChannel,
  notifyOnSuccess: BLOCK.notify,
  enabled: BLOCK.name,
};

export type FormValidation = { ok: true; draft: TaskDraft } | { ok: false; errors: Record<string, string> };

/**
 * Validates the form as the domain does (validateTaskInput + validateTaskParams, refusing a clean-up of
 * one of chronops's own tables) and maps every problem to the block_id of the input it concerns, for
 * `response_action: errors`.
 *
 * Stays whole: one check per field, in the modal's order, filling one errors object.
 */
export function validateTaskForm(
  form: TaskForm,
  options: {
    now: Date;
    defaultTimezone: string;
    cronRevision: number;
    m: Messages;
    /** The language of the domain's errors; en when absent. */
    locale?: SlackLocale;
  },
): FormValidation {
  const locale = options.locale ?? 'en';
  const errors: Record<string, string> = {};
  const whole = (value: string, block: string): number | undefined => {
    if (!/^\s*\d+\s*$/.test(value)) {
      errors[block] = options.m.modal.notANumber;
      return undefined;
    }
    return Number(value);
  };
  const timeoutSeconds = whole(form.timeoutSeconds, BLOCK.timeout);
  const maxRetries = whole(form.maxRetries, BLOCK.retries);
  const params = relevantParams(form.type, form.params);
  const input: TaskInput = {
    name: form.name,
    description: form.description,
    type: form.type,
    template: form.template,
    params,
    cron: form.cron,
    timezone: form.timezone,
    timeoutSeconds,
    maxRetries,
    overlapPolicy: form.overlapPolicy,
    misfirePolicy: form.misfirePolicy,
    alertChannel: form.alertChannel,
    notifyOnSuccess: form.notifyOnSuccess,
  };
  const result = validateTaskInput(input, {
    now: options.now,
    defaultTimezone: options.defaultTimezone,
    protectedTables: CHRONOPS_TABLES,
    locale,
  });
  if (!result.ok) {
    for (const [field, message] of Object.entries(result.errors as FieldErrors)) {
      if (!message) continue;
      // Template parameters come back keyed `params.<name>`: show them on that parameter's input.
      const paramKey = field.startsWith('params.') ? field.slice('params.'.length) : undefined;
      const block =
        field === 'cron'
          ? cronBlockId(options.cronRevision)
          : paramKey !== undefined
            ? PARAM_FIELDS[form.type].some((candidate) => candidate.key === paramKey)
              ? paramBlockId(form.type, paramKey)
              : firstParamBlock(form.type)
            : field === 'params'
              ? firstParamBlock(form.type)
              : field === 'template'
                ? BLOCK.type
                : (FIELD_BLOCKS[field as keyof TaskInput] ?? BLOCK.name);
      errors[block] ??= message;
    }
  }
  const cronBlock = cronBlockId(options.cronRevision);
  if (errors[BLOCK.timezone] && !errors[cronBlock]) {
    // The domain skips the cron when the zone is unknown; check it in UTC so both errors show at once.
    try {
      parseCron(form.cron, 'UTC');
    } catch (error) {
      errors[cronBlock] = inputErrorText(error, locale);
    }
  }
  const paramsResult = validateTaskParams(form.type, form.template, params, {
    protectedTables: CHRONOPS_TABLES,
    locale,
  });
  if (!paramsResult.ok) {
    for (const [key, message] of Object.entries(paramsResult.errors)) {
      const known = PARAM_FIELDS[form.type].some((field) => field.key === key);
      const block = known
        ? paramBlockId(form.type, key)
        : key === 'template'
          ? BLOCK.type
          : firstParamBlock(form.type);
      errors[block] ??= message;
    }
  }
  if (Object.keys(errors).length > 0 || !result.ok || !paramsResult.ok) return { ok: false, errors };
  return { ok: true, draft: { ...result.draft, params: paramsResult.params as Record<string, unknown> } };
}

function firstParamBlock(type: TaskType): string {
  const first = PARAM_FIELDS[type][0];
  return first ? paramBlockId(type, first.key) : BLOCK.type;
}
