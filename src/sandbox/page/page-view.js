// @ts-check
// What the page shows: reading the workspace again, and rendering every region from it.
import { fetchState } from './api.js';
import { renderAppMessages, renderChannel, renderThread } from './channel.js';
import { $ } from './dom.js';
import { renderHome } from './home.js';
import { renderModal } from './modal.js';
import { renderProblems, renderSidebar } from './sidebar.js';
import { data, publicChannels, ui } from './state.js';

/** @typedef {import('./state.js').View} View */

const SEEN_KEY = 'sandbox.seen';

export function render() {
  if (!ui.data) return;
  const view = ui.view;
  const channel = view.kind === 'channel' ? ui.data.channels.find((c) => c.id === view.id) : undefined;
  if (channel) ui.seen[channel.id] = channel.messages.length;
  localStorage.setItem(SEEN_KEY, JSON.stringify(ui.seen));
  renderSidebar();
  renderMain();
  renderThread();
  renderModal();
  renderProblems();
}

/** The main column: a channel, or the app with its Home and Messages tabs. */
function renderMain() {
  const view = ui.view;
  if (view.kind === 'channel') {
    const channel = data().channels.find((c) => c.id === view.id) ?? publicChannels()[0];
    if (channel) renderChannel(channel);
    return;
  }
  const tab = view.tab;
  $('#main-header').innerHTML = `<h2><span class="app-dot"></span> chronops</h2>
    <div class="tabs" role="tablist">
      <button type="button" role="tab" class="tab${tab === 'home' ? ' active' : ''}" data-tab="home" aria-selected="${tab === 'home'}">Home</button>
      <button type="button" role="tab" class="tab${tab === 'messages' ? ' active' : ''}" data-tab="messages" aria-selected="${tab === 'messages'}">Messages</button>
    </div>`;
  if (tab === 'home') renderHome();
  else renderAppMessages();
}

let fetching = false;
let fetchAgain = false;
/** Reads the workspace again and renders it; calls made meanwhile are folded into one more read. */
export async function refresh() {
  if (fetching) {
    fetchAgain = true;
    return;
  }
  fetching = true;
  try {
    const state = await fetchState(ui.me);
    if (state) {
      ui.data = state;
      render();
    }
  } finally {
    fetching = false;
    if (fetchAgain) {
      fetchAgain = false;
      void refresh();
    }
  }
}

/** Unread counts as left at the last visit. */
export function loadSeen() {
  try {
    ui.seen = JSON.parse(localStorage.getItem(SEEN_KEY) ?? '{}');
  } catch {
    ui.seen = {};
  }
}
