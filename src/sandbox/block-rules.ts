/**
 * What real Slack rejects with `invalid_blocks` (docs/ARCHITECTURE.md §10), so the sandbox fails where production
 * would instead of rendering blocks Slack would refuse. Adapted from the tests' fake Web API
 * (test/support/fake-slack.ts); src/ may not import test code, and the sandbox must not import the bot.
 */
export type Json = Record<string, unknown>;

export type Surface = 'message' | 'modal' | 'home';

function textProblems(
  value: unknown,
  where: string,
  options: { max: number; plainOnly?: boolean },
): string[] {
  if (!value || typeof value !== 'object') return [`${where}: missing text object`];
  const text = value as { type?: string; text?: unknown };
  const problems: string[] = [];
  if (text.type !== 'plain_text' && text.type !== 'mrkdwn')
    problems.push(`${where}: text type must be plain_text or mrkdwn`);
  if (options.plainOnly && text.type !== 'plain_text') problems.push(`${where}: must be plain_text`);
  if (typeof text.text !== 'string' || text.text.length === 0)
    problems.push(`${where}: text must not be empty`);
  else if (text.text.length > options.max)
    problems.push(`${where}: text longer than ${options.max} (${text.text.length})`);
  return problems;
}

function optionProblems(options: unknown, where: string, max: number): string[] {
  if (!Array.isArray(options)) return [`${where}: options must be an array`];
  const problems: string[] = [];
  if (options.length > max) problems.push(`${where}: more than ${max} options (${options.length})`);
  if (options.length === 0) problems.push(`${where}: no options`);
  options.forEach((option: { text?: unknown; value?: unknown }, index) => {
    problems.push(...textProblems(option.text, `${where}.options[${index}]`, { max: 75 }));
    if (typeof option.value !== 'string' || option.value.length > 150)
      problems.push(`${where}.options[${index}]: value missing or longer than 150`);
  });
  return problems;
}

/**
 * A link button's `url`. Slack refuses one that is not a whole URL (`invalid url` at the field's JSON
 * pointer; a base URL without `https://`, or `https://` alone) and one longer than 3,000 characters.
 * Stricter here than Slack is known to be: only http(s) is accepted, so nothing that sends
 * `javascript:` or `data:` passes the sandbox (whose page would not open it anyway: page/mrkdwn.js,
 * safeLinkUrl). chronops itself sends no link buttons.
 */
function buttonUrlProblems(url: unknown, where: string): string[] {
  if (typeof url !== 'string' || url.length === 0) return [`${where}: url must be a non-empty string`];
  if (url.length > 3000) return [`${where}: url longer than 3000 (${url.length})`];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`${where}: invalid url (not an absolute URL)`];
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return [`${where}: invalid url (only http and https links are accepted, got ${parsed.protocol})`];
  if (parsed.hostname === '') return [`${where}: invalid url (no host)`];
  return [];
}

const PASSIVE_ELEMENTS = new Set([
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'users_select',
  'multi_users_select',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'email_text_input',
  'url_text_input',
]);

function elementProblems(element: Json, where: string): string[] {
  const problems: string[] = [];
  if (typeof element.action_id === 'string' && element.action_id.length > 255)
    problems.push(`${where}: action_id longer than 255`);
  if (element.placeholder)
    problems.push(
      ...textProblems(element.placeholder, `${where}.placeholder`, { max: 150, plainOnly: true }),
    );
  if (element.confirm) {
    const confirm = element.confirm as Json;
    problems.push(...textProblems(confirm.title, `${where}.confirm.title`, { max: 100, plainOnly: true }));
    problems.push(...textProblems(confirm.text, `${where}.confirm.text`, { max: 300 }));
    problems.push(...textProblems(confirm.confirm, `${where}.confirm.confirm`, { max: 30, plainOnly: true }));
    problems.push(...textProblems(confirm.deny, `${where}.confirm.deny`, { max: 30, plainOnly: true }));
  }
  switch (element.type) {
    case 'button':
      problems.push(...textProblems(element.text, `${where}.text`, { max: 75, plainOnly: true }));
      if (typeof element.value === 'string' && element.value.length > 2000)
        problems.push(`${where}: value longer than 2000`);
      if (element.url !== undefined) problems.push(...buttonUrlProblems(element.url, where));
      break;
    case 'overflow':
      problems.push(...optionProblems(element.options, where, 5));
      if (Array.isArray(element.options) && element.options.length < 1)
        problems.push(`${where}: overflow needs options`);
      break;
    case 'static_select':
    case 'multi_static_select': {
      if (element.option_groups === undefined) problems.push(...optionProblems(element.options, where, 100));
      const all = [
        ...((element.options as Json[] | undefined) ?? []),
        ...((element.option_groups as Array<{ options?: Json[] }> | undefined) ?? []).flatMap(
          (group) => group.options ?? [],
        ),
      ];
      const values = new Set(all.map((option) => option.value));
      const initial = [element.initial_option, ...((element.initial_options as unknown[]) ?? [])].filter(
        Boolean,
      ) as Json[];
      for (const option of initial)
        if (!values.has(option.value)) problems.push(`${where}: initial option not among options`);
      break;
    }
    case 'checkboxes':
    case 'radio_buttons':
      problems.push(...optionProblems(element.options, where, 10));
      break;
    case 'plain_text_input': {
      const max = typeof element.max_length === 'number' ? element.max_length : 3000;
      if (typeof element.initial_value === 'string' && element.initial_value.length > max)
        problems.push(`${where}: initial_value longer than max_length`);
      break;
    }
    case 'number_input':
      if (typeof element.is_decimal_allowed !== 'boolean')
        problems.push(`${where}: is_decimal_allowed is required`);
      break;
    case 'image':
      if (typeof element.image_url !== 'string' || typeof element.alt_text !== 'string')
        problems.push(`${where}: image needs image_url and alt_text`);
      break;
    default:
      if (!PASSIVE_ELEMENTS.has(String(element.type)))
        problems.push(`${where}: unknown element type ${String(element.type)}`);
  }
  return problems;
}

