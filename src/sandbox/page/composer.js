// @ts-check
// The message box: sending messages and slash commands, and the `/tasks` suggestions under it
// (arrows to choose, Tab or Enter to complete).
import { call } from './api.js';
import { $ } from './dom.js';
import { escapeHtml } from './mrkdwn.js';
import { appChannel, ui } from './state.js';
import { suggestionsFor } from './suggestions.js';

/** @returns {HTMLTextAreaElement} */
const input = () => $('#composer-input');

export function renderSuggestions() {
  const list = $('#suggestions');
  const items = suggestionsFor(input().value, ui.commands);
  ui.suggestions = items;
  if (ui.suggestionIndex >= items.length) ui.suggestionIndex = -1;
  list.hidden = items.length === 0;
  list.innerHTML = items
    .map(
      (item, index) =>
        `<li role="option" class="suggestion${index === ui.suggestionIndex ? ' active' : ''}" data-fill="${escapeHtml(item.fill)}" aria-selected="${index === ui.suggestionIndex}"><strong>${escapeHtml(item.label)}</strong> <span class="muted">${escapeHtml(item.hint)}</span></li>`,
    )
    .join('');
}

/** Puts a clicked suggestion in the box. @param {string} fill */
export function fillSuggestion(fill) {
  input().value = fill;
  input().focus();
  renderSuggestions();
}

/** What was typed, as a command (`/…`) or a message, into the conversation shown. */
async function send() {
  const box = input();
  const text = box.value.trim();
  if (!text) return;
  const channel = ui.view.kind === 'channel' ? ui.view.id : appChannel().id;
  box.value = '';
  renderSuggestions();
  if (text.startsWith('/')) await call('command', { channel, text });
  else await call('message', { channel, text });
}

/** Typing in the box: suggestions follow the text. */
export function onComposerInput() {
  ui.suggestionIndex = -1;
  renderSuggestions();
}

/**
 * Keys in the box: arrows move in the suggestions, Tab (or Enter on one) completes, Enter sends.
 * @param {KeyboardEvent} event
 */
export function onComposerKey(event) {
  const items = ui.suggestions;
  if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && items.length) {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : -1;
    ui.suggestionIndex = (ui.suggestionIndex + step + items.length) % items.length;
    return renderSuggestions();
  }
  if ((event.key === 'Tab' || (event.key === 'Enter' && ui.suggestionIndex >= 0)) && items.length) {
    event.preventDefault();
    input().value = items[Math.max(0, ui.suggestionIndex)]?.fill ?? '';
    ui.suggestionIndex = -1;
    return renderSuggestions();
  }
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    void send();
  }
}
