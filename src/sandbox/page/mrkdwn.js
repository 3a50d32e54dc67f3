// @ts-check
// Slack mrkdwn → HTML for the sandbox page. Everything is HTML-escaped before any markup is added, so
// message text can never inject markup. Handles bold, italic, strike, inline code, code blocks, quotes,
// links, user/channel/special mentions, <!date^…> tokens (in the viewer's time zone) and emoji codes.

/** @typedef {import('./types.js').MrkdwnContext} MrkdwnContext */
/** @typedef {import('./types.js').TextObject} TextObject */

/** @type {Readonly<Record<string, string>>} */
export const EMOJI = {
  alarm_clock: '⏰',
  arrow_forward: '▶️',
  arrows_counterclockwise: '🔄',
  black_square_for_stop: '⏹️',
  clock2: '🕑',
  double_vertical_bar: '⏸️',
  fast_forward: '⏩',
  grey_question: '❔',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  large_blue_circle: '🔵',
  red_circle: '🔴',
  white_circle: '⚪',
  lock: '🔒',
  unlock: '🔓',
  mag: '🔍',
  no_entry: '⛔',
  pencil2: '✏️',
  memo: '📝',
  repeat: '🔁',
  sparkles: '✨',
  tada: '🎉',
  traffic_light: '🚥',
  warning: '⚠️',
  wastebasket: '🗑️',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  rotating_light: '🚨',
  bell: '🔔',
  calendar: '📅',
  date: '📅',
  clock: '🕐',
  fire: '🔥',
  rocket: '🚀',
  eyes: '👀',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  wave: '👋',
  smile: '😄',
  slightly_smiling_face: '🙂',
  information_source: 'ℹ️',
  bulb: '💡',
  gear: '⚙️',
  floppy_disk: '💾',
  package: '📦',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  broom: '🧹',
  zap: '⚡',
  skull: '💀',
  heart: '❤️',
  point_right: '👉',
  question: '❓',
  exclamation: '❗',
  stopwatch: '⏱️',
  inbox_tray: '📥',
  outbox_tray: '📤',
  file_folder: '📁',
  spiral_note_pad: '🗒️',
  robot_face: '🤖',
  hammer_and_wrench: '🛠️',
  ok: '🆗',
  new: '🆕',
  recycle: '♻️',
  shield: '🛡️',
};

