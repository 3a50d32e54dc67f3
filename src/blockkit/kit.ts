import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import { SLACK_LIMITS } from './limits.js';
import { truncateText } from './mrkdwn.js';

/**
 * Small constructors for Block Kit objects, shared by the Slack views (slack/), the alerts (notify/) and
 * the messages executors post (executors/). They apply Slack's hard limits (limits.ts) by construction:
 * texts are never empty and are cut to their maximum, lists are cut to their count, so a long task name
 * shortens a label instead of making Slack answer `invalid_blocks`. Texts given to `mrkdwn` must already
 * be escaped (mrkdwn.ts); plain_text needs no escaping.
 */

/** Slack rejects an empty text object; a single space renders as nothing. */
const nonEmpty = (text: string): string => (text === '' ? ' ' : text);

/**
 * A value (not shown, handed back to us on click) cut to `max` UTF-16 units with no `…`, and never through
 * the middle of an emoji: half a surrogate pair is not valid UTF-8 and would not come back as sent.
 */
function cutValue(value: string, max: number): string {
  const cut = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

export function plain(text: string, max: number = SLACK_LIMITS.sectionText): PlainTextElement {
  return { type: 'plain_text', text: truncateText(nonEmpty(text), max), emoji: true };
}

export function mrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateText(nonEmpty(text), max) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, SLACK_LIMITS.headerText) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

export function section(text: string, extra: Partial<SectionBlock> = {}): SectionBlock {
  return { type: 'section', text: mrkdwn(text), ...extra };
}

export function fieldsSection(fields: readonly string[], blockId?: string): SectionBlock {
  return {
    type: 'section',
    fields: fields
      .slice(0, SLACK_LIMITS.fieldsPerSection)
      .map((field) => mrkdwn(field, SLACK_LIMITS.fieldText)),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function context(texts: readonly string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts.slice(0, SLACK_LIMITS.contextElements).map((text) => mrkdwn(text)),
  };
}

export function button(
  text: string,
  actionId: string,
  value: string,
  options: { style?: 'primary' | 'danger'; confirm?: ConfirmationDialog } = {},
): Button {
  return {
    type: 'button',
    text: plain(text, SLACK_LIMITS.buttonText),
    action_id: actionId,
    value: cutValue(value, SLACK_LIMITS.actionValue),
    ...(options.style ? { style: options.style } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
}

export function actions(elements: Button[], blockId?: string): ActionsBlock {
  return {
    type: 'actions',
    elements: elements.slice(0, SLACK_LIMITS.actionsElements),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

/** A select option. Its value is an id we chose, so one too long is a bug to surface, not to cut. */
export function option(text: string, value: string): PlainTextOption {
  if (value.length > SLACK_LIMITS.optionValue)
    throw new Error(`option value longer than ${SLACK_LIMITS.optionValue}`);
  return { text: plain(text, SLACK_LIMITS.optionText), value };
}

export function confirmDialog(
  title: string,
  text: string,
  confirm: string,
  deny: string,
): ConfirmationDialog {
  return {
    title: plain(title, SLACK_LIMITS.confirmTitle),
    text: mrkdwn(text, SLACK_LIMITS.confirmText),
    confirm: plain(confirm, SLACK_LIMITS.confirmButton),
    deny: plain(deny, SLACK_LIMITS.confirmButton),
    style: 'danger',
  };
}

/** Keeps at most `max` blocks: the first `max - 1` and the last one (usually the context footer). */
export function capBlocks<T>(blocks: T[], max: number = SLACK_LIMITS.blocksPerMessage): T[] {
  if (blocks.length <= max) return blocks;
  const last = blocks.at(-1) as T;
  return [...blocks.slice(0, max - 1), last];
}
