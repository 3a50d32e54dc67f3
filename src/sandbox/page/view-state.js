// @ts-check
// Element state as Slack reports it in block_actions and view_submission (view.state.values), read
// from the rendered inputs, and kept across a views.update as Slack's client keeps it.
import { optionsOf } from './render.js';
import { entryOf } from './state.js';

/** @typedef {import('./types.js').BlockOption} BlockOption */
/** @typedef {import('./types.js').RegisteredEntry} RegisteredEntry */
/** @typedef {import('./types.js').StateValue} StateValue */
/** @typedef {import('./types.js').StateValues} StateValues */
/** @typedef {Map<string, StateValue>} InputSnapshot */
/** @typedef {{ key: string, start: number | null, end: number | null }} FocusedInput */

/** An input, select or textarea: the rendered element of a value-carrying Block Kit element. */
/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} ValueElement */

/** @param {HTMLElement} dom */
const inputValue = (dom) => /** @type {ValueElement} */ (dom).value;

/** @param {RegisteredEntry} entry */
const keyOf = (entry) => `${entry.blockId}\u0001${entry.element.action_id}`;

/**
 * @param {HTMLElement} dom
 * @param {RegisteredEntry} entry
 * @returns {BlockOption[]}
 */
function selectedOptions(dom, entry) {
  const options = optionsOf(entry.element);
  /** @type {(option: BlockOption | undefined) => option is BlockOption} */
  const present = (option) => option !== undefined;
  if (dom instanceof HTMLSelectElement)
    return [...dom.selectedOptions]
      .filter((o) => o.value !== '')
      .map((o) => options[Number(o.value)])
      .filter(present);
  return [...dom.querySelectorAll('input:checked')]
    .map((input) => entry.element.options?.[Number(/** @type {HTMLInputElement} */ (input).value)])
    .filter(present);
}

/**
 * The state value of one element (Slack's view.state.values[block][action]).
 * @param {HTMLElement} dom
 * @param {RegisteredEntry} entry
 * @returns {StateValue}
 */
export function stateValue(dom, entry) {
  const type = entry.element.type;
  const value = () => inputValue(dom) || null;
  switch (type) {
    case 'plain_text_input':
    case 'number_input':
      return { type, value: value() };
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: selectedOptions(dom, entry)[0] ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: selectedOptions(dom, entry) };
    case 'conversations_select':
      return { type, selected_conversation: value() };
    case 'channels_select':
      return { type, selected_channel: value() };
    case 'users_select':
      return { type, selected_user: value() };
    case 'datepicker':
      return { type, selected_date: value() };
    case 'timepicker':
      return { type, selected_time: value() };
    default:
      return { type };
  }
}

/**
 * Whether a required input was left empty.
 * @param {StateValue} value
 */
export function isEmpty(value) {
  if ('value' in value) return value.value == null || value.value.trim() === '';
  if ('selected_options' in value) return (value.selected_options ?? []).length === 0;
  const key = selectedKey(value);
  return key ? value[key] === null : false;
}

/**
 * The `selected_…` field of a single-choice value.
 * @param {StateValue} value
 * @returns {Exclude<keyof StateValue, 'type' | 'value' | 'selected_option' | 'selected_options'> | undefined}
 */
function selectedKey(value) {
  const key = Object.keys(value).find((k) => k.startsWith('selected_'));
  return /** @type {any} */ (key);
}

/**
 * view.state.values of the inputs under `root`.
 * @param {HTMLElement} root
 * @returns {StateValues}
 */
export function viewState(root) {
  /** @type {StateValues} */
  const values = {};
  for (const dom of root.querySelectorAll('[data-input]')) {
    const entry = entryOf(/** @type {HTMLElement} */ (dom));
    if (!entry) continue;
    const blockId = entry.blockId ?? '';
    const block = values[blockId] ?? {};
    values[blockId] = block;
    block[entry.element.action_id ?? ''] = stateValue(/** @type {HTMLElement} */ (dom), entry);
  }
  return values;
}

/**
 * What the inputs under `root` hold, by block and action id.
 * @param {HTMLElement} root
 * @returns {InputSnapshot}
 */
export function snapshotInputs(root) {
  /** @type {InputSnapshot} */
  const snapshot = new Map();
  for (const dom of root.querySelectorAll('[data-input]')) {
    const entry = entryOf(/** @type {HTMLElement} */ (dom));
    if (entry) snapshot.set(keyOf(entry), stateValue(/** @type {HTMLElement} */ (dom), entry));
  }
  return snapshot;
}

/** @returns {FocusedInput | undefined} */
export function focusedKey() {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !active.dataset.el) return undefined;
  const entry = entryOf(active);
  if (!entry) return undefined;
  const text = /** @type {HTMLInputElement} */ (active);
  return { key: keyOf(entry), start: text.selectionStart ?? null, end: text.selectionEnd ?? null };
}

/**
 * Slack keeps what was typed in an input whose block_id and action_id survive a views.update.
 * @param {HTMLElement} root
 * @param {InputSnapshot} snapshot
 * @param {FocusedInput | undefined} focused
 */
export function restoreInputs(root, snapshot, focused) {
  for (const node of root.querySelectorAll('[data-input]')) {
    const dom = /** @type {HTMLElement} */ (node);
    const entry = entryOf(dom);
    const key = entry && keyOf(entry);
    const value = key && snapshot.get(key);
    if (!entry || !value || value.type !== entry.element.type) continue;
    restoreValue(dom, entry, value);
    if (focused && focused.key === key) {
      dom.focus();
      const text = /** @type {HTMLInputElement} */ (dom);
      if (typeof focused.start === 'number' && text.setSelectionRange)
        text.setSelectionRange(focused.start, focused.end);
    }
  }
}

/**
 * @param {HTMLElement} dom
 * @param {RegisteredEntry} entry
 * @param {StateValue} value
 */
function restoreValue(dom, entry, value) {
  if ('value' in value) {
    /** @type {ValueElement} */ (dom).value = value.value ?? '';
    return;
  }
  if ('selected_option' in value || 'selected_options' in value) {
    const picked = value.selected_options ?? (value.selected_option ? [value.selected_option] : []);
    const chosen = new Set(picked.map((o) => o.value));
    const options = optionsOf(entry.element);
    if (dom instanceof HTMLSelectElement)
      for (const o of dom.options) o.selected = o.value !== '' && chosen.has(options[Number(o.value)]?.value);
    else
      for (const input of dom.querySelectorAll('input'))
        input.checked = chosen.has(entry.element.options?.[Number(input.value)]?.value);
    return;
  }
  const key = selectedKey(value);
  if (key) /** @type {ValueElement} */ (dom).value = value[key] ?? '';
}
