// @ts-check
// Block Kit → HTML for the sandbox page. Interactive elements are registered with ctx.register(entry),
// which returns an index written as data-el="N"; app.js looks the entry up when the element is used.
// Elements inside modals carry data-input so app.js can read the view's state as Slack would send it.
// Unknown blocks and elements are rendered as visible placeholders, never dropped.
import { escapeHtml, renderMrkdwn, renderPlain, renderText, safeLinkUrl } from './mrkdwn.js';

/** @typedef {import('./types.js').Block} Block */
/** @typedef {import('./types.js').BlockElement} BlockElement */
/** @typedef {import('./types.js').BlockOption} BlockOption */
/** @typedef {import('./types.js').ContextElement} ContextElement */
/** @typedef {import('./types.js').RenderContext} RenderContext */
/** @typedef {import('./types.js').RichElement} RichElement */
/** @typedef {import('./types.js').RichInline} RichInline */

const attr = escapeHtml;

/**
 * Renders a list of blocks.
 * @param {Block[] | undefined} blocks
 * @param {RenderContext} ctx
 */
export function renderBlocks(blocks, ctx) {
  return (blocks ?? []).map((block) => renderBlock(block, ctx)).join('');
}

/**
 * @param {Block} block
 * @param {RenderContext} ctx
 */
function renderBlock(block, ctx) {
  const id = attr(block.block_id ?? '');
  const wrap = (/** @type {string} */ className, /** @type {string} */ inner) =>
    `<div class="block ${className}" data-block-id="${id}" data-block-type="${attr(block.type)}">${inner}</div>`;
  switch (block.type) {
    case 'header':
      return wrap('header', `<h3>${renderPlain(block.text)}</h3>`);
    case 'divider':
      return wrap('divider', '<hr>');
    case 'section': {
      const text = block.text ? `<div class="section-text">${renderText(block.text, ctx.md)}</div>` : '';
      const fields = block.fields
        ? `<div class="fields">${block.fields.map((field) => `<div class="field">${renderText(field, ctx.md)}</div>`).join('')}</div>`
        : '';
      const accessory = block.accessory
        ? `<div class="accessory">${renderElement(block.accessory, block, ctx, { dispatch: true })}</div>`
        : '';
      return wrap('section', `<div class="section-body">${text}${fields}</div>${accessory}`);
    }
    case 'context':
      return wrap(
        'context',
        /** @type {ContextElement[]} */ (block.elements ?? [])
          .map((element) =>
            element.type === 'image'
              ? `<img class="context-image" src="${attr(element.image_url)}" alt="${attr(element.alt_text)}">`
              : `<span>${renderText(element, ctx.md)}</span>`,
          )
          .join(''),
      );
    case 'actions':
      return wrap(
        'actions',
        /** @type {BlockElement[]} */ (block.elements ?? [])
          .map((element) => renderElement(element, block, ctx, { dispatch: true }))
          .join(''),
      );
    case 'image': {
      const title = block.title ? `<div class="image-title">${renderText(block.title, ctx.md)}</div>` : '';
      return wrap(
        'image',
        `${title}<img src="${attr(block.image_url ?? '')}" alt="${attr(block.alt_text)}">`,
      );
    }
    case 'input':
      return renderInputBlock(block, ctx);
    case 'rich_text':
      return wrap(
        'rich-text',
        /** @type {RichElement[]} */ (block.elements ?? [])
          .map((element) => renderRichElement(element, ctx))
          .join(''),
      );
    default:
      return wrap(
        'unknown',
        `<div class="placeholder">Unsupported block: <code>${attr(block.type)}</code></div>`,
      );
  }
}

/**
 * @param {Block} block
 * @param {RenderContext} ctx
 */
function renderInputBlock(block, ctx) {
  const error = block.block_id === undefined ? undefined : ctx.errors?.[block.block_id];
  const optional = block.optional ? ' <span class="optional">(optional)</span>' : '';
  const hint = block.hint ? `<div class="hint">${renderPlain(block.hint)}</div>` : '';
  const element = renderElement(block.element ?? { type: 'missing' }, block, ctx, {
    dispatch: Boolean(block.dispatch_action),
    input: true,
  });
  return `<div class="block input${error ? ' has-error' : ''}" data-block-id="${attr(block.block_id)}" data-block-type="input" data-optional="${block.optional ? 'true' : 'false'}">
    <label class="input-label">${renderPlain(block.label)}${optional}</label>
    ${element}${hint}${error ? `<div class="field-error" role="alert">${escapeHtml(error)}</div>` : ''}
  </div>`;
}

/** @param {BlockElement} element */
function placeholderOption(element) {
  return `<option value="" ${element.initial_option ? '' : 'selected'}>${element.placeholder ? escapeHtml(element.placeholder.text) : 'Select an item'}</option>`;
}

