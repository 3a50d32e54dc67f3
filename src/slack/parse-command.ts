/**
 * Parsing of `/tasks …` text. Pure. Task names may contain spaces: write them as typed
 * (`/tasks run nightly backup`) or quoted (`/tasks pause "nightly backup" disk full`).
 */
export const SUBCOMMANDS = [
  'help',
  'list',
  'new',
  'edit',
  'run',
  'pause',
  'resume',
  'delete',
  'logs',
  'history',
  'retry',
  'stats',
  'templates',
  'audit',
  'why',
  'alerts',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export type ParsedCommand =
  | { kind: 'command'; name: Subcommand; args: string[]; rest: string }
  | { kind: 'unknown'; word: string };

/**
 * Slack sends a slash command's text with its three control characters escaped as HTML entities
 * (`&amp;`, `&lt;`, `&gt;`), as in every text it sends: https://docs.slack.dev/messaging/formatting-message-text#escaping
 * (the slash-command payload's `text`: https://docs.slack.dev/interactivity/implementing-slash-commands).
 * One pass, so `&amp;lt;` (a person typing `&lt;`) becomes `&lt;`, not `<`; Slack's own link syntax
 * (`<@U123>`, `<#C123|name>`) arrives with real angle brackets and is left as it is.
 */
export function decodeSlackEscapes(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, entity: string) =>
    entity === 'amp' ? '&' : entity === 'lt' ? '<' : '>',
  );
}

/** Words of `text`, keeping "double-quoted" (or “curly-quoted”) groups together without their quotes. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (const match of text.matchAll(pattern)) tokens.push(match[1] ?? match[2] ?? match[3] ?? '');
  return tokens.filter((token) => token !== '');
}

/** Parses the `text` of a `/tasks` payload as Slack sends it (escaped: see decodeSlackEscapes). */
export function parseTasksCommand(text: string): ParsedCommand {
  const trimmed = decodeSlackEscapes(text).trim();
  if (trimmed === '') return { kind: 'command', name: 'help', args: [], rest: '' };
  const first = trimmed.split(/\s+/)[0] ?? '';
  const word = first.toLowerCase();
  if (!(SUBCOMMANDS as readonly string[]).includes(word)) return { kind: 'unknown', word: first };
  const rest = trimmed.slice(first.length).trim();
  return { kind: 'command', name: word as Subcommand, args: tokenize(rest), rest };
}
