import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for the Slack Web API and for `response_url`s, for end-to-end tests of the real Bolt
 * app (docs/ARCHITECTURE.md §10). It records every call, answers like Slack (ok, ts, view ids and hashes, trigger
 * ids valid 3 s and once), and rejects what real Slack rejects with `invalid_blocks`, so a test fails
 * where production would.
 */

export type Json = Record<string, unknown>;
type AnyBlock = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  args: Json;
  /** What the fake answered. */
  response: Json;
}

export interface RecordedResponse {
  id: string;
  body: Json;
  rejected: string[];
}

/** A message as the fake keeps it, per channel (for conversations.history and chat.update). */
export interface StoredMessage {
  ts: string;
  text: string;
  blocks?: unknown;
  metadata?: Json;
  thread_ts?: string;
  /** How many times chat.update changed it. */
  edits: number;
}

/**
 * A programmable HTTP-level failure of one call: a status (429 with Retry-After, 500…) answered
 * instead of handling it, or `drop`: the call is handled (a message is posted) but the connection is
 * cut before the answer, as when a response is lost on the network.
 */
export type HttpFailure = { status: number; retryAfterSec?: number } | { drop: true };

/** A file shared with files.uploadV2 (its three steps completed). */
export interface SharedFile {
  id: string;
  filename: string;
  title: string;
  /** The bytes POSTed to the upload URL, as the client sent them (multipart or raw). */
  body: string;
  channel: string | null;
  threadTs: string | null;
}

export interface StoredView extends Json {
  id: string;
  hash: string;
  type: string;
  blocks: AnyBlock[];
  private_metadata?: string;
  callback_id?: string;
}

// ---------------------------------------------------------------------------------------------------
// Slack's limits (checked against the Block Kit reference and docs/ARCHITECTURE.md §10)

// Slack's block validation is shared with the sandbox (src/sandbox/block-rules.ts), so the tests' fake
// and the sandbox refuse exactly what real Slack refuses.
import { blockProblems, messageProblems, viewProblems } from '../../src/sandbox/block-rules.js';
import { viewArgumentProblems } from '../../src/sandbox/view-argument-rules.js';
import { manifestBotScopes, scopeNeededFor } from './slack-scopes.js';

export { blockProblems, viewProblems };

// ---------------------------------------------------------------------------------------------------
// The server

export interface FakeSlack {
  /** Base URL of the fake, e.g. http://127.0.0.1:PORT/ */
  readonly url: string;
  /** What to give the bot as slackApiUrl: `${url}api/`. */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponse[];
  /** Every request the fake rejected, with the reasons; tests assert it stays empty. */
  readonly rejected: Array<{ method: string; problems: string[] }>;
  readonly views: Map<string, StoredView>;
  readonly homes: Map<string, StoredView>;
  /** Members of user groups, for usergroups.users.list; a missing group answers no_such_subteam. */
  readonly userGroups: Map<string, string[]>;
  /** Files shared with files.uploadV2, in order. */
  readonly files: SharedFile[];
  /** Where apps.connections.open sends Socket Mode clients (a local WebSocket server of the test). */
  socketModeUrl: string | undefined;
  /** Makes the next calls of `method` fail with `error`. */
  failNext(method: string, error: string, times?: number): void;
  /** Makes the next `times` calls of `method` fail at the HTTP level (queued after earlier ones). */
  failHttp(method: string, failure: HttpFailure, times?: number): void;
  /** Forgets the HTTP failures still queued for `method` (the outage is over). */
  clearHttpFailures(method: string): void;
  /**
   * A slow Slack: calls of `method` arriving from now on are parked unanswered (and not recorded) until
   * `release()` handles and answers them, and lets later calls through. `close()` cuts parked calls.
   */
  holdCalls(method: string): CallHold;
  /** Messages posted to a channel (top-level and replies), oldest first. */
  messagesIn(channel: string): StoredMessage[];
  /** A fresh trigger id, valid 3 s and once, as Slack puts in interaction payloads. */
  newTriggerId(): string;
  /** A fresh response_url on this server. */
  newResponseUrl(): string;
  /**
   * Resolves with the first message posted to `responseUrl` (at once when it is already there), or with
   * undefined after `timeoutMs`: lets a load generator wait for a request's follow-up without polling.
   */
  waitForResponse(responseUrl: string, timeoutMs: number): Promise<RecordedResponse | undefined>;
  callsTo(method: string): RecordedCall[];
  lastView(): StoredView | undefined;
  close(): Promise<void>;
}

export interface CallHold {
  /** Calls parked so far and not yet released. */
  parked(): number;
  release(): void;
}

