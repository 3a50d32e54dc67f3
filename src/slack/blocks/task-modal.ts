import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { context, mrkdwn, option, plain, section } from '../../blockkit/kit.js';
import { SLACK_LIMITS } from '../../blockkit/limits.js';
import { codeBlock, truncateText } from '../../blockkit/mrkdwn.js';
import { MISFIRE_POLICIES, OVERLAP_POLICIES, TASK_TYPES } from '../../domain/task-types.js';
import { fitsTextInput, paramText } from '../long-text-fields.js';
import { PARAM_FIELDS, type ParamField } from '../param-fields.js';
import type { TaskForm, TaskModalMeta } from '../task-form.js';
import { encodeMeta } from '../task-form.js';
import { ACTION, BLOCK, CALLBACK, cronBlockId, paramBlockId } from './ids.js';
import type { Ui } from './ui.js';

/** The common frequencies offered as presets, in the order shown. */
export const CRON_PRESETS: ReadonlyArray<{ id: string; cron: string }> = [
  { id: 'daily_0200', cron: '0 2 * * *' },
  { id: 'every_6h', cron: '0 */6 * * *' },
  { id: 'weekly_sunday', cron: '0 3 * * 0' },
  { id: 'monthly_first', cron: '0 4 1 * *' },
  { id: 'every_5m', cron: '*/5 * * * *' },
];

function input(
  blockId: string,
  label: string,
  element: InputBlock['element'],
  extra: Partial<InputBlock> = {},
): InputBlock {
  return { type: 'input', block_id: blockId, label: plain(label, 2000), element, ...extra };
}

function textInput(
  actionId: string,
  value: string,
  options: { multiline?: boolean; maxLength?: number } = {},
) {
  return {
    type: 'plain_text_input' as const,
    action_id: actionId,
    // Never cut: a value longer than the input takes is shown read-only instead (paramBlocks), and the
    // other fields' values are validated to their max_length before they are saved.
    ...(value !== '' ? { initial_value: value } : {}),
    ...(options.multiline ? { multiline: true } : {}),
    ...(options.maxLength ? { max_length: options.maxLength } : {}),
  };
}

function select(actionId: string, options: PlainTextOption[], selected: string | undefined) {
  const initial = options.find((candidate) => candidate.value === selected);
  return {
    type: 'static_select' as const,
    action_id: actionId,
    options: options.slice(0, SLACK_LIMITS.selectOptions),
    ...(initial ? { initial_option: initial } : {}),
  };
}

/**
 * A text parameter too long for a plain_text_input (long-text-fields.ts): its beginning in a section and
 * a note saying it is kept as it is and how to change it, instead of an input that would cut it.
 */
function readOnlyParam(form: TaskForm, field: ParamField, text: string, ui: Ui): KnownBlock[] {
  const { m, locale } = ui;
  const label = m.modal.paramLabels[field.key] ?? field.key;
  const chars = Array.from(text).length.toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-US');
  return [
    section(`*${label}* · ${m.modal.longTextReadOnly(chars)}\n${excerptBlock(text)}`, {
      block_id: paramBlockId(form.type, field.key),
    }),
    context([m.modal.longTextHowToChange]),
  ];
}

/** Characters of a read-only parameter shown at most; fewer when escaping lengthens them. */
const LONG_TEXT_EXCERPT = 1500;

/** The beginning of `text` as a code block short enough, escaped, for a section with its label. */
function excerptBlock(text: string): string {
  let length = LONG_TEXT_EXCERPT;
  let block = codeBlock(truncateText(text, length));
  while (block.length > SLACK_LIMITS.sectionText - 400 && length > 100) {
    length = Math.floor(length * 0.8);
    block = codeBlock(truncateText(text, length));
  }
  return block;
}

function paramBlocks(form: TaskForm, field: ParamField, ui: Ui): KnownBlock[] {
  const value = form.params[field.key];
  const text = paramText(value);
  const textual = field.kind === 'text' || field.kind === 'multiline' || field.kind === 'json';
  if (textual && !fitsTextInput(text)) return readOnlyParam(form, field, text, ui);
  return [paramInput(form, field, ui)];
}

function paramInput(form: TaskForm, field: ParamField, ui: Ui): InputBlock {
  const { m } = ui;
  const value = form.params[field.key];
  const label = m.modal.paramLabels[field.key] ?? field.key;
  const hintText = [
    field.when ? `${field.when.field}: ${field.when.values.join(', ')}` : undefined,
    m.modal.paramHints[field.key],
  ]
    .filter(Boolean)
    .join(' · ');
  const hint = hintText ? { hint: plain(hintText) } : {};
  const blockId = paramBlockId(form.type, field.key);
  const actionId = ACTION.paramInput;
  const asText = paramText(value);
  switch (field.kind) {
    case 'number':
      return input(
        blockId,
        label,
        {
          type: 'number_input',
          action_id: actionId,
          is_decimal_allowed: false,
          ...(typeof value === 'number' ? { initial_value: String(value) } : {}),
        },
        { optional: true, ...hint },
      );
    case 'select':
      return input(
        blockId,
        label,
        select(
          actionId,
          (field.options ?? []).map((o) => option(o, o)),
          typeof value === 'string' ? value : undefined,
        ),
        { optional: true, ...hint },
      );
    case 'multiselect': {
      const options = (field.options ?? []).map((o) => option(o, o));
      const chosen = Array.isArray(value) ? options.filter((o) => value.includes(o.value)) : [];
      return input(
        blockId,
        label,
        {
          type: 'multi_static_select',
          action_id: actionId,
          options,
          ...(chosen.length > 0 ? { initial_options: chosen } : {}),
        },
        { optional: true, ...hint },
      );
    }
    case 'boolean': {
      const yes = option(m.modal.yes, 'true');
      return input(
        blockId,
        label,
        {
          type: 'checkboxes',
          action_id: actionId,
          options: [yes],
          ...(value === true ? { initial_options: [yes] } : {}),
        },
        { optional: true, ...hint },
      );
    }
    default:
      return input(blockId, label, textInput(actionId, asText, { multiline: field.kind === 'multiline' }), {
        optional: true,
        ...hint,
      });
  }
}

