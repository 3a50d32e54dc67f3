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
import { truncateText } from '../../domain/mrkdwn.js';

/**
 * Small constructors for Block Kit objects that apply Slack's hard limits (docs/ARCHITECTURE.md §10) by
 * construction: texts are never empty and are cut to their maximum, so a long task name shortens a
 * label instead of making Slack answer `invalid_blocks`.
 */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  buttonText: 75,
  optionText: 75,
  optionValue: 150,
  options: 100,
  overflowOptions: 5,
  headerText: 150,
  modalTitle: 24,
  privateMetadata: 3000,
  contextElements: 10,
  actionsElements: 25,
  actionValue: 2000,
} as const;

export function plain(text: string, max: number = LIMITS.sectionText): PlainTextElement {
  return { type: 'plain_text', text: truncateText(text === '' ? ' ' : text, max), emoji: true };
}

export function mrkdwn(text: string, max: number = LIMITS.sectionText): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateText(text === '' ? ' ' : text, max) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
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
    fields: fields.slice(0, LIMITS.fields).map((field) => mrkdwn(field, LIMITS.fieldText)),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function context(texts: readonly string[]): ContextBlock {
  return { type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((text) => mrkdwn(text)) };
}

export function button(
  text: string,
  actionId: string,
  value: string,
  options: { style?: 'primary' | 'danger'; confirm?: ConfirmationDialog } = {},
): Button {
  return {
    type: 'button',
    text: plain(text, LIMITS.buttonText),
    action_id: actionId,
    value: value.slice(0, LIMITS.actionValue),
    ...(options.style ? { style: options.style } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
}

export function actions(elements: Button[], blockId?: string): ActionsBlock {
  return {
    type: 'actions',
    elements: elements.slice(0, LIMITS.actionsElements),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function option(text: string, value: string): PlainTextOption {
  if (value.length > LIMITS.optionValue) throw new Error(`option value longer than ${LIMITS.optionValue}`);
  return { text: plain(text, LIMITS.optionText), value };
}

export function confirmDialog(
  title: string,
  text: string,
  confirm: string,
  deny: string,
): ConfirmationDialog {
  return {
    title: plain(title, 100),
    text: mrkdwn(text, 300),
    confirm: plain(confirm, 30),
    deny: plain(deny, 30),
    style: 'danger',
  };
}