/**
 * @param {BlockElement} element
 * @returns {BlockOption[]}
 */
function allOptions(element) {
  return [
    ...(element.options ?? []),
    ...(element.option_groups ?? []).flatMap((group) => group.options ?? []),
  ];
}

/**
 * @param {BlockElement} element
 * @param {Set<string | undefined>} selectedValues
 */
function optionTags(element, selectedValues) {
  const tag = (/** @type {BlockOption} */ option, /** @type {number} */ index) =>
    `<option value="${index}" ${selectedValues.has(option.value) ? 'selected' : ''}>${escapeHtml(option.text?.text ?? option.value)}</option>`;
  if (element.option_groups) {
    let index = 0;
    return element.option_groups
      .map(
        (group) =>
          `<optgroup label="${attr(group.label?.text ?? '')}">${(group.options ?? []).map((option) => tag(option, index++)).join('')}</optgroup>`,
      )
      .join('');
  }
  return (element.options ?? []).map(tag).join('');
}

/**
 * One element. `how.dispatch`: using it sends block_actions at once (always in actions blocks and
 * accessories; in input blocks only with dispatch_action). `how.input`: it belongs to an input block.
 * Stays whole: one case per element type, each a few lines, like renderBlock.
 * @param {BlockElement} element
 * @param {Block} block
 * @param {RenderContext} ctx
 * @param {{ dispatch: boolean, input?: boolean }} how
 */
function renderElement(element, block, ctx, how) {
  const entry = { element, blockId: block.block_id, dispatch: how.dispatch, input: Boolean(how.input) };
  const index = ctx.register(entry);
  const common = `data-el="${index}" data-action-id="${attr(element.action_id ?? '')}" data-element-type="${attr(element.type)}"`;
  const stateful = ctx.surface === 'modal' ? ' data-input' : '';
  switch (element.type) {
    case 'button': {
      const styleClass =
        element.style === 'primary' ? ' btn-primary' : element.style === 'danger' ? ' btn-danger' : '';
      // A link button opens its url (app.js) only when it is http(s) or mailto; others are not shown.
      const href = safeLinkUrl(element.url);
      const link = href ? ` data-url="${attr(href)}" title="${attr(href)}"` : '';
      return `<button type="button" class="btn${styleClass}" ${common}${link}>${renderPlain(element.text)}</button>`;
    }
    case 'overflow':
      return `<button type="button" class="btn overflow" aria-label="More actions" ${common}>⋯</button>`;
    case 'static_select': {
      const selected = new Set(element.initial_option ? [element.initial_option.value] : []);
      return `<select class="select" ${common}${stateful}>${placeholderOption(element)}${optionTags(element, selected)}</select>`;
    }
    case 'multi_static_select': {
      const selected = new Set((element.initial_options ?? []).map((option) => option.value));
      const size = Math.min(6, allOptions(element).length);
      return `<select class="select multi" multiple size="${size}" ${common}${stateful}>${optionTags(element, selected)}</select>`;
    }
    case 'plain_text_input': {
      const value = element.initial_value ?? '';
      const placeholder = element.placeholder ? ` placeholder="${attr(element.placeholder.text)}"` : '';
      const limits = `${element.max_length ? ` maxlength="${element.max_length}"` : ''}${element.min_length ? ` data-min-length="${element.min_length}"` : ''}`;
      const triggers = element.dispatch_action_config?.trigger_actions_on ?? ['on_enter_pressed'];
      const on = ` data-trigger-on="${attr(triggers.join(' '))}"`;
      return element.multiline
        ? `<textarea class="text-input" rows="3" ${common}${stateful}${placeholder}${limits}${on}>${escapeHtml(value)}</textarea>`
        : `<input type="text" class="text-input" value="${attr(value)}" ${common}${stateful}${placeholder}${limits}${on}>`;
    }
    case 'number_input': {
      const step = element.is_decimal_allowed ? 'any' : '1';
      const bounds = `${element.min_value !== undefined ? ` min="${attr(element.min_value)}"` : ''}${element.max_value !== undefined ? ` max="${attr(element.max_value)}"` : ''}`;
      return `<input type="number" class="text-input" step="${step}"${bounds} value="${attr(element.initial_value ?? '')}" ${common}${stateful} data-trigger-on="on_enter_pressed">`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const kind = element.type === 'checkboxes' ? 'checkbox' : 'radio';
      const initial = new Set(
        (element.type === 'checkboxes'
          ? (element.initial_options ?? [])
          : element.initial_option
            ? [element.initial_option]
            : []
        ).map((option) => option.value),
      );
      const name = `el${index}`;
      const items = (element.options ?? [])
        .map(
          (
            option,
            i,
          ) => `<label class="choice"><input type="${kind}" name="${name}" value="${i}" ${initial.has(option.value) ? 'checked' : ''}>
          <span>${renderText(option.text, ctx.md)}${option.description ? `<span class="choice-description">${renderText(option.description, ctx.md)}</span>` : ''}</span></label>`,
        )
        .join('');
      return `<div class="choices" role="group" ${common}${stateful}>${items}</div>`;
    }
    case 'conversations_select':
    case 'channels_select': {
      const initial = element.initial_conversation ?? element.initial_channel ?? '';
      const options = (ctx.channels ?? [])
        .map(
          (channel) =>
            `<option value="${attr(channel.id)}" ${channel.id === initial ? 'selected' : ''}>#${escapeHtml(channel.name)}</option>`,
        )
        .join('');
      const placeholder = element.placeholder ? element.placeholder.text : 'Select a channel';
      return `<select class="select" ${common}${stateful}><option value="">${escapeHtml(placeholder)}</option>${options}</select>`;
    }
    case 'users_select': {
      const options = (ctx.users ?? [])
        .map(
          (user) =>
            `<option value="${attr(user.id)}" ${user.id === element.initial_user ? 'selected' : ''}>${escapeHtml(user.realName)}</option>`,
        )
        .join('');
      const placeholder = element.placeholder ? element.placeholder.text : 'Select a user';
      return `<select class="select" ${common}${stateful}><option value="">${escapeHtml(placeholder)}</option>${options}</select>`;
    }
    case 'datepicker':
      return `<input type="date" class="text-input date" value="${attr(element.initial_date ?? '')}" ${common}${stateful}>`;
    case 'timepicker':
      return `<input type="time" class="text-input time" value="${attr(element.initial_time ?? '')}" ${common}${stateful}>`;
    case 'image':
      return `<img class="accessory-image" src="${attr(element.image_url)}" alt="${attr(element.alt_text)}">`;
    default:
      return `<span class="placeholder">Unsupported element: <code>${attr(element.type)}</code></span>`;
  }
}

