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

/** Words of `text`, keeping "double-quoted" (or “curly-quoted”) groups together without their quotes. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (const match of text.matchAll(pattern)) tokens.push(match[1] ?? match[2] ?? match[3] ?? '');
  return tokens.filter((token) => token !== '');
}

export function parseTasksCommand(text: string): ParsedCommand {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'command', name: 'help', args: [], rest: '' };
  const first = trimmed.split(/\s+/)[0] ?? '';
  const word = first.toLowerCase();
  if (!(SUBCOMMANDS as readonly string[]).includes(word)) return { kind: 'unknown', word: first };
  const rest = trimmed.slice(first.length).trim();
  return { kind: 'command', name: word as Subcommand, args: tokenize(rest), rest };
}
