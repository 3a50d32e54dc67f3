// @ts-check
// Slack's confirmation dialog (an element's `confirm` object), shown above everything else.
import { $, closest } from './dom.js';
import { escapeHtml, renderMrkdwn } from './mrkdwn.js';
import { md } from './state.js';

/**
 * Asks first when the element has a confirm object. Resolves true to go ahead.
 * @param {import('./types.js').Confirm | undefined} confirm
 * @returns {Promise<boolean>}
 */
export function confirmFirst(confirm) {
  if (!confirm) return Promise.resolve(true);
  return new Promise((resolve) => {
    const root = $('#confirm-root');
    const danger = confirm.style === 'danger';
    root.innerHTML = `<div class="modal-backdrop"></div>
      <section class="modal confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title">
        <header><h2 id="confirm-title">${escapeHtml(confirm.title?.text ?? 'Are you sure?')}</h2></header>
        <div class="modal-body">${renderMrkdwn(confirm.text?.text ?? '', md())}</div>
        <footer><button type="button" class="btn" data-confirm="no">${escapeHtml(confirm.deny?.text ?? 'Cancel')}</button>
        <button type="button" class="btn ${danger ? 'btn-danger' : 'btn-primary'}" data-confirm="yes">${escapeHtml(confirm.confirm?.text ?? 'Yes')}</button></footer>
      </section>`;
    root.hidden = false;
    root.onclick = (event) => {
      const answer = closest(event.target, '[data-confirm]')?.dataset.confirm;
      if (!answer) return;
      root.hidden = true;
      root.innerHTML = '';
      resolve(answer === 'yes');
    };
  });
}

/** Whether the confirmation dialog is open (Escape then closes it, not the modal below). */
export function confirmOpen() {
  return !$('#confirm-root').hidden;
}
