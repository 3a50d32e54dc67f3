// @ts-check
// Modals: the top view of the stack (views.open/push/update), its submission and its closing.
import { call } from './api.js';
import { $ } from './dom.js';
import { escapeHtml } from './mrkdwn.js';
import { renderBlocks } from './render.js';
import { context, data, ui } from './state.js';
import { focusedKey, isEmpty, restoreInputs, snapshotInputs, viewState } from './view-state.js';

const REQUIRED_MESSAGE = 'Please complete this required field.';

/** The top modal, or nothing; what was typed survives a views.update of the same view. */
export function renderModal() {
  const root = $('#modal-root');
  const modals = data().modals;
  const top = modals[modals.length - 1];
  if (!top) {
    root.hidden = true;
    root.innerHTML = '';
    ui.rendered.modal = '';
    return;
  }
  const errors = { ...top.errors, ...(ui.localErrors[top.id] ?? {}) };
  const key = `${top.id}|${top.hash}|${JSON.stringify(errors)}|${modals.length}`;
  if (key === ui.rendered.modal) return;
  const sameView = ui.rendered.modal.startsWith(`${top.id}|`);
  const snapshot = sameView ? snapshotInputs(root) : undefined;
  const focused = sameView ? focusedKey() : undefined;
  const ctx = context('modal', 'modal', { kind: 'view', viewId: top.id }, errors);
  const back =
    modals.length > 1
      ? '<button type="button" class="btn back" data-modal="back" aria-label="Back">←</button>'
      : '';
  root.innerHTML = `<div class="modal-backdrop"></div>
    <section class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" data-view-id="${escapeHtml(top.id)}" data-callback-id="${escapeHtml(top.callback_id ?? '')}">
      <header>${back}<h2 id="modal-title">${escapeHtml(top.title?.text ?? '')}</h2>
        <button type="button" class="btn close-x" data-modal="close" aria-label="Close">✕</button></header>
      <div class="modal-body">${renderBlocks(top.blocks, ctx)}</div>
      <footer>
        <button type="button" class="btn" data-modal="close">${escapeHtml(top.close?.text ?? 'Cancel')}</button>
        ${top.submit ? `<button type="button" class="btn btn-primary" data-modal="submit">${escapeHtml(top.submit.text)}</button>` : ''}
      </footer>
    </section>`;
  root.hidden = false;
  ui.rendered.modal = key;
  if (snapshot) restoreInputs(root, snapshot, focused);
}

export function hasModal() {
  return (ui.data?.modals.length ?? 0) > 0;
}

/**
 * Sends view_submission for the top modal. Returns whether it was sent (the caller then re-reads the
 * state); like Slack's client, required inputs left empty are flagged here and nothing is sent.
 */
export async function submitModal() {
  const root = $('#modal-root');
  const modals = data().modals;
  const view = modals[modals.length - 1];
  if (!view) return false;
  const values = viewState(root);
  /** @type {Record<string, string>} */
  const missing = {};
  for (const node of root.querySelectorAll('.block.input[data-optional="false"]')) {
    const blockId = /** @type {HTMLElement} */ (node).dataset.blockId ?? '';
    const blockValues = values[blockId];
    const value = blockValues && Object.values(blockValues)[0];
    if (!value || isEmpty(value)) missing[blockId] = REQUIRED_MESSAGE;
  }
  ui.localErrors[view.id] = missing;
  if (Object.keys(missing).length > 0) {
    renderModal();
    return false;
  }
  const button = /** @type {HTMLButtonElement | null} */ (root.querySelector('[data-modal="submit"]'));
  if (button) {
    button.disabled = true;
    button.textContent = 'Submitting…';
  }
  await call('submit', { viewId: view.id, values });
  // Render again even if nothing changed (the submit button is back), keeping what was typed.
  ui.rendered.modal = `${view.id}|submitted`;
  return true;
}

/** Sends view_closed for the top modal. Returns whether there was one. */
export async function closeModal() {
  const modals = data().modals;
  const view = modals[modals.length - 1];
  if (!view) return false;
  await call('close', { viewId: view.id, values: viewState($('#modal-root')) });
  return true;
}
