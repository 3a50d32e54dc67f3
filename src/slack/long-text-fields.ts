import type { TaskType } from '../domain/task-types.js';
import { paramBlockId } from './blocks/ids.js';
import type { Messages } from './i18n/index.js';
import { PARAM_FIELDS, type ParamField } from './param-fields.js';
import type { StateValues, TaskForm } from './task-form.js';

/**
 * A plain_text_input holds at most 3,000 characters: `max_length` may be 1 to 3000
 * (https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element), and Slack
 * refuses a view whose `initial_value` is longer. A task's SQL may be longer (10,000 characters for a
 * notification's query, 100,000 for a custom task: domain/task-params.ts), saved from a template or
 * before the modal existed. Such a parameter cannot be edited in the modal without losing its end, so
 * it is shown read-only and kept as stored when the modal is saved (docs/SLACK.md, "Long text fields").
 */
export const TEXT_INPUT_MAX_LENGTH = 3000;

/** Parameters typed as text (the others are numbers, selects and checkboxes). */
function isTextField(field: ParamField): boolean {
  return field.kind === 'text' || field.kind === 'multiline' || field.kind === 'json';
}

/** A parameter's value as its text input would show it. */
export function paramText(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** Slack counts characters; a UTF-16 length is never smaller, so this errs on the safe side. */
export function fitsTextInput(text: string): boolean {
  return text.length <= TEXT_INPUT_MAX_LENGTH;
}

/** The stored task's content as far as these checks need it. */
export interface StoredParams {
  type: TaskType;
  params: Record<string, unknown>;
}

/**
 * The text parameters the modal showed read-only: the view was rendered for the stored task's type
 * (`renderedType`), the stored value is too long for an input, and the submitted state has no input
 * for it. Only those; a parameter the person could edit is taken from the state as usual.
 */
function readOnlyParams(
  form: TaskForm,
  values: StateValues,
  stored: StoredParams,
  renderedType: TaskType | undefined,
): ParamField[] {
  if (form.type !== stored.type || renderedType !== stored.type) return [];
  return PARAM_FIELDS[form.type].filter(
    (field) =>
      isTextField(field) &&
      !(paramBlockId(form.type, field.key) in values) &&
      !fitsTextInput(paramText(stored.params[field.key])),
  );
}

/** Whether a submitted view may have read-only parameters, so the stored task must be read. */
export function mayHaveReadOnlyParams(form: TaskForm, values: StateValues): boolean {
  return PARAM_FIELDS[form.type].some(
    (field) => isTextField(field) && !(paramBlockId(form.type, field.key) in values),
  );
}

/** Puts the stored values of read-only parameters back into the form read from the view's state. */
export function keepReadOnlyParams(
  form: TaskForm,
  values: StateValues,
  stored: StoredParams,
  renderedType: TaskType | undefined,
): void {
  for (const field of readOnlyParams(form, values, stored, renderedType)) {
    form.params[field.key] = stored.params[field.key];
  }
}

/** The raw text submitted for each text parameter (before readTaskForm trims it). */
function submittedTexts(type: TaskType, values: StateValues): Array<{ field: ParamField; text: string }> {
  return PARAM_FIELDS[type].filter(isTextField).flatMap((field) => {
    const block = values[paramBlockId(type, field.key)];
    const state = block ? Object.values(block)[0] : undefined;
    return typeof state?.value === 'string' ? [{ field, text: state.value }] : [];
  });
}

/** Whether a submission has a text at the input's limit, which may be a cut copy of a longer one. */
export function mayBeTruncated(type: TaskType, values: StateValues): boolean {
  return submittedTexts(type, values).some(({ text }) => !fitsTextInput(`${text}x`));
}

/**
 * Errors, by block id, for text parameters submitted at exactly the input's limit while the stored
 * value is longer and different: a view rendered before long values were shown read-only (or by a
 * client that cut the text) would otherwise save the first 3,000 characters and lose the rest.
 */
export function truncationErrors(
  type: TaskType,
  values: StateValues,
  stored: StoredParams,
  m: Messages,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (type !== stored.type) return errors;
  for (const { field, text } of submittedTexts(type, values)) {
    const saved = paramText(stored.params[field.key]);
    if (fitsTextInput(`${text}x`) || fitsTextInput(saved) || saved === text) continue;
    errors[paramBlockId(type, field.key)] = m.modal.truncatedText(saved.length);
  }
  return errors;
}
