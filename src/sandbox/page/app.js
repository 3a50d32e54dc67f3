// @ts-check
// The sandbox page: a Slack-like client for one workspace and one app. It reads the workspace from
// /sandbox/state, re-reads it whenever /sandbox/stream says something changed, and turns what the person
// does into calls the sandbox server relays to the app as Slack would (commands, block_actions,
// view_submission, view_closed, app_home_opened). This module only wires the page's events to the
// modules that handle them, from start(), which index.html calls.
import { call, fetchCommands, openStream } from './api.js';
import { renderThread } from './channel.js';
import { fillSuggestion, onComposerInput, onComposerKey } from './composer.js';
import { confirmFirst, confirmOpen } from './confirm.js';
import { $, closest } from './dom.js';
import { closeMenus, dispatchAction, openOverflow } from './elements.js';
import { closeModal, hasModal, submitModal } from './modal.js';
import { safeLinkUrl } from './mrkdwn.js';
import { loadSeen, refresh, render } from './page-view.js';
import { data, entryOf, ui } from './state.js';

/** @typedef {import('./state.js').View} View */

const USER_KEY = 'sandbox.user';

/** @param {View} view */
function go(view) {
  ui.view = view;
  ui.thread = undefined;
  ui.rendered.main = '';
  render();
  if (view.kind === 'app' && view.tab === 'home') void call('home', {});
}

/**
 * Navigation (sidebar, tabs, channel mentions) and threads; returns whether the click was one of those.
 * @param {EventTarget | null} target
 */
function navigate(target) {
  const nav = closest(target, '[data-nav]');
  if (nav) {
    const id = nav.dataset.nav ?? '';
    go(id === 'app' ? { kind: 'app', tab: 'home' } : { kind: 'channel', id });
    return true;
  }
  const tab = closest(target, '[data-tab]');
  if (tab) {
    go({ kind: 'app', tab: tab.dataset.tab === 'messages' ? 'messages' : 'home' });
    return true;
  }
  const mention = closest(target, '[data-channel-link]')?.dataset.channelLink;
  if (mention && data().channels.some((c) => c.id === mention && c.kind === 'channel')) {
    go({ kind: 'channel', id: mention });
    return true;
  }
  const thread = closest(target, '[data-thread]');
  const channel = thread && closest(thread, '[data-channel]')?.dataset.channel;
  if (thread && channel) {
    ui.thread = { channel, ts: thread.dataset.thread ?? '' };
    renderThread();
    return true;
  }
  if (closest(target, '#thread-close')) {
    ui.thread = undefined;
    renderThread();
    return true;
  }
  return false;
}

/**
 * A click on a button of Block Kit: a button (its confirm first, its url opened) or an overflow.
 * @param {EventTarget | null} target
 */
async function useButton(target) {
  const element = closest(target, 'button[data-el]');
  const entry = element && entryOf(element);
  if (!element || !entry) return;
  if (entry.element.type === 'overflow') return openOverflow(element, entry);
  if (entry.element.type !== 'button') return;
  if (!(await confirmFirst(entry.element.confirm))) return;
  // Only http(s) and mailto: a javascript: URL opened here would run with the sandbox's origin.
  const url = safeLinkUrl(entry.element.url);
  if (url) window.open(url, '_blank', 'noopener');
  const button = /** @type {HTMLButtonElement} */ (element);
  button.disabled = true;
  try {
    await dispatchAction(element, entry);
  } finally {
    button.disabled = false;
  }
}

/** @param {MouseEvent} event */
async function onClick(event) {
  const target = event.target;
  if (!closest(target, '.menu') && !closest(target, '.overflow')) closeMenus();
  if (navigate(target)) return;
  const modalButton = closest(target, '[data-modal]');
  if (modalButton) {
    const done = modalButton.dataset.modal === 'submit' ? await submitModal() : await closeModal();
    if (done) await refresh();
    return;
  }
  const suggestion = closest(target, '[data-fill]');
  if (suggestion) return fillSuggestion(suggestion.dataset.fill ?? '');
  await useButton(target);
}

/** @param {string} user */
async function switchUser(user) {
  ui.me = user;
  localStorage.setItem(USER_KEY, ui.me);
  const url = new URL(location.href);
  url.searchParams.set('user', ui.me);
  history.replaceState(null, '', url);
  ui.rendered = { main: '', thread: '', modal: '', sidebar: '' };
  await refresh();
  if (ui.view.kind === 'app' && ui.view.tab === 'home') void call('home', {});
}

/** @param {Event} event */
async function onChange(event) {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.id === 'user-switch') return switchUser(target.value);
  const dom = closest(target, '[data-el]');
  const entry = dom && entryOf(dom);
  if (!dom || !entry?.dispatch) return;
  // Text is sent on Enter or as typed (dispatch_action_config), not when the field loses focus.
  if (['plain_text_input', 'number_input'].includes(entry.element.type)) return;
  if (!(await confirmFirst(entry.element.confirm))) return;
  await dispatchAction(dom, entry);
}

/** @type {Map<string, ReturnType<typeof setTimeout>>} */
const typingTimers = new Map();
/** @param {Event} event */
function onInput(event) {
  if (event.target instanceof HTMLElement && event.target.id === 'composer-input') return onComposerInput();
  const dom = closest(event.target, '[data-el]');
  const entry = dom && entryOf(dom);
  if (!dom || !entry?.dispatch || !(dom.dataset.triggerOn ?? '').includes('on_character_entered')) return;
  const key = dom.dataset.el ?? '';
  clearTimeout(typingTimers.get(key));
  typingTimers.set(
    key,
    setTimeout(() => void dispatchAction(dom, entry), 250),
  );
}

/** @param {KeyboardEvent} event */
function onKeyDown(event) {
  const target = event.target instanceof HTMLElement ? event.target : undefined;
  if (event.key === 'Escape') {
    closeMenus();
    if (confirmOpen()) return;
    if (hasModal()) void closeModal().then((closed) => (closed ? refresh() : undefined));
    return;
  }
  if (target?.id === 'composer-input') return onComposerKey(event);
  if (event.key !== 'Enter' || !target || target.tagName === 'TEXTAREA') return;
  const dom = closest(target, '[data-el]');
  const entry = dom && entryOf(dom);
  if (!dom || !entry) return;
  event.preventDefault();
  if (entry.dispatch && (dom.dataset.triggerOn ?? '').includes('on_enter_pressed'))
    void dispatchAction(dom, entry);
}

/** @param {SubmitEvent} event */
async function onThreadReply(event) {
  event.preventDefault();
  /** @type {HTMLInputElement} */
  const input = $('#thread-input');
  if (!ui.thread || !input.value.trim()) return;
  await call('message', { channel: ui.thread.channel, text: input.value, threadTs: ui.thread.ts });
  input.value = '';
}

/** Wires the page and shows the workspace; index.html calls it once. */
export async function start() {
  const params = new URLSearchParams(location.search);
  ui.me = params.get('user') ?? localStorage.getItem(USER_KEY) ?? '';
  loadSeen();
  document.addEventListener('click', (event) => void onClick(event));
  document.addEventListener('change', (event) => void onChange(event));
  document.addEventListener('input', onInput);
  document.addEventListener('keydown', onKeyDown);
  $('#thread-form').addEventListener('submit', (event) => void onThreadReply(event));
  ui.commands = await fetchCommands();
  // An unknown or missing user falls back to the workspace's first person (the server says who).
  await refresh();
  ui.me = data().me;
  localStorage.setItem(USER_KEY, ui.me);
  openStream(() => void refresh());
}
