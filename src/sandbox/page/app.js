// The sandbox page: a Slack-like client for one workspace and one app. It reads the workspace from
// /sandbox/state, re-reads it whenever /sandbox/stream says something changed, and turns what the person
// does into calls the sandbox server relays to the app as Slack would (commands, block_actions,
// view_submission, view_closed, app_home_opened).
import { escapeHtml, renderMrkdwn, safeLinkUrl } from './mrkdwn.js';
import { optionsOf, renderBlocks } from './render.js';

const COMMANDS = [
  ['help', '', 'What /tasks can do'],
  ['list', '', 'Every task with its status'],
  ['new', '[template]', 'Create a task (optionally from a template)'],
  ['edit', '<task>', 'Edit a task'],
  ['run', '<task>', 'Run a task now'],
  ['pause', '<task> [reason]', 'Pause a task'],
  ['resume', '<task>', 'Resume a paused task'],
  ['delete', '<task>', 'Delete a task (asks for confirmation)'],
  ['logs', '<task>', 'Logs of the last run'],
  ['history', '<task>', 'Recent runs'],
  ['retry', '<execution id>', 'Retry a failed run'],
  ['stats', '', 'Figures for the last 24 h'],
  ['templates', '', 'Task templates'],
  ['why', '<task>', 'Why the last slot did or did not run'],
  ['audit', '<task>', 'Who changed what'],
  ['alerts', '', 'Alerts that could not be delivered, with Redeliver'],
];
const TEMPLATES = [
  'backup_database',
  'cleanup_old_logs',
  'cleanup_rate_limits',
  'generate_daily_report',
  'notify_low_quota',
];
const REQUIRED_MESSAGE = 'Please complete this required field.';

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);
const ui = {
  me: params.get('user') ?? localStorage.getItem('sandbox.user') ?? '',
  data: undefined,
  view: { kind: 'channel', id: 'C0GENERAL' },
  thread: undefined,
  seen: JSON.parse(localStorage.getItem('sandbox.seen') ?? '{}'),
  localErrors: {},
  rendered: { main: '', thread: '', modal: '', sidebar: '' },
  registries: { main: [], thread: [], modal: [] },
  suggestionIndex: -1,
};

// ------------------------------------------------------------------------------------------------
// Server calls