/**
 * rich_text basics: sections, lists, preformatted, quotes, with styled text, links, mentions, emoji.
 * @param {RichElement} element
 * @param {RenderContext} ctx
 */
function renderRichElement(element, ctx) {
  const inline = (/** @type {RichInline[] | undefined} */ elements) =>
    (elements ?? []).map((item) => renderRichInline(item, ctx)).join('');
  switch (element.type) {
    case 'rich_text_section':
      return `<div>${inline(element.elements)}</div>`;
    case 'rich_text_preformatted':
      return `<pre class="code-block">${inline(element.elements)}</pre>`;
    case 'rich_text_quote':
      return `<blockquote>${inline(element.elements)}</blockquote>`;
    case 'rich_text_list': {
      const tag = element.style === 'ordered' ? 'ol' : 'ul';
      return `<${tag}>${(element.elements ?? []).map((item) => `<li>${inline(item.elements)}</li>`).join('')}</${tag}>`;
    }
    default:
      return `<span class="placeholder">Unsupported rich text: <code>${attr(element.type)}</code></span>`;
  }
}

/**
 * @param {RichInline} item
 * @param {RenderContext} ctx
 */
function renderRichInline(item, ctx) {
  /** @type {string} */
  let html;
  switch (item.type) {
    case 'text':
      html = escapeHtml(item.text ?? '').replace(/\n/g, '<br>');
      break;
    case 'link': {
      const href = safeLinkUrl(item.url);
      html = href
        ? `<a href="${attr(href)}" target="_blank" rel="noopener">${escapeHtml(item.text ?? href)}</a>`
        : escapeHtml(item.text ?? item.url ?? '');
      break;
    }
    case 'emoji':
      html = renderMrkdwn(`:${item.name}:`, ctx.md);
      break;
    case 'user':
      html = renderMrkdwn(`<@${item.user_id}>`, ctx.md);
      break;
    case 'channel':
      html = renderMrkdwn(`<#${item.channel_id}>`, ctx.md);
      break;
    case 'broadcast':
      html = `<span class="mention">@${escapeHtml(item.range)}</span>`;
      break;
    case 'date':
      html = renderMrkdwn(
        `<!date^${item.timestamp}^${item.format ?? '{date_short} {time}'}|${item.fallback ?? ''}>`,
        ctx.md,
      );
      break;
    default:
      return `<span class="placeholder">Unsupported: <code>${attr(item.type)}</code></span>`;
  }
  const s = item.style ?? {};
  if (s.code) html = `<code>${html}</code>`;
  if (s.bold) html = `<strong>${html}</strong>`;
  if (s.italic) html = `<em>${html}</em>`;
  if (s.strike) html = `<del>${html}</del>`;
  return html;
}

/**
 * Options of a select-like element, in the order of the value indexes written by renderElement.
 * @param {BlockElement} element
 */
export function optionsOf(element) {
  return allOptions(element);
}