/** Every reason real Slack would answer invalid_blocks for these blocks on this surface. */
// Stays whole: one rule per block type, in the order Slack's reference lists them.
export function blockProblems(blocks: unknown, surface: Surface): string[] {
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  const problems: string[] = [];
  const max = surface === 'message' ? 50 : 100;
  if (blocks.length > max) problems.push(`more than ${max} blocks (${blocks.length})`);
  const blockIds = new Set<string>();
  blocks.forEach((block: Json, index) => {
    const where = `blocks[${index}]`;
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) problems.push(`${where}: block_id longer than 255`);
      if (blockIds.has(block.block_id)) problems.push(`${where}: duplicate block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (!block.text && !block.fields) problems.push(`${where}: section needs text or fields`);
        if (block.text) problems.push(...textProblems(block.text, `${where}.text`, { max: 3000 }));
        if (block.fields) {
          const fields = block.fields as unknown[];
          if (fields.length > 10) problems.push(`${where}: more than 10 fields (${fields.length})`);
          fields.forEach((field, i) => {
            problems.push(...textProblems(field, `${where}.fields[${i}]`, { max: 2000 }));
          });
        }
        if (block.accessory) problems.push(...elementProblems(block.accessory as Json, `${where}.accessory`));
        break;
      }
      case 'header':
        problems.push(...textProblems(block.text, `${where}.text`, { max: 150, plainOnly: true }));
        break;
      case 'context': {
        const elements = (block.elements as Json[]) ?? [];
        if (elements.length === 0 || elements.length > 10)
          problems.push(`${where}: context needs 1–10 elements`);
        elements.forEach((element, i) => {
          if (element.type === 'image') problems.push(...elementProblems(element, `${where}.elements[${i}]`));
          else problems.push(...textProblems(element, `${where}.elements[${i}]`, { max: 3000 }));
        });
        break;
      }
      case 'actions': {
        const elements = (block.elements as Json[]) ?? [];
        if (elements.length === 0 || elements.length > 25)
          problems.push(`${where}: actions needs 1–25 elements`);
        const actionIds = new Set<string>();
        elements.forEach((element, i) => {
          const id = element.action_id as string | undefined;
          if (id !== undefined) {
            if (actionIds.has(id)) problems.push(`${where}: duplicate action_id ${id}`);
            actionIds.add(id);
          }
          problems.push(...elementProblems(element, `${where}.elements[${i}]`));
        });
        break;
      }
      case 'input':
        if (surface === 'message') problems.push(`${where}: input blocks are not allowed in messages`);
        problems.push(...textProblems(block.label, `${where}.label`, { max: 2000, plainOnly: true }));
        if (block.hint)
          problems.push(...textProblems(block.hint, `${where}.hint`, { max: 2000, plainOnly: true }));
        problems.push(...elementProblems(block.element as Json, `${where}.element`));
        break;
      case 'image':
        if (typeof block.image_url !== 'string' && !block.slack_file)
          problems.push(`${where}: image needs image_url`);
        if (typeof block.alt_text !== 'string' || block.alt_text === '')
          problems.push(`${where}: image needs alt_text`);
        break;
      case 'rich_text':
        if (!Array.isArray(block.elements)) problems.push(`${where}: rich_text needs elements`);
        break;
      case 'divider':
      case 'file':
      case 'video':
      case 'markdown':
        break;
      default:
        problems.push(`${where}: unsupported block type ${String(block.type)}`);
    }
  });
  return problems;
}

export function viewProblems(view: unknown): string[] {
  if (!view || typeof view !== 'object') return ['view missing'];
  const v = view as Json;
  const problems: string[] = [];
  if (v.type !== 'modal' && v.type !== 'home') problems.push('view type must be modal or home');
  if (v.type === 'modal') {
    problems.push(...textProblems(v.title, 'title', { max: 24, plainOnly: true }));
    if (v.submit) problems.push(...textProblems(v.submit, 'submit', { max: 24, plainOnly: true }));
    if (v.close) problems.push(...textProblems(v.close, 'close', { max: 24, plainOnly: true }));
    const hasInput = ((v.blocks as Json[]) ?? []).some((block) => block.type === 'input');
    if (hasInput && !v.submit) problems.push('a modal with inputs needs a submit button');
  }
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000)
    problems.push(`private_metadata longer than 3000 (${v.private_metadata.length})`);
  if (typeof v.callback_id === 'string' && v.callback_id.length > 255)
    problems.push('callback_id longer than 255');
  problems.push(...blockProblems(v.blocks, v.type === 'home' ? 'home' : 'modal'));
  return problems;
}

/** chat.postMessage / chat.update / response_url bodies: text or blocks, within limits. */
export function messageProblems(args: Json): string[] {
  const hasText = typeof args.text === 'string' && args.text.trim() !== '';
  const problems = args.blocks !== undefined ? blockProblems(args.blocks, 'message') : [];
  if (!hasText && args.blocks === undefined) problems.push('no text');
  if (typeof args.text === 'string' && args.text.length > 40_000) problems.push('text longer than 40000');
  return problems;
}