export async function startFakeSlack(
  options: {
    triggerTtlMs?: number;
    /** The bot token's scopes (default: manifest.json's `oauth_config.scopes.bot`, read now). */
    scopes?: readonly string[];
  } = {},
): Promise<FakeSlack> {
  const triggerTtlMs = options.triggerTtlMs ?? 3000;
  // The token has exactly the scopes the app is installed with: a call needing another one is answered
  // `missing_scope` with `needed` and `provided`, as Slack does (docs/SLACK.md, "Bot scopes").
  const granted = new Set(options.scopes ?? manifestBotScopes());
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  // The first response per response_url id, and who waits for one not yet posted.
  const firstResponses = new Map<string, RecordedResponse>();
  const responseWaiters = new Map<string, Array<(response: RecordedResponse) => void>>();
  const rejected: Array<{ method: string; problems: string[] }> = [];
  const views = new Map<string, StoredView>();
  const homes = new Map<string, StoredView>();
  const userGroups = new Map<string, string[]>();
  const failures = new Map<string, { error: string; times: number }>();
  const httpFailures = new Map<string, HttpFailure[]>();
  const messages = new Map<string, StoredMessage[]>();
  const holds = new Map<string, Array<() => void>>();
  const parkedSockets = new Set<Socket>();
  // files.uploadV2: URLs handed out by files.getUploadURLExternal, what was POSTed to them, and the
  // files shared by files.completeUploadExternal.
  const uploadSlots = new Map<string, { filename: string; length: number; body?: string }>();
  const files: SharedFile[] = [];
  let baseUrl = '';
  const channelMessages = (channel: string) => {
    let list = messages.get(channel);
    if (!list) {
      list = [];
      messages.set(channel, list);
    }
    return list;
  };
  const withMetadata = (message: StoredMessage, include: boolean): Json => ({
    type: 'message',
    ts: message.ts,
    text: message.text,
    ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(include && message.metadata ? { metadata: message.metadata } : {}),
  });
  /** Slack's cursor pagination, newest first for history, oldest first for replies. */
  const page = (list: StoredMessage[], args: Json, include: boolean): Json => {
    const limit = Math.max(1, Math.min(1000, Number(args.limit ?? 100)));
    const start = Number(args.cursor ?? 0) || 0;
    const slice = list.slice(start, start + limit);
    const next = start + limit < list.length ? String(start + limit) : '';
    return {
      ok: true,
      messages: slice.map((message) => withMetadata(message, include)),
      has_more: next !== '',
      response_metadata: { next_cursor: next },
    };
  };
  const triggers = new Map<string, number>();
  let counter = 0;
  let lastViewId: string | undefined;
  const id = (prefix: string) => `${prefix}${(++counter).toString(36).toUpperCase().padStart(8, '0')}`;

  const storeView = (view: Json, viewId = id('V')): StoredView => {
    const stored = {
      ...view,
      id: viewId,
      hash: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      state: { values: {} },
    } as unknown as StoredView;
    views.set(viewId, stored);
    lastViewId = viewId;
    return stored;
  };

  const useTrigger = (trigger: unknown): string | undefined => {
    if (typeof trigger !== 'string' || !triggers.has(trigger)) return 'invalid_trigger_id';
    const issued = triggers.get(trigger)!;
    triggers.delete(trigger);
    return Date.now() - issued > triggerTtlMs ? 'expired_trigger_id' : undefined;
  };

  const invalid = (method: string, problems: string[]): Json => {
    rejected.push({ method, problems });
    return { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } };
  };
  /** A view outside Slack's view schema (an initial_value longer than its input's max_length…). */
  const invalidView = (method: string, view: unknown): Json | undefined => {
    const problems = viewArgumentProblems(view);
    if (problems.length === 0) return undefined;
    rejected.push({ method, problems });
    return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } };
  };

  const handle = (method: string, args: Json): Json => {
    const failure = failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return { ok: false, error: failure.error };
    }
    const needed = scopeNeededFor(method, args);
    if (needed && !granted.has(needed)) {
      rejected.push({ method, problems: [`missing_scope: ${needed}`] });
      return { ok: false, error: 'missing_scope', needed, provided: [...granted].join(',') };
    }
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'chronops',
          team_id: 'T0FAKE',
          user_id: 'U0BOT',
          bot_id: 'B0BOT',
        };
      case 'views.open':
      case 'views.push': {
        const refused = invalidView(method, args.view);
        if (refused) return refused;
        const problems = viewProblems(args.view);
        if (problems.length > 0) return invalid(method, problems);
        const triggerError = useTrigger(args.trigger_id);
        if (triggerError) {
          rejected.push({ method, problems: [triggerError] });
          return { ok: false, error: triggerError };
        }
        return { ok: true, view: storeView(args.view as Json) };
      }
      case 'views.update': {
        const existing = views.get(String(args.view_id));
        if (!existing) return { ok: false, error: 'not_found' };
        if (args.hash !== undefined && args.hash !== existing.hash)
          return { ok: false, error: 'hash_conflict' };
        const refused = invalidView(method, args.view);
        if (refused) return refused;
        const problems = viewProblems(args.view);
        if (problems.length > 0) return invalid(method, problems);
        return { ok: true, view: storeView(args.view as Json, existing.id) };
      }
      case 'views.publish': {
        const refused = invalidView(method, args.view);
        if (refused) return refused;
        const problems = viewProblems(args.view);
        if (problems.length > 0) return invalid(method, problems);
        if ((args.view as Json).type !== 'home') return invalid(method, ['views.publish needs a home view']);
        const stored = {
          ...(args.view as Json),
          id: id('V'),
          hash: 'home',
          state: { values: {} },
        } as unknown as StoredView;
        homes.set(String(args.user_id), stored);
        return { ok: true, view: stored };
      }
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        if (typeof args.channel !== 'string' || args.channel === '')
          return { ok: false, error: 'channel_not_found' };
        const problems = messageProblems(args);
        if (problems.length > 0) return invalid(method, problems);
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
        if (method === 'chat.postEphemeral') return { ok: true, message_ts: ts };
        channelMessages(args.channel).push({
          ts,
          text: typeof args.text === 'string' ? args.text : '',
          ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
          ...(args.metadata && typeof args.metadata === 'object' ? { metadata: args.metadata as Json } : {}),
          ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
          edits: 0,
        });
        return { ok: true, channel: args.channel, ts };
      }
      case 'chat.update': {
        if (typeof args.channel !== 'string' || args.channel === '')
          return { ok: false, error: 'channel_not_found' };
        const problems = messageProblems(args);
        if (problems.length > 0) return invalid(method, problems);
        const message = messages.get(args.channel)?.find((candidate) => candidate.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = typeof args.text === 'string' ? args.text : message.text;
        if (args.blocks !== undefined) message.blocks = args.blocks;
        message.edits += 1;
        return { ok: true, channel: args.channel, ts: message.ts };
      }
      case 'conversations.open': {
        // The bot's direct-message channel with one user (im:write); the same id every time.
        const user = String(args.users ?? '');
        if (!/^[UW][A-Z0-9]{2,}$/.test(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: `D${user.slice(1)}` } };
      }
      case 'conversations.history': {
        const oldest = Number(args.oldest ?? 0);
        const list = (messages.get(String(args.channel)) ?? [])
          .filter((message) => !message.thread_ts && Number(message.ts) >= oldest)
          .reverse();
        return page(list, args, args.include_all_metadata === true || args.include_all_metadata === 'true');
      }
      case 'conversations.replies': {
        const list = (messages.get(String(args.channel)) ?? []).filter(
          (message) => message.ts === args.ts || message.thread_ts === args.ts,
        );
        if (list.length === 0) return { ok: false, error: 'thread_not_found' };
        return page(list, args, args.include_all_metadata === true || args.include_all_metadata === 'true');
      }
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (typeof args.filename !== 'string' || args.filename === '' || !(length > 0))
          return { ok: false, error: 'invalid_arguments' };
        const fileId = id('F');
        uploadSlots.set(fileId, { filename: args.filename, length });
        return { ok: true, file_id: fileId, upload_url: `${baseUrl}upload/${fileId}` };
      }
      case 'files.completeUploadExternal': {
        const listed = (Array.isArray(args.files) ? args.files : []) as Array<{
          id?: unknown;
          title?: unknown;
        }>;
        const slots = listed.map((file) => uploadSlots.get(String(file.id)));
        if (listed.length === 0 || slots.some((slot) => slot?.body === undefined))
          return { ok: false, error: 'invalid_arguments' };
        const channel = typeof args.channel_id === 'string' ? args.channel_id : null;
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : null;
        if (
          threadTs &&
          !(channel && (messages.get(channel) ?? []).some((message) => message.ts === threadTs))
        )
          return { ok: false, error: 'invalid_thread_ts' };
        const shared = listed.map((file, index) => ({
          id: String(file.id),
          filename: slots[index]!.filename,
          title: typeof file.title === 'string' ? file.title : slots[index]!.filename,
          body: slots[index]!.body!,
          channel,
          threadTs,
        }));
        files.push(...shared);
        return {
          ok: true,
          files: shared.map((file) => ({ id: file.id, name: file.filename, title: file.title })),
        };
      }
      case 'apps.connections.open':
        return fakeSlack.socketModeUrl
          ? { ok: true, url: fakeSlack.socketModeUrl }
          : { ok: false, error: 'not_allowed_token_type' };
      case 'usergroups.users.list': {
        const members = userGroups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const send = (status: number, body: Json | string) => {
        response.writeHead(status, {
          'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
        });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (path.startsWith('/response/')) {
        const body = JSON.parse(raw || '{}') as Json;
        const problems = messageProblems(body);
        const recorded = { id: path.slice('/response/'.length), body, rejected: problems };
        responses.push(recorded);
        if (!firstResponses.has(recorded.id)) firstResponses.set(recorded.id, recorded);
        const waiting = responseWaiters.get(recorded.id);
        responseWaiters.delete(recorded.id);
        for (const resolve of waiting ?? []) resolve(recorded);
        if (problems.length > 0) {
          rejected.push({ method: 'response_url', problems });
          return send(400, 'invalid_blocks');
        }
        return send(200, 'ok');
      }
      if (path.startsWith('/upload/') && request.method === 'POST') {
        const slot = uploadSlots.get(path.slice('/upload/'.length));
        if (!slot) return send(404, 'not found');
        slot.body = raw;
        return send(200, 'OK - 1');
      }
      if (path.startsWith('/api/')) {
        const method = path.slice('/api/'.length);
        const args = parseArgs(raw, request.headers['content-type'] ?? '');
        const failure = httpFailures.get(method)?.shift();
        if (failure && 'status' in failure) {
          const answer = { ok: false, error: `http_${failure.status}` };
          calls.push({ method, args, response: answer });
          response.writeHead(failure.status, {
            'content-type': 'application/json',
            ...(failure.retryAfterSec !== undefined ? { 'retry-after': String(failure.retryAfterSec) } : {}),
          });
          response.end(JSON.stringify(answer));
          return;
        }
        const answer = () => {
          const body = handle(method, args);
          calls.push({ method, args, response: body });
          if (failure && 'drop' in failure) {
            // Handled (the message exists) but the client never hears the answer.
            request.socket.destroy();
            return;
          }
          send(200, body);
        };
        const parked = holds.get(method);
        if (parked) {
          parkedSockets.add(request.socket);
          parked.push(() => {
            parkedSockets.delete(request.socket);
            if (!request.socket.destroyed) answer();
          });
          return;
        }
        return answer();
      }
      send(404, 'not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  baseUrl = url;
  const fakeSlack: FakeSlack = {
    url,
    apiUrl: `${url}api/`,
    calls,
    responses,
    rejected,
    views,
    homes,
    userGroups,
    files,
    failNext(method, error, times = 1) {
      failures.set(method, { error, times });
    },
    failHttp(method, failure, times = 1) {
      const queue = httpFailures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      httpFailures.set(method, queue);
    },
    clearHttpFailures(method) {
      httpFailures.delete(method);
    },
    holdCalls(method) {
      const parked: Array<() => void> = [];
      holds.set(method, parked);
      return {
        parked: () => parked.length,
        release() {
          if (holds.get(method) === parked) holds.delete(method);
          for (const resume of parked.splice(0)) resume();
        },
      };
    },
    messagesIn: (channel) => [...(messages.get(channel) ?? [])],
    newTriggerId() {
      const trigger = `${++counter}.${randomBytes(6).toString('hex')}`;
      triggers.set(trigger, Date.now());
      return trigger;
    },
    newResponseUrl() {
      return `${url}response/${id('R')}`;
    },
    waitForResponse(responseUrl, timeoutMs) {
      const responseId = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
      const already = firstResponses.get(responseId);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const list = responseWaiters.get(responseId)?.filter((waiter) => waiter !== done);
          if (list && list.length > 0) responseWaiters.set(responseId, list);
          else responseWaiters.delete(responseId);
          resolve(undefined);
        }, timeoutMs);
        const done = (response: RecordedResponse) => {
          clearTimeout(timer);
          resolve(response);
        };
        responseWaiters.set(responseId, [...(responseWaiters.get(responseId) ?? []), done]);
      });
    },
    callsTo: (method) => calls.filter((call) => call.method === method),
    lastView: () => (lastViewId ? views.get(lastViewId) : undefined),
    close: () => {
      for (const socket of parkedSockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
    socketModeUrl: undefined,
  };
  return fakeSlack;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** @slack/web-api sends form-encoded arguments with objects JSON-encoded; JSON bodies are accepted too. */
function parseArgs(raw: string, contentType: string): Json {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Json;
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
