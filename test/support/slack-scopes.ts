import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which bot-token scopes each Web API method chronops calls needs, as Slack's method pages say (the
 * "Scopes — Bot token" fact of each page linked here). Two users: the manifest test (test/unit/slack/
 * manifest-scopes.test.ts) derives from it the scopes the code needs and compares them with
 * manifest.json, and the fake Web API (fake-slack.ts) answers `missing_scope` for a call whose scope the
 * manifest does not grant, as Slack does. A method the code starts calling must be added here, with
 * its page, or the manifest test fails (docs/SLACK.md, "Bot scopes").
 */
export interface MethodScopes {
  /** Every scope the code may need for this method (one per kind of conversation it is used on). */
  readonly scopes: readonly string[];
  readonly doc: string;
}

const method = (name: string, scopes: string[]): [string, MethodScopes] => [
  name,
  { scopes, doc: `https://docs.slack.dev/reference/methods/${name}` },
];

export const METHOD_SCOPES: ReadonlyMap<string, MethodScopes> = new Map([
  // Bolt's authorize() (src/slack/app.ts): any token may call it.
  method('auth.test', []),
  method('chat.postMessage', ['chat:write']),
  method('chat.postEphemeral', ['chat:write']),
  method('chat.update', ['chat:write']),
  // Views need no scope: the trigger_id (or the user's App Home) is the permission.
  method('views.open', []),
  method('views.push', []),
  method('views.update', []),
  method('views.publish', []),
  // The outbox's crash-recovery lookup reads the alert channel (public or private) or the author's DM.
  method('conversations.history', ['channels:history', 'groups:history', 'im:history']),
  method('conversations.replies', ['channels:history', 'groups:history', 'im:history']),
  // Alerts to a task's author when no ALERT_CHANNEL is set: a 1:1 DM (mpim:write is for user tokens).
  method('conversations.open', ['im:write']),
  method('usergroups.users.list', ['usergroups:read']),
  // The report's CSV, through the SDK's files.uploadV2 (its two Web API calls).
  method('files.getUploadURLExternal', ['files:write']),
  method('files.completeUploadExternal', ['files:write']),
  // Socket Mode: called with the app-level token (connections:write), not the bot token.
  method('apps.connections.open', []),
]);

/** SDK helpers that are not Web API methods themselves, and the methods they call. */
export const SDK_HELPERS: ReadonlyMap<string, readonly string[]> = new Map([
  // https://docs.slack.dev/tools/node-slack-sdk/web-api/#upload-a-file
  ['files.uploadV2', ['files.getUploadURLExternal', 'files.completeUploadExternal']],
]);

/**
 * Scopes a manifest feature needs by itself: slash commands need `commands`
 * (https://docs.slack.dev/reference/scopes/commands). The `app_home_opened` event needs none
 * (https://docs.slack.dev/reference/events/app_home_opened).
 */
export function featureScopes(manifest: Manifest): string[] {
  return (manifest.features?.slash_commands?.length ?? 0) > 0 ? ['commands'] : [];
}

export interface Manifest {
  features?: { slash_commands?: unknown[] };
  oauth_config?: { scopes?: { bot?: string[] } };
}

export const MANIFEST_PATH = join(import.meta.dirname, '../../manifest.json');

export function readManifest(path = MANIFEST_PATH): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

export function manifestBotScopes(manifest: Manifest = readManifest()): string[] {
  return [...(manifest.oauth_config?.scopes?.bot ?? [])];
}

/**
 * The scope one call needs, as Slack decides it: for the history methods, the one of the conversation's
 * kind (its id: D a direct message, G an old-style private channel, C a channel). Undefined: none.
 */
export function scopeNeededFor(name: string, args: Record<string, unknown>): string | undefined {
  const known = METHOD_SCOPES.get(name);
  if (!known || known.scopes.length === 0) return undefined;
  if (name === 'conversations.history' || name === 'conversations.replies') {
    const channel = String(args.channel ?? '');
    if (channel.startsWith('D')) return 'im:history';
    if (channel.startsWith('G')) return 'groups:history';
    return 'channels:history';
  }
  return known.scopes[0];
}