/** @param {unknown} text */
export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Slack escapes only &, < and > in message text; undo that before HTML-escaping for display. */
/** @param {string} text */
function decodeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Emoji codes (`:tada:`) in already escaped HTML. @param {string} escaped */
export function emojify(escaped) {
  return escaped.replace(/:([a-z0-9_+-]+):/g, (/** @type {string} */ whole, /** @type {string} */ name) => {
    const emoji = EMOJI[name];
    return emoji ? `<span class="emoji" title=":${name}:">${emoji}</span>` : whole;
  });
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/** @param {number} day */
function ordinal(day) {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = day % 100;
  return `${day}${s[(v - 20) % 10] || s[v] || s[0]}`;
}

/**
 * The parts of an instant in a zone (the viewer's by default).
 * @param {Date} date
 * @param {string} timeZone
 */
function partsIn(date, timeZone) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: parts.month ?? '',
    day: Number(parts.day),
    monthNum: new Intl.DateTimeFormat('en-US', { timeZone, month: '2-digit' }).format(date),
    weekday: parts.weekday ?? '',
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** @param {Date} date @param {string} timeZone */
function dayKey(date, timeZone) {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/**
 * Slack's `{date_…}`/`{time}`/`{ago}` tokens, rendered for the viewer (zone `timeZone`, now `nowMs`).
 * @param {number} unixSeconds
 * @param {string} template
 * @param {{ timeZone?: string, nowMs?: number }} [options]
 */
export function formatSlackDate(unixSeconds, template, options = {}) {
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const nowMs = options.nowMs ?? Date.now();
  const date = new Date(unixSeconds * 1000);
  const p = partsIn(date, timeZone);
  const short = p.month.slice(0, 3);
  const time = `${p.hour}:${pad(p.minute)}`;
  const dayDiff = Math.round(
    (Date.parse(`${dayKey(date, timeZone)}T00:00:00Z`) -
      Date.parse(`${dayKey(new Date(nowMs), timeZone)}T00:00:00Z`)) /
      86_400_000,
  );
  const pretty =
    dayDiff === 0 ? 'Today' : dayDiff === -1 ? 'Yesterday' : dayDiff === 1 ? 'Tomorrow' : undefined;
  /** @type {Record<string, string>} */
  const values = {
    date_num: `${p.year}-${p.monthNum}-${pad(p.day)}`,
    date: `${p.month} ${ordinal(p.day)}, ${p.year}`,
    date_short: `${short} ${p.day}, ${p.year}`,
    date_long: `${p.weekday}, ${p.month} ${ordinal(p.day)}, ${p.year}`,
    time,
    time_secs: `${time}:${pad(p.second)}`,
    ago: ago(nowMs - date.getTime()),
  };
  values.date_pretty = pretty ?? `${values.date}`;
  values.date_short_pretty = pretty ?? `${values.date_short}`;
  values.date_long_pretty = pretty ?? `${values.date_long}`;
  return template.replace(
    /\{(\w+)\}/g,
    (/** @type {string} */ whole, /** @type {string} */ token) => values[token] ?? whole,
  );
}

/** @param {number} diffMs */
function ago(diffMs) {
  const future = diffMs < 0;
  const seconds = Math.abs(diffMs) / 1000;
  const [value, unit] =
    seconds < 60
      ? [Math.round(seconds), 'second']
      : seconds < 3600
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 86_400
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86_400), 'day'];
  const text = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return future ? `in ${text}` : `${text} ago`;
}

/**
 * The URL when it may become a link or be opened: http(s) and mailto only. Anything else —
 * `javascript:`, `data:`, `vbscript:`, `file:`, and Slack's own `slack://` (the sandbox is no Slack
 * client: it would ask the system to open the desktop app on a workspace that does not exist) — is
 * rendered as text. The scheme must open the string: browsers drop leading spaces and control
 * characters and tabs or newlines inside it, so ` javascript:` or `java\tscript:` are refused too.
 * @param {unknown} url
 * @returns {string | undefined}
 */
export function safeLinkUrl(url) {
  const text = typeof url === 'string' ? url : '';
  return /^(https?:|mailto:)/i.test(text) ? text : undefined;
}

/**
 * One `<…>` token: mention, channel, special mention, date, or link. Returns HTML.
 * @param {string} inner
 * @param {MrkdwnContext} ctx
 */
function renderToken(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = ctx.userName?.(id) ?? label ?? id;
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = label ?? ctx.channelName?.(id) ?? id;
    return `<span class="mention channel" data-channel-link="${escapeHtml(id)}">#${escapeHtml(decodeSlack(name))}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, unix, template, link] = target.split('^');
    const seconds = Number(unix);
    if (!Number.isFinite(seconds)) return escapeHtml(decodeSlack(label ?? inner));
    const text = escapeHtml(formatSlackDate(seconds, template ?? '{date_short} {time}', ctx));
    const fallback = escapeHtml(decodeSlack(label ?? ''));
    const body = `<time class="slack-date" datetime="${new Date(seconds * 1000).toISOString()}" title="${fallback}">${text}</time>`;
    const href = safeLinkUrl(decodeSlack(link ?? ''));
    return href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${body}</a>` : body;
  }
  if (target.startsWith('!subteam^'))
    return `<span class="mention">@${escapeHtml(label ?? target.slice(9))}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const href = safeLinkUrl(decodeSlack(target));
  if (!href) return escapeHtml(decodeSlack(label ?? target));
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(decodeSlack(label ?? target))}</a>`;
}

/**
 * @param {string} text
 * @param {string} separator
 * @returns {[string, string | undefined]}
 */
function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

