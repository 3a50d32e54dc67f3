// @ts-check
// The sidebar (who is acting, channels with unread counts, the app) and the problems box.
import { $ } from './dom.js';
import { escapeHtml } from './mrkdwn.js';
import { data, publicChannels, ui } from './state.js';

/**
 * @param {string} id
 * @param {string} label HTML
 * @param {boolean} active
 * @param {number} unread
 */
function navItem(id, label, active, unread) {
  return `<button type="button" class="nav-item${active ? ' active' : ''}" data-nav="${escapeHtml(id)}">${label}${
    unread > 0 ? `<span class="badge" aria-label="${unread} unread">${unread}</span>` : ''
  }</button>`;
}

export function renderSidebar() {
  const users = data()
    .users.map(
      (user) =>
        `<option value="${escapeHtml(user.id)}" ${user.id === ui.me ? 'selected' : ''}>${escapeHtml(user.realName)}</option>`,
    )
    .join('');
  const channels = publicChannels()
    .map((c) =>
      navItem(
        c.id,
        `# ${escapeHtml(c.name)}`,
        ui.view.kind === 'channel' && ui.view.id === c.id,
        c.messages.length - (ui.seen[c.id] ?? 0),
      ),
    )
    .join('');
  const html = `
    <div class="workspace">chronops sandbox</div>
    <label class="whoami">Acting as
      <select id="user-switch" aria-label="Acting as">${users}</select>
    </label>
    <div class="nav-title">Channels</div>${channels}
    <div class="nav-title">Apps</div>${navItem('app', '<span class="app-dot"></span> chronops', ui.view.kind === 'app', 0)}`;
  if (html !== ui.rendered.sidebar) {
    $('#sidebar').innerHTML = html;
    ui.rendered.sidebar = html;
  }
}

/** What Slack would have refused, or what failed in the app: a sandbox must not fail silently. */
export function renderProblems() {
  const problems = data().problems;
  $('#problems').hidden = problems.length === 0;
  $('#problems-list').innerHTML = problems
    .slice(-5)
    .map(
      (problem) =>
        `<li><time>${new Date(problem.atMs).toLocaleTimeString()}</time> ${escapeHtml(problem.text)}</li>`,
    )
    .join('');
}
