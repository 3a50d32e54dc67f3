import { escapeMrkdwn, truncateText } from '../domain/mrkdwn.js';

/**
 * The few Slack rules the report and notification executors must respect when they build their
 * message payloads (docs/ARCHITECTURE.md §10). The full Block Kit builders live in slack/; executors may not import
 * them, and only need these. Escaping (`&`, `<`, `>`) and truncation come from domain/mrkdwn.ts.
 */

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  headerText: 150,
  contextElements: 10,
} as const;

/** A mrkdwn text object, cut to the section limit. */
export function mrkdwn(
  text: string,
  max: number = SLACK_LIMITS.sectionText,
): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: truncateText(text, max) };
}

/** Renders a value from a result row for a message (dates as ISO-8601, objects as JSON), escaped. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escapeMrkdwn(JSON.stringify(value));
  return escapeMrkdwn(String(value));
}

/** Keeps at most `max` blocks: the first `max - 1` and the last one (usually the context footer). */
export function capBlocks<T>(blocks: T[], max: number = SLACK_LIMITS.blocksPerMessage): T[] {
  if (blocks.length <= max) return blocks;
  const last = blocks.at(-1) as T;
  return [...blocks.slice(0, max - 1), last];
}
