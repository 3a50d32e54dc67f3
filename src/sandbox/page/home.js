// @ts-check
// The app's Home tab: the view the bot published with views.publish, or a wait while it is opened.
import { $, setRegion } from './dom.js';
import { escapeHtml } from './mrkdwn.js';
import { renderBlocks } from './render.js';
import { context, data } from './state.js';

export function renderHome() {
  $('#composer').hidden = true;
  const home = data().home;
  const html = home
    ? `<div class="home" data-view-id="${escapeHtml(home.id)}">${renderBlocks(home.blocks, context('main', 'home', { kind: 'view', viewId: home.id }))}</div>`
    : '<div class="empty">Opening the App Home…</div>';
  setRegion($('#main-content'), 'main', html);
}