async function call(route, body) {
  const response = await fetch(`/sandbox/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: ui.me, ...body }),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!answer.ok) toast(answer.error ?? 'failed');
  return answer;
}

let fetching = false;
let fetchAgain = false;
async function refresh() {
  if (fetching) {
    fetchAgain = true;
    return;
  }
  fetching = true;
  try {
    const response = await fetch(`/sandbox/state?user=${encodeURIComponent(ui.me)}`);
    if (response.ok) {
      ui.data = await response.json();
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

function toast(text) {
  const box = document.createElement('div');
  box.className = 'toast';
  box.setAttribute('role', 'status');
  box.textContent = text;
  $('#toasts').append(box);
  setTimeout(() => box.remove(), 8000);
}

// ------------------------------------------------------------------------------------------------
// Rendering

const userName = (id) => {
  if (id === ui.data?.bot.userId) return ui.data.bot.name;
  return ui.data?.users.find((user) => user.id === id)?.realName ?? id;
};
const channelName = (id) => ui.data?.channels.find((channel) => channel.id === id)?.name;
const md = () => ({ userName, channelName, nowMs: Date.now() });
const publicChannels = () => ui.data.channels.filter((channel) => channel.kind === 'channel');

function context(region, surface, source, errors) {
  const registry = [];
  ui.registries[region] = registry;
  return {
    surface,
    md: md(),
    users: ui.data.users,
    channels: publicChannels(),
    errors,
    register(entry) {
      registry.push({ ...entry, source, region });
      return `${region}:${registry.length - 1}`;
    },
  };
}

function render() {
  if (!ui.data) return;
  const channel = ui.view.kind === 'channel' ? ui.data.channels.find((c) => c.id === ui.view.id) : undefined;
  if (channel) ui.seen[channel.id] = channel.messages.length;
  localStorage.setItem('sandbox.seen', JSON.stringify(ui.seen));
  renderSidebar();
  renderMain();
  renderThread();
  renderModal();
  renderProblems();
}

function renderSidebar() {
  const { data } = ui;
  const users = data.users
    .map(
      (user) =>
        `<option value="${escapeHtml(user.id)}" ${user.id === ui.me ? 'selected' : ''}>${escapeHtml(user.realName)}</option>`,
    )
    .join('');
  const item = (id, label, active, unread) =>
    `<button type="button" class="nav-item${active ? ' active' : ''}" data-nav="${escapeHtml(id)}">${label}${
      unread > 0 ? `<span class="badge" aria-label="${unread} unread">${unread}</span>` : ''
    }</button>`;
  const channels = publicChannels()
    .map((c) =>
      item(
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
    <div class="nav-title">Apps</div>${item('app', '<span class="app-dot"></span> chronops', ui.view.kind === 'app', 0)}`;
  if (html !== ui.rendered.sidebar) {
    $('#sidebar').innerHTML = html;
    ui.rendered.sidebar = html;
  }
}

function messageHtml(message, region, options = {}) {
  const ctx = context(region, 'message', { kind: 'message', channel: message.channel, ts: message.ts });
  const isBot = message.user === ui.data.bot.userId;
  const time = new Date(Number(message.ts) * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
  });
  const body = message.blocks?.length
    ? renderBlocks(message.blocks, ctx)
    : `<div class="text">${renderMrkdwn(message.text, ctx.md)}</div>`;
  const files = (message.files ?? [])
    .map(
      (file) =>
        `<div class="file">📄 ${escapeHtml(file.title)} <span class="muted">${file.bytes} bytes</span></div>`,
    )
    .join('');
  const thread =
    options.showThread && message.replyCount > 0
      ? `<button type="button" class="thread-link" data-thread="${escapeHtml(message.ts)}">${message.replyCount} ${message.replyCount === 1 ? 'reply' : 'replies'}</button>`
      : '';
  const only = message.ephemeralFor ? '<span class="only-you">Only visible to you</span>' : '';
  const initial = escapeHtml(userName(message.user).slice(0, 1).toUpperCase());
  return `<article class="message${message.ephemeralFor ? ' ephemeral' : ''}" data-ts="${escapeHtml(message.ts)}">
    <div class="avatar${isBot ? ' bot' : ''}">${initial}</div>
    <div class="message-body">
      <div class="meta"><span class="author">${escapeHtml(userName(message.user))}</span>${isBot ? '<span class="app-badge">APP</span>' : ''}
      <span class="time">${time}</span>${message.editedAt ? '<span class="muted">(edited)</span>' : ''}${only}</div>
      ${body}${files}${thread}
    </div>
  </article>`;
}

/** Re-renders a region only when its content changed, keeping the scroll position (or the bottom). */
function setRegion(element, key, html) {
  if (ui.rendered[key] === html) return false;
  const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
  const top = element.scrollTop;
  element.innerHTML = html;
  ui.rendered[key] = html;
  element.scrollTop = atBottom ? element.scrollHeight : top;
  return true;
}

function renderMain() {
  const { data } = ui;
  const header = $('#main-header');
  const list = $('#main-content');
  const composer = $('#composer');
  if (ui.view.kind === 'channel') {
    const channel = data.channels.find((c) => c.id === ui.view.id) ?? publicChannels()[0];
    header.innerHTML = `<h2># ${escapeHtml(channel.name)}</h2>`;
    composer.hidden = false;
    $('#composer-input').placeholder = `Message #${channel.name} — or type /tasks`;
    const messages = channel.messages.filter((message) => !message.threadTs);
    const html = messages.length
      ? messages.map((message) => messageHtml(message, 'main', { showThread: true })).join('')
      : `<div class="empty">No messages in #${escapeHtml(channel.name)} yet. Try <code>/tasks help</code>.</div>`;
    setRegion(list, 'main', `<div class="messages" data-channel="${escapeHtml(channel.id)}">${html}</div>`);
    return;
  }
  const tab = ui.view.tab;
  header.innerHTML = `<h2><span class="app-dot"></span> chronops</h2>
    <div class="tabs" role="tablist">
      <button type="button" role="tab" class="tab${tab === 'home' ? ' active' : ''}" data-tab="home" aria-selected="${tab === 'home'}">Home</button>
      <button type="button" role="tab" class="tab${tab === 'messages' ? ' active' : ''}" data-tab="messages" aria-selected="${tab === 'messages'}">Messages</button>
    </div>`;
  if (tab === 'home') {
    composer.hidden = true;
    const home = data.home;
    const html = home
      ? `<div class="home" data-view-id="${escapeHtml(home.id)}">${renderBlocks(home.blocks, context('main', 'home', { kind: 'view', viewId: home.id }))}</div>`
      : '<div class="empty">Opening the App Home…</div>';
    setRegion(list, 'main', html);
    return;
  }
  composer.hidden = false;
  $('#composer-input').placeholder = 'Message chronops — or type /tasks';
  const dm = data.channels.find((c) => c.kind === 'app');
  const html = dm.messages.length
    ? dm.messages.map((message) => messageHtml(message, 'main')).join('')
    : '<div class="empty">Private answers from chronops appear here.</div>';
  setRegion(list, 'main', `<div class="messages" data-channel="${escapeHtml(dm.id)}">${html}</div>`);
}

