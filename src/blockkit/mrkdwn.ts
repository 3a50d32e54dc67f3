/**
 * Escaping for Slack mrkdwn. Slack reads `<…>` as links and mentions (`<!channel>`, `<@U123>`) and
 * `&` starts an entity, so every user-supplied string shown as mrkdwn goes through {@link escapeMrkdwn}:
 * a task named `<!channel>` is displayed as typed and pings nobody. plain_text objects need no escaping.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Shortens `text` to at most `max` characters (code points are not split), ending with `…` when cut.
 * Used for Slack's hard limits (3000 per section, 75 per button) so a long name never breaks a view.
 */
export function truncateText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * Text for a mrkdwn code block (```…```). Escaped like any mrkdwn, with backticks neutralised so the
 * content cannot close the block early.
 */
export function codeBlock(text: string): string {
  const body = escapeMrkdwn(text).replace(/```/g, "'''");
  return `\`\`\`${body === '' ? ' ' : body}\`\`\``;
}

/**
 * A value from a result row as mrkdwn text (dates as ISO-8601, objects as JSON), escaped: the report and
 * notification executors show rows of a database the task's author controls.
 */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escapeMrkdwn(JSON.stringify(value));
  return escapeMrkdwn(String(value));
}
