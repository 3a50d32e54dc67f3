// @ts-check
// Conversations: a channel's messages, the app's Messages tab, and the thread panel beside them.
import { $, setRegion } from './dom.js';
import { escapeHtml, renderMrkdwn } from './mrkdwn.js';
import { renderBlocks } from './render.js';
import { appChannel, context, data, ui, userName } from './state.js';

/** @typedef {import('./types.js').SandboxMessage} SandboxMessage */
/** @typedef {import('./types.js').StateChannel} StateChannel */

/**
 * One message as Slack shows it: avatar, author, time, blocks or text, files, replies link.
 * @param {SandboxMessage} message
 * @param {'main' | 'thread'} region
 * @param {{ showThread?: boolean }} [options]
 */
export function messageHtml(message, region, options = {}) {
  const ctx = context(region, 'message', { kind: 'message', channel: message.channel, ts: message.ts });
  const isBot = message.user === data().bot.userId;
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
  const replies = message.replyCount ?? 0;
  const thread =
    options.showThread && replies > 0
      ? `<button type="button" class="thread-link" data-thread="${escapeHtml(message.ts)}">${replies} ${replies === 1 ? 'reply' : 'replies'}</button>`
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

/**
 * A channel's top-level messages (replies are in threads).
 * @param {StateChannel} channel
 */
export function renderChannel(channel) {
  $('#main-header').innerHTML = `<h2># ${escapeHtml(channel.name)}</h2>`;
  $('#composer').hidden = false;
  $('#composer-input').setAttribute('placeholder', `Message #${channel.name} — or type /tasks`);
  const messages = channel.messages.filter((message) => !message.threadTs);
  const html = messages.length
    ? messages.map((message) => messageHtml(message, 'main', { showThread: true })).join('')
    : `<div class="empty">No messages in #${escapeHtml(channel.name)} yet. Try <code>/tasks help</code>.</div>`;
  setRegion(
    $('#main-content'),
    'main',
    `<div class="messages" data-channel="${escapeHtml(channel.id)}">${html}</div>`,
  );
}

/** The app's Messages tab: its direct conversation with the person acting. */
export function renderAppMessages() {
  $('#composer').hidden = false;
  $('#composer-input').setAttribute('placeholder', 'Message chronops — or type /tasks');
  const dm = appChannel();
  const html = dm.messages.length
    ? dm.messages.map((message) => messageHtml(message, 'main')).join('')
    : '<div class="empty">Private answers from chronops appear here.</div>';
  setRegion(
    $('#main-content'),
    'main',
    `<div class="messages" data-channel="${escapeHtml(dm.id)}">${html}</div>`,
  );
}

/** The thread panel: the parent message and its replies, or hidden when no thread is open. */
export function renderThread() {
  const panel = $('#thread');
  const open = ui.thread;
  const channel = open && data().channels.find((c) => c.id === open.channel);
  const parent = open && channel?.messages.find((message) => message.ts === open.ts);
  if (!channel || !parent) {
    ui.thread = undefined;
    panel.hidden = true;
    ui.rendered.thread = '';
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