/**
 * The create/edit modal. `preview` is the mrkdwn of the live cron preview (see cron-preview.ts).
 * Every input's block_id comes from ids.ts so that submission errors land next to their field.
 *
 * Stays whole: the modal's blocks in display order; each is a call to the kit.
 */
export function buildTaskModal(form: TaskForm, meta: TaskModalMeta, preview: string, ui: Ui): ModalView {
  const { m } = ui;
  const typeOptions = TASK_TYPES.map((type) => option(m.modal.types[type] ?? type, type));
  const blocks: KnownBlock[] = [
    input(BLOCK.name, m.modal.name, textInput(ACTION.nameInput, form.name, { maxLength: 80 })),
    input(
      BLOCK.description,
      m.modal.description,
      textInput(ACTION.descriptionInput, form.description, { multiline: true, maxLength: 2000 }),
      {
        optional: true,
      },
    ),
    input(BLOCK.type, m.modal.type, select(ACTION.typeSelect, typeOptions, form.type), {
      dispatch_action: true,
    }),
    section(`*${m.modal.paramsHeader}*`, { block_id: BLOCK.paramsHeader }),
    ...PARAM_FIELDS[form.type].flatMap((field) => paramBlocks(form, field, ui)),
    section(`*${m.modal.preset}*`, {
      block_id: BLOCK.preset,
      accessory: {
        type: 'static_select',
        action_id: ACTION.presetSelect,
        placeholder: plain(m.modal.presetPlaceholder, 150),
        options: CRON_PRESETS.map((preset) => option(m.modal.presets[preset.id] ?? preset.id, preset.id)),
      },
    }),
    input(
      cronBlockId(meta.r),
      m.modal.cron,
      {
        ...textInput(ACTION.cronInput, form.cron, { maxLength: 200 }),
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed', 'on_character_entered'] },
      },
      { dispatch_action: true, hint: plain(m.modal.cronHint) },
    ),
    { type: 'section', block_id: BLOCK.preview, text: mrkdwn(preview) },
    // Dispatches like the cron field: the preview's runs and DST remarks depend on the zone.
    input(
      BLOCK.timezone,
      m.modal.timezone,
      {
        ...textInput(ACTION.timezoneInput, form.timezone, { maxLength: 64 }),
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed', 'on_character_entered'] },
      },
      { dispatch_action: true },
    ),
    input(BLOCK.timeout, m.modal.timeout, {
      type: 'number_input',
      action_id: ACTION.timeoutInput,
      is_decimal_allowed: false,
      ...(form.timeoutSeconds !== '' ? { initial_value: form.timeoutSeconds } : {}),
    }),
    input(
      BLOCK.retries,
      m.modal.retries,
      select(
        ACTION.retriesSelect,
        ['0', '1', '2', '3'].map((n) => option(n, n)),
        form.maxRetries,
      ),
    ),
    input(
      BLOCK.overlap,
      m.modal.overlap,
      select(
        ACTION.overlapSelect,
        OVERLAP_POLICIES.map((p) => option(m.modal.overlapOptions[p] ?? p, p)),
        form.overlapPolicy,
      ),
    ),
    input(
      BLOCK.misfire,
      m.modal.misfire,
      select(
        ACTION.misfireSelect,
        MISFIRE_POLICIES.map((p) => option(m.modal.misfireOptions[p] ?? p, p)),
        form.misfirePolicy,
      ),
    ),
    input(
      BLOCK.alertChannel,
      m.modal.alertChannel,
      {
        type: 'conversations_select',
        action_id: ACTION.alertChannelSelect,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(form.alertChannel ? { initial_conversation: form.alertChannel } : {}),
      },
      { optional: true },
    ),
    input(
      BLOCK.notify,
      m.modal.notify,
      {
        type: 'checkboxes',
        action_id: ACTION.notifyCheckbox,
        options: [option(m.modal.notifyOnSuccess, 'success')],
        ...(form.notifyOnSuccess ? { initial_options: [option(m.modal.notifyOnSuccess, 'success')] } : {}),
      },
      { optional: true },
    ),
  ];
  if (form.template) blocks.push(context([`template: \`${form.template}\``]));
  return {
    type: 'modal',
    callback_id: CALLBACK.taskModal,
    title: plain(meta.t ? m.modal.editTitle : m.modal.createTitle, SLACK_LIMITS.modalTitle),
    submit: plain(m.modal.submit, SLACK_LIMITS.modalTitle),
    close: plain(m.modal.close, SLACK_LIMITS.modalTitle),
    private_metadata: encodeMeta(meta),
    blocks,
  };
}