function renderThread() {
  const panel = $('#thread');
  if (!ui.thread) {
    panel.hidden = true;
    ui.rendered.thread = '';
    return;
  }
  const channel = ui.data.channels.find((c) => c.id === ui.thread.channel);
  const parent = channel?.messages.find((message) => message.ts === ui.thread.ts);
  if (!parent) {
    ui.thread = undefined;
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const replies = channel.messages.filter((message) => message.threadTs === parent.ts);
  setRegion(
    $('#thread-content'),
    'thread',
    `${messageHtml(parent, 'thread')}<div class="thread-count">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>${replies.map((m) => messageHtml(m, 'thread')).join('')}`,
  );
}

function renderModal() {
  const root = $('#modal-root');
  const top = ui.data.modals[ui.data.modals.length - 1];
  if (!top) {
    root.hidden = true;
    root.innerHTML = '';
    ui.rendered.modal = '';
    return;
  }
  const errors = { ...top.errors, ...(ui.localErrors[top.id] ?? {}) };
  const key = `${top.id}|${top.hash}|${JSON.stringify(errors)}|${ui.data.modals.length}`;
  if (key === ui.rendered.modal) return;
  const sameView = ui.rendered.modal.startsWith(`${top.id}|`);
  const snapshot = sameView ? snapshotInputs(root) : undefined;
  const focused = sameView ? focusedKey() : undefined;
  const ctx = context('modal', 'modal', { kind: 'view', viewId: top.id }, errors);
  const back =
    ui.data.modals.length > 1
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

function renderProblems() {
  const problems = ui.data.problems;
  const box = $('#problems');
  box.hidden = problems.length === 0;
  const html = problems
    .slice(-5)
    .map(
      (problem) =>
        `<li><time>${new Date(problem.atMs).toLocaleTimeString()}</time> ${escapeHtml(problem.text)}</li>`,
    )
    .join('');
  $('#problems-list').innerHTML = html;
}

// ------------------------------------------------------------------------------------------------
// Element state, as Slack reports it in block_actions and view_submission

function entryOf(element) {
  const [region, index] = (element.dataset.el ?? '').split(':');
  return ui.registries[region]?.[Number(index)];
}

function selectedOptions(dom, entry) {
  const options = optionsOf(entry.element);
  if (dom.tagName === 'SELECT')
    return [...dom.selectedOptions].filter((o) => o.value !== '').map((o) => options[Number(o.value)]);
  return [...dom.querySelectorAll('input:checked')].map(
    (input) => entry.element.options[Number(input.value)],
  );
}

/** The state value of one element (Slack's view.state.values[block][action]). */
function stateValue(dom, entry) {
  const type = entry.element.type;
  switch (type) {
    case 'plain_text_input':
    case 'number_input':
      return { type, value: dom.value === '' ? null : dom.value };
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: selectedOptions(dom, entry)[0] ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: selectedOptions(dom, entry) };
    case 'conversations_select':
      return { type, selected_conversation: dom.value || null };
    case 'channels_select':
      return { type, selected_channel: dom.value || null };
    case 'users_select':
      return { type, selected_user: dom.value || null };
    case 'datepicker':
      return { type, selected_date: dom.value || null };
    case 'timepicker':
      return { type, selected_time: dom.value || null };
    default:
      return { type };
  }
}

function isEmpty(value) {
  if ('value' in value) return value.value === null || value.value.trim() === '';
  if ('selected_options' in value) return value.selected_options.length === 0;
  const key = Object.keys(value).find((k) => k.startsWith('selected_'));
  return key ? value[key] === null : false;
}

function viewState(root) {
  const values = {};
  for (const dom of root.querySelectorAll('[data-input]')) {
    const entry = entryOf(dom);
    if (!entry) continue;
    values[entry.blockId] ??= {};
    values[entry.blockId][entry.element.action_id] = stateValue(dom, entry);
  }
  return values;
}

function snapshotInputs(root) {
  const snapshot = new Map();
  for (const dom of root.querySelectorAll('[data-input]')) {
    const entry = entryOf(dom);
    if (entry) snapshot.set(`${entry.blockId}\u0001${entry.element.action_id}`, stateValue(dom, entry));
  }
  return snapshot;
}

function focusedKey() {
  const active = document.activeElement;
  const entry = active?.dataset?.el ? entryOf(active) : undefined;
  if (!entry) return undefined;
  return {
    key: `${entry.blockId}\u0001${entry.element.action_id}`,
    start: active.selectionStart,
    end: active.selectionEnd,
  };
}

/** Slack keeps what was typed in an input whose block_id and action_id survive a views.update. */
function restoreInputs(root, snapshot, focused) {
  for (const dom of root.querySelectorAll('[data-input]')) {
    const entry = entryOf(dom);
    const key = entry && `${entry.blockId}\u0001${entry.element.action_id}`;
    const value = key && snapshot.get(key);
    if (!value || value.type !== entry.element.type) continue;
    if ('value' in value) dom.value = value.value ?? '';
    else if ('selected_option' in value || 'selected_options' in value) {
      const chosen = new Set(
        (value.selected_options ?? [value.selected_option]).filter(Boolean).map((o) => o.value),
      );
      const options = optionsOf(entry.element);
      if (dom.tagName === 'SELECT')
        for (const o of dom.options)
          o.selected = o.value !== '' && chosen.has(options[Number(o.value)]?.value);
      else
        for (const input of dom.querySelectorAll('input'))
          input.checked = chosen.has(entry.element.options[Number(input.value)]?.value);
    } else {
      const key2 = Object.keys(value).find((k) => k.startsWith('selected_'));
      if (key2) dom.value = value[key2] ?? '';
    }
    if (focused && focused.key === key) {
      dom.focus();
      if (typeof focused.start === 'number' && dom.setSelectionRange)
        dom.setSelectionRange(focused.start, focused.end);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Using elements

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

async function dispatchAction(dom, entry, extra) {
  const action = actionPayload(dom, entry, extra);
  const values = entry.region === 'modal' ? viewState($('#modal-root')) : {};
  await call('action', { source: entry.source, action, values });
}

/** Slack's confirmation dialog, when the element has one. Resolves true to go ahead. */
function confirmFirst(confirm) {
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
      const answer = event.target.closest('[data-confirm]')?.dataset.confirm;
      if (!answer) return;
      root.hidden = true;
      root.innerHTML = '';
      resolve(answer === 'yes');
    };
  });
}

function openOverflow(button, entry) {
  closeMenus();
  const menu = document.createElement('div');
  menu.className = 'menu';
  menu.setAttribute('role', 'menu');
  menu.innerHTML = entry.element.options
    .map(
      (option, index) =>
        `<button type="button" role="menuitem" class="menu-item" data-option="${index}">${escapeHtml(option.text.text)}</button>`,
    )
    .join('');
  const rect = button.getBoundingClientRect();
  menu.style.top = `${rect.bottom + window.scrollY + 4}px`;
  menu.style.left = `${Math.max(8, rect.right - 220)}px`;
  menu.addEventListener('click', async (event) => {
    const item = event.target.closest('[data-option]');
    if (!item) return;
    const option = entry.element.options[Number(item.dataset.option)];
    closeMenus();
    if (await confirmFirst(option.confirm ?? entry.element.confirm))
      await dispatchAction(button, entry, { selected_option: option });
  });
  document.body.append(menu);
}

function closeMenus() {
  for (const menu of document.querySelectorAll('.menu')) menu.remove();
}

async function submitModal() {
  const root = $('#modal-root');
  const view = ui.data.modals[ui.data.modals.length - 1];
  if (!view) return;
  const values = viewState(root);
  // Like Slack's client: required inputs are checked before anything is sent.
  const missing = {};
  for (const block of root.querySelectorAll('.block.input[data-optional="false"]')) {
    const blockValues = values[block.dataset.blockId];
    const value = blockValues && Object.values(blockValues)[0];
    if (!value || isEmpty(value)) missing[block.dataset.blockId] = REQUIRED_MESSAGE;
  }
  ui.localErrors[view.id] = missing;
  if (Object.keys(missing).length > 0) {
    renderModal();
    return;
  }
  const button = root.querySelector('[data-modal="submit"]');
  if (button) {
    button.disabled = true;
    button.textContent = 'Submitting…';
  }
  await call('submit', { viewId: view.id, values });
  // Render again even if nothing changed (the submit button is back), keeping what was typed.
  ui.rendered.modal = `${view.id}|submitted`;
  await refresh();
}

async function closeModal() {
  const view = ui.data.modals[ui.data.modals.length - 1];
  if (!view) return;
  await call('close', { viewId: view.id, values: viewState($('#modal-root')) });
  await refresh();
}

// ------------------------------------------------------------------------------------------------
// Composer with /tasks suggestions

function suggestionsFor(text) {
  if (!text.startsWith('/')) return [];
  const match = /^\/(\S*)(\s+)?(\S*)(\s+)?(\S*)$/.exec(text);
  if (!match) return [];
  const [, command, space1, sub, space2, arg] = match;
  if (!space1)
    return '/tasks'.startsWith(`/${command}`)
      ? [{ fill: '/tasks ', label: '/tasks', hint: 'help | list | new [template] | run <task> | …' }]
      : [];
  if (command !== 'tasks') return [];
  if (!space2)
    return COMMANDS.filter(([name]) => name.startsWith(sub)).map(([name, usage, description]) => ({
      fill: `/tasks ${name} `,
      label: `/tasks ${name} ${usage}`.trim(),
      hint: description,
    }));
  if (sub === 'new')
    return TEMPLATES.filter((template) => template.startsWith(arg)).map((template) => ({
      fill: `/tasks new ${template}`,
      label: template,
      hint: 'template',
    }));
  return [];
}

function renderSuggestions() {
  const input = $('#composer-input');
  const list = $('#suggestions');
  const items = suggestionsFor(input.value);
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

async function send() {
  const input = $('#composer-input');
  const text = input.value.trim();
  if (!text) return;
  const channel = ui.view.kind === 'channel' ? ui.view.id : ui.data.channels.find((c) => c.kind === 'app').id;
  input.value = '';
  renderSuggestions();
  if (text.startsWith('/')) await call('command', { channel, text });
  else await call('message', { channel, text });
}

// ------------------------------------------------------------------------------------------------
// Wiring

function go(view) {
  ui.view = view;
  ui.thread = undefined;
  ui.rendered.main = '';
  render();
  if (view.kind === 'app' && view.tab === 'home') void call('home', {});
}

document.addEventListener('click', async (event) => {
  const target = event.target;
  if (!target.closest('.menu') && !target.closest('.overflow')) closeMenus();
  const nav = target.closest('[data-nav]');
  if (nav)
    return go(
      nav.dataset.nav === 'app' ? { kind: 'app', tab: 'home' } : { kind: 'channel', id: nav.dataset.nav },
    );
  const tab = target.closest('[data-tab]');
  if (tab) return go({ kind: 'app', tab: tab.dataset.tab });
  const mention = target.closest('[data-channel-link]');
  if (mention && ui.data.channels.some((c) => c.id === mention.dataset.channelLink && c.kind === 'channel'))
    return go({ kind: 'channel', id: mention.dataset.channelLink });
  const thread = target.closest('[data-thread]');
  if (thread) {
    ui.thread = { channel: thread.closest('[data-channel]').dataset.channel, ts: thread.dataset.thread };
    return renderThread();
  }
  if (target.closest('#thread-close')) {
    ui.thread = undefined;
    return renderThread();
  }
  const modalButton = target.closest('[data-modal]');
  if (modalButton) {
    if (modalButton.dataset.modal === 'submit') return submitModal();
    return closeModal();
  }
  const suggestion = target.closest('[data-fill]');
  if (suggestion) {
    const input = $('#composer-input');
    input.value = suggestion.dataset.fill;
    input.focus();
    return renderSuggestions();
  }
  const element = target.closest('button[data-el]');
  if (!element) return;
  const entry = entryOf(element);
  if (!entry) return;
  if (entry.element.type === 'overflow') return openOverflow(element, entry);
  if (entry.element.type === 'button') {
    if (!(await confirmFirst(entry.element.confirm))) return;
    // Only http(s) and mailto: a javascript: URL opened here would run with the sandbox's origin.
    const url = safeLinkUrl(entry.element.url);
    if (url) window.open(url, '_blank', 'noopener');
    element.disabled = true;
    try {
      await dispatchAction(element, entry);
    } finally {
      element.disabled = false;
    }
  }
});

document.addEventListener('change', async (event) => {
  if (event.target.id === 'user-switch') {
    ui.me = event.target.value;
    localStorage.setItem('sandbox.user', ui.me);
    const url = new URL(location.href);
    url.searchParams.set('user', ui.me);
    history.replaceState(null, '', url);
    ui.rendered = { main: '', thread: '', modal: '', sidebar: '' };
    await refresh();
    if (ui.view.kind === 'app' && ui.view.tab === 'home') void call('home', {});
    return;
  }
  const dom = event.target.closest('[data-el]');
  const entry = dom && entryOf(dom);
  if (!entry?.dispatch) return;
  if (['plain_text_input', 'number_input'].includes(entry.element.type)) return;
  if (!(await confirmFirst(entry.element.confirm))) return;
  await dispatchAction(dom, entry);
});

const typingTimers = new Map();
document.addEventListener('input', (event) => {
  if (event.target.id === 'composer-input') {
    ui.suggestionIndex = -1;
    return renderSuggestions();
  }
  const dom = event.target.closest('[data-el]');
  const entry = dom && entryOf(dom);
  if (!entry?.dispatch || !(dom.dataset.triggerOn ?? '').includes('on_character_entered')) return;
  clearTimeout(typingTimers.get(dom.dataset.el));
  typingTimers.set(
    dom.dataset.el,
    setTimeout(() => void dispatchAction(dom, entry), 250),
  );
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    closeMenus();
    if (!$('#confirm-root').hidden) return;
    if (ui.data?.modals.length) void closeModal();
    return;
  }
  if (event.target.id === 'composer-input') {
    const items = ui.suggestions ?? [];
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && items.length) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      ui.suggestionIndex = (ui.suggestionIndex + step + items.length) % items.length;
      return renderSuggestions();
    }
    if ((event.key === 'Tab' || (event.key === 'Enter' && ui.suggestionIndex >= 0)) && items.length) {
      event.preventDefault();
      event.target.value = items[Math.max(0, ui.suggestionIndex)].fill;
      ui.suggestionIndex = -1;
      return renderSuggestions();
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
    return;
  }
  if (event.key !== 'Enter' || event.target.tagName === 'TEXTAREA') return;
  const dom = event.target.closest('[data-el]');
  const entry = dom && entryOf(dom);
  if (!entry) return;
  event.preventDefault();
  if (entry.dispatch && (dom.dataset.triggerOn ?? '').includes('on_enter_pressed'))
    void dispatchAction(dom, entry);
});

$('#thread-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('#thread-input');
  if (!ui.thread || !input.value.trim()) return;
  await call('message', { channel: ui.thread.channel, text: input.value, threadTs: ui.thread.ts });
  input.value = '';
});

async function start() {
  // An unknown or missing user falls back to the workspace's first person (the server says who).
  await refresh();
  ui.me = ui.data.me;
  localStorage.setItem('sandbox.user', ui.me);
  const stream = new EventSource('/sandbox/stream');
  stream.addEventListener('change', () => void refresh());
  stream.onerror = () => toast('Lost the connection to chronops; retrying…');
}

void start();
