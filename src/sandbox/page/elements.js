// @ts-check
// Using Block Kit elements: the block_actions payload of a used element, and overflow menus.
import { call } from './api.js';
import { confirmFirst } from './confirm.js';
import { $, closest } from './dom.js';
import { escapeHtml } from './mrkdwn.js';
import { stateValue, viewState } from './view-state.js';

/** @typedef {import('./types.js').RegisteredEntry} RegisteredEntry */

/**
 * The action of block_actions for a used element, as Slack sends it.
 * @param {HTMLElement} dom
 * @param {RegisteredEntry} entry
 * @param {Record<string, unknown>} [extra] What the use adds (an overflow's selected_option).
 */
function actionPayload(dom, entry, extra = {}) {
  const element = entry.element;
  const base = { type: element.type, action_id: element.action_id, block_id: entry.blockId };
  if (element.type === 'button')
    return {
      ...base,
      text: element.text,
      ...(element.value !== undefined ? { value: element.value } : {}),
      ...(element.style ? { style: element.style } : {}),
    };
  if (element.type === 'overflow') return { ...base, ...extra };
  const { type: _type, ...value } = stateValue(dom, entry);
  return { ...base, ...value };
}

/**
 * Sends block_actions for a used element, with the modal's state when it is in one.
 * @param {HTMLElement} dom
 * @param {RegisteredEntry} entry
 * @param {Record<string, unknown>} [extra]
 */
export async function dispatchAction(dom, entry, extra) {
  const action = actionPayload(dom, entry, extra);
  const values = entry.region === 'modal' ? viewState($('#modal-root')) : {};
  await call('action', { source: entry.source, action, values });
}

/**
 * An overflow's menu under its button; choosing an option sends it (after its confirm, if any).
 * @param {HTMLElement} button
 * @param {RegisteredEntry} entry
 */
export function openOverflow(button, entry) {
  closeMenus();
  const options = entry.element.options ?? [];
  const menu = document.createElement('div');
  menu.className = 'menu';
  menu.setAttribute('role', 'menu');
  menu.innerHTML = options
    .map(
      (option, index) =>
        `<button type="button" role="menuitem" class="menu-item" data-option="${index}">${escapeHtml(option.text?.text ?? '')}</button>`,
    )
    .join('');
  const rect = button.getBoundingClientRect();
  menu.style.top = `${rect.bottom + window.scrollY + 4}px`;
  menu.style.left = `${Math.max(8, rect.right - 220)}px`;
  menu.addEventListener('click', async (event) => {
    const item = closest(event.target, '[data-option]');
    const option = item && options[Number(item.dataset.option)];
    if (!option) return;
    closeMenus();
    if (await confirmFirst(option.confirm ?? entry.element.confirm))
      await dispatchAction(button, entry, { selected_option: option });
  });
  document.body.append(menu);
}

export function closeMenus() {
  for (const menu of document.querySelectorAll('.menu')) menu.remove();
}
