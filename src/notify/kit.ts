import { truncateText } from '../domain/mrkdwn.js';

/**
 * Block Kit constructors for the notifier's messages, applying Slack's hard limits by construction
 * (non-empty texts cut to their maximum). slack/blocks/kit.ts has the same for the interactive surface;
 * the notifier may not import slack/ (docs/ARCHITECTURE.md §3).
 */
export type Block = Record<string, unknown>;

export const MESSAGE_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  buttonText: 75,
  headerText: 150,
  contextElements: 10,
  /** chat.postMessage `text` (the notification fallback); Slack truncates at 40k, we keep it short. */
  fallbackText: 3000,
} as const;

export function mrkdwn(text: string, max: number = MESSAGE_LIMITS.sectionText) {
  return { type: 'mrkdwn', text: truncateText(text === '' ? ' ' : text, max) };
}

export function plain(text: string, max: number = MESSAGE_LIMITS.sectionText) {
  return { type: 'plain_text', text: truncateText(text === '' ? ' ' : text, max), emoji: true };
}

export function header(text: string): Block {
  return { type: 'header', text: plain(text, MESSAGE_LIMITS.headerText) };
}

export function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text) };
}

export function fields(texts: readonly string[]): Block {
  return {
    type: 'section',
    fields: texts.slice(0, MESSAGE_LIMITS.fields).map((text) => mrkdwn(text, MESSAGE_LIMITS.fieldText)),
  };
}

export function context(texts: readonly string[]): Block {
  return {
    type: 'context',
    elements: texts.slice(0, MESSAGE_LIMITS.contextElements).map((text) => mrkdwn(text)),
  };
}

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Block {
  return {
    type: 'button',
    text: plain(text, MESSAGE_LIMITS.buttonText),
    action_id: actionId,
    value: value.slice(0, 2000),
    ...(style ? { style } : {}),
  };
}

export function actions(elements: Block[], blockId: string): Block {
  return { type: 'actions', block_id: blockId, elements: elements.slice(0, 25) };
}