const BOUNDARY_BEFORE = '(^|[\\s(\\[{>\'"~_*]|\uE000)';
const BOUNDARY_AFTER = '(?=$|[\\s)\\]}.,!?:;\'"~_*<]|\uE000)';
/** @type {(mark: string, tag: string) => [RegExp, string]} */
const style = (mark, tag) => [
  new RegExp(`${BOUNDARY_BEFORE}\\${mark}([^\\${mark}\\n]*[^\\s\\${mark}])\\${mark}${BOUNDARY_AFTER}`, 'g'),
  tag,
];
const STYLES = [style('*', 'strong'), style('_', 'em'), style('~', 'del')];

/**
 * Inline formatting of a text run without code: tokens, escaping, bold/italic/strike, emoji.
 * @param {string} text
 * @param {MrkdwnContext} ctx
 */
function renderInline(text, ctx) {
  /** @type {string[]} */
  const tokens = [];
  // Tokens are parked as private-use placeholders while the text around them is formatted.
  text = text.replace(/\uE000/g, '');
  // Real brackets delimit Slack's tokens; escaped ones (&lt;) are text.
  let body = text.replace(/<([^<>\n]+)>/g, (_, /** @type {string} */ inner) => {
    tokens.push(renderToken(inner, ctx));
    return `\uE000${tokens.length - 1}\uE000`;
  });
  body = escapeHtml(decodeSlack(body));
  for (const [pattern, tag] of STYLES) {
    for (let i = 0; i < 3; i++)
      body = body.replace(
        pattern,
        (_, /** @type {string} */ before, /** @type {string} */ inner) =>
          `${before}<${tag}>${inner}</${tag}>`,
      );
  }
  body = emojify(body);
  return body.replace(/\uE000(\d+)\uE000/g, (_, /** @type {string} */ index) => tokens[Number(index)] ?? '');
}

/**
 * Inline code spans, then formatting around them.
 * @param {string} line
 * @param {MrkdwnContext} ctx
 */
function renderLine(line, ctx) {
  const parts = line.split(/(`[^`\n]+`)/g);
  return parts
    .map((part) =>
      part.length > 2 && part.startsWith('`') && part.endsWith('`')
        ? `<code>${escapeHtml(decodeSlack(part.slice(1, -1)))}</code>`
        : renderInline(part, ctx),
    )
    .join('');
}

/**
 * Lines, with `>`-quoted runs grouped into one blockquote.
 * @param {string} text
 * @param {MrkdwnContext} ctx
 */
function renderProse(text, ctx) {
  const lines = text.split('\n');
  const out = [];
  /** @type {string[]} */
  let quote = [];
  const flush = () => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    const quoted = /^(>|&gt;)\s?(.*)$/.exec(line);
    if (quoted) quote.push(renderLine(quoted[2] ?? '', ctx));
    else {
      flush();
      out.push(renderLine(line, ctx));
    }
  }
  flush();
  return out.join('<br>').replace(/<\/blockquote><br>/g, '</blockquote>');
}

/**
 * Renders Slack mrkdwn as HTML.
 * @param {string | undefined} text
 * @param {MrkdwnContext} [ctx]
 */
export function renderMrkdwn(text, ctx = {}) {
  const segments = String(text ?? '').split(/```/);
  return segments
    .map((segment, index) =>
      index % 2 === 1 && index < segments.length - 1
        ? `<pre class="code-block">${escapeHtml(decodeSlack(segment.replace(/^\n/, '')))}</pre>`
        : renderProse(segment, ctx),
    )
    .join('');
}

/**
 * plain_text objects: escaped, with emoji codes when `emoji` is not false.
 * @param {TextObject | undefined} textObject
 */
export function renderPlain(textObject) {
  const escaped = escapeHtml(textObject?.text ?? '');
  return textObject?.emoji === false ? escaped : emojify(escaped);
}

/**
 * A text object of either type.
 * @param {TextObject | undefined} textObject
 * @param {MrkdwnContext} ctx
 */
export function renderText(textObject, ctx) {
  if (!textObject) return '';
  return textObject.type === 'mrkdwn' ? renderMrkdwn(textObject.text, ctx) : renderPlain(textObject);
}
