import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../shared/logger.js';
import { acceptedHosts, decideAccess, isPage, newSecret, sameSecret } from './access.js';
import type { Json } from './block-rules.js';
import { createBotClient } from './bot-client.js';
import { type ActionSource, createInteractions, type PageAction, type StateValues } from './interactions.js';
import { servePageFile } from './page-files.js';
import {
  ALERTS_CHANNEL,
  dmChannelOf,
  GENERAL_CHANNEL,
  SANDBOX_BOT,
  SANDBOX_USERS,
  type SandboxUser,
} from './users.js';
import { createWebApi } from './web-api.js';
import { createWorkspace, type SandboxMessage } from './workspace.js';

/**
 * The sandbox (docs/ARCHITECTURE.md §8): a Slack workspace for this one app, served on the service's own HTTP
 * server. It answers the bot's Web API calls under `/api/`, takes its `response_url` posts, sends
 * signed commands and interactions to the bot's `/slack/events`, and serves the page at `/` that shows
 * it all and updates live (server-sent events on `/sandbox/stream`). Its people are admins, so it
 * answers only its own Host names, and the page only with this run's secret (see access.ts).
 */
export interface SandboxOptions {
  /** Shared with the Bolt app, which verifies every request the sandbox sends. */
  signingSecret: string;
  /** The token the bot's WebClient sends, made up for this run; anything else answers `invalid_auth`. */
  botToken: string;
  /** Base URL of the server the sandbox is mounted on, e.g. `http://127.0.0.1:3000` (no trailing slash). */
  baseUrl: string;
  /**
   * The HOST the server was asked to listen on, when it is not the base URL's (e.g. 0.0.0.0): requests
   * must be addressed to it, to the base URL's host or to a loopback name, on the base URL's port.
   */
  listenHost?: string;
  /** Where the bot listens (default `${baseUrl}/slack/events`). */
  botEventsUrl?: string;
  logger: Logger;
  users?: readonly SandboxUser[];
  nowMs?: () => number;
  /**
   * The bot's subcommands and templates, which the page suggests as `/tasks …` is typed (served at
   * `/sandbox/commands`): plain data from the composition root, as the sandbox knows nothing of the bot.
   */
  commands?: SandboxCommands;
}

/** The `/tasks` subcommands and templates the page suggests (see SandboxOptions.commands). */
export interface SandboxCommands {
  readonly subcommands: ReadonlyArray<{ name: string; usage: string; description: string }>;
  readonly templates: ReadonlyArray<{ id: string; name: string }>;
}

export interface Sandbox {
  /** Handles the sandbox's routes and returns true, or returns false without touching the request. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** What to give the bot's WebClient as slackApiUrl (ends with `/`). */
  readonly apiUrl: string;
  /** The bot token `/api/` accepts (the one given in the options). */
  readonly botToken: string;
  readonly pageUrl: string;
  /**
   * The page's URL with this run's secret (`/?token=…`): opening it sets the cookie the page and its
   * calls need. Printed at start; whoever has it acts as the sandbox's admins.
   */
  readonly pageUrlWithToken: string;
  readonly alertsChannelId: string;
  readonly generalChannelId: string;
  readonly users: readonly SandboxUser[];
  /** Messages of a conversation as `userId` sees them (tests and diagnostics). */
  messagesFor(channelId: string, userId: string): SandboxMessage[];
  /** Ends the live streams so the HTTP server can close. */
  close(): void;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const MAX_PROBLEMS = 20;
const STREAM_HEARTBEAT_MS = 15_000;

// Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
export function createSandbox(options: SandboxOptions): Sandbox {
  const nowMs = options.nowMs ?? Date.now;
  const logger = options.logger.child({ component: 'sandbox' });
  const users = options.users ?? SANDBOX_USERS;
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const base = new URL(baseUrl);
  const port = base.port ? Number(base.port) : base.protocol === 'https:' ? 443 : 80;
  const accessRules = {
    acceptedHosts: acceptedHosts([base.hostname, ...(options.listenHost ? [options.listenHost] : [])], port),
    pageSecret: newSecret(),
    cookieName: `chronops_sandbox_${port}`,
  };
  const workspace = createWorkspace({ nowMs, users });
  /** Refusals and bot failures, newest last, shown on the page: a sandbox must not fail silently. */
  const problems: Array<{ atMs: number; text: string }> = [];
  const addProblem = (text: string) => {
    problems.push({ atMs: nowMs(), text });
    if (problems.length > MAX_PROBLEMS) problems.shift();
    workspace.changed();
  };
  const api = createWebApi({
    workspace,
    nowMs,
    baseUrl: () => baseUrl,
    onReject: (rejection) => {
      // usergroups.users.list is how the bot checks group roles; the sandbox has none, which is normal.
      if (rejection.method === 'usergroups.users.list') return;
      logger.warn(rejection, `Slack would refuse ${rejection.method}: ${rejection.error}`);
      addProblem(
        `${rejection.method} → ${rejection.error}${rejection.problems.length ? `: ${rejection.problems.join('; ')}` : ''}`,
      );
    },
  });
  const bot = createBotClient({
    url: () => options.botEventsUrl ?? `${baseUrl}/slack/events`,
    signingSecret: options.signingSecret,
    nowMs,
  });
  const interactions = createInteractions({
    workspace,
    bot,
    nowMs,
    responseUrl: (id) => `${baseUrl}/sandbox/response/${id}`,
    onBotFailure: (_what, detail) => {
      logger.warn(detail);
      addProblem(detail);
    },
  });

  const streams = new Set<ServerResponse>();
  workspace.onChange(() => {
    for (const stream of streams) stream.write(`event: change\ndata: ${workspace.version}\n\n`);
  });
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': keep-alive\n\n');
  }, STREAM_HEARTBEAT_MS);
  heartbeat.unref();

  const visible = (message: SandboxMessage, userId: string) =>
    !message.ephemeralFor || message.ephemeralFor === userId;

  const stateFor = (userId: string) => {
    const channels = [...workspace.channels.values()].filter(
      (channel) => !channel.dmUser || channel.dmUser === userId,
    );
    return {
      version: workspace.version,
      me: userId,
      users,
      bot: SANDBOX_BOT,
      alertsChannelId: ALERTS_CHANNEL.id,
      channels: channels.map((channel) => ({
        id: channel.id,
        name: channel.name,
        kind: channel.dmUser ? 'app' : 'channel',
        messages: channel.messages.filter((message) => visible(message, userId)),
      })),
      home: workspace.homeOf(userId) ?? null,
      modals: workspace
        .modalStack(userId)
        .map((id) => workspace.views.get(id))
        .filter((view) => view !== undefined)
        .map((view) => ({ ...view, errors: workspace.viewErrorsOf(view.id) ?? {} })),
      problems,
    };
  };

  const sendJson = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(JSON.stringify(body));
  };

  const isUser = (id: unknown): id is string =>
    typeof id === 'string' && users.some((user) => user.id === id);

  /** The page's own calls; JSON only, which a cross-site form cannot send (no CORS is answered). */
  const pageCall = async (route: string, body: Json): Promise<{ status: number; body: unknown }> => {
    if (!isUser(body.user)) return { status: 400, body: { ok: false, error: 'unknown user' } };
    const user = body.user;
    const values = (body.values as StateValues | undefined) ?? {};
    switch (route) {
      case 'command':
        return {
          status: 200,
          body: await interactions.command(user, String(body.channel), String(body.text ?? '')),
        };
      case 'action':
        return {
          status: 200,
          body: await interactions.blockAction(
            user,
            body.source as ActionSource,
            body.action as PageAction,
            values,
          ),
        };
      case 'submit':
        return { status: 200, body: await interactions.submit(user, String(body.viewId), values) };
      case 'close':
        return { status: 200, body: await interactions.close(user, String(body.viewId), values) };
      case 'home':
        return { status: 200, body: await interactions.openHome(user) };
      case 'message':
        return {
          status: 200,
          body: interactions.message(
            user,
            String(body.channel),
            String(body.text ?? ''),
            typeof body.threadTs === 'string' ? body.threadTs : undefined,
          ),
        };
      default:
        return { status: 404, body: { ok: false, error: 'unknown route' } };
    }
  };

  const route = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const method = request.method ?? 'GET';
    if (path.startsWith('/api/')) {
      const raw = await readBody(request);
      const args = parseArgs(raw.toString('utf8'), request.headers['content-type'] ?? '');
      const token =
        bearer(request.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
      const name = path.slice('/api/'.length);
      if (!sameSecret(token, options.botToken))
        return sendJson(response, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
      return sendJson(response, 200, api.call(name, args));
    }
    if (path.startsWith('/sandbox/response/') && method === 'POST') {
      const raw = (await readBody(request)).toString('utf8');
      const body = parseArgs(raw, request.headers['content-type'] ?? 'application/json');
      const answer = await interactions.respond(path.slice('/sandbox/response/'.length), body);
      response.writeHead(answer.status, { 'content-type': 'text/plain' });
      return response.end(answer.text);
    }
    if (path.startsWith('/sandbox/upload/') && method === 'POST') {
      const bytes = (await readBody(request)).length;
      const ok = api.receiveUpload(path.slice('/sandbox/upload/'.length), bytes);
      response.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain' });
      return response.end(ok ? `OK - ${bytes}` : 'not found');
    }
    if (path === '/sandbox/stream') {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      response.write(`event: change\ndata: ${workspace.version}\n\n`);
      streams.add(response);
      request.on('close', () => streams.delete(response));
      return;
    }
    if (path === '/sandbox/commands' && method === 'GET')
      return sendJson(response, 200, options.commands ?? { subcommands: [], templates: [] });
    if (path === '/sandbox/state') {
      // Reading is harmless: an unknown or missing user sees the workspace as its first person.
      const user = new URL(request.url ?? '/', baseUrl).searchParams.get('user');
      return sendJson(response, 200, stateFor(isUser(user) ? user : users[0]!.id));
    }
    if (path.startsWith('/sandbox/assets/')) {
      const file = path.slice('/sandbox/assets/'.length);
      if (file === 'index.html' || !(await servePageFile(response, file)))
        return sendJson(response, 404, { ok: false, error: 'not found' });
      return;
    }
    if (path.startsWith('/sandbox/') && method === 'POST') {
      if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
        return sendJson(response, 415, { ok: false, error: 'JSON expected' });
      const body = JSON.parse((await readBody(request)).toString('utf8') || '{}') as Json;
      const answer = await pageCall(path.slice('/sandbox/'.length), body);
      return sendJson(response, answer.status, answer.body);
    }
    if (path === '/' || path === '/index.html') {
      await servePageFile(response, 'index.html');
      return;
    }
    return sendJson(response, 404, { ok: false, error: 'not found' });
  };

  /** A refusal in a sentence: an HTML page for the page itself, plain text for everything else. */
  const refuse = (response: ServerResponse, status: number, reason: string, asPage: boolean) => {
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (asPage) {
      response.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><meta charset="utf-8"><title>chronops sandbox</title><p>${escapeHtml(reason)}</p>\n`,
      );
    } else {
      response.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${reason}\n`);
    }
  };

  return {
    apiUrl: `${baseUrl}/api/`,
    botToken: options.botToken,
    pageUrl: `${baseUrl}/`,
    pageUrlWithToken: `${baseUrl}/?token=${accessRules.pageSecret}`,
    alertsChannelId: ALERTS_CHANNEL.id,
    generalChannelId: GENERAL_CHANNEL.id,
    users,
    handleRequest(request, response) {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const mine =
        path.startsWith('/api/') || path.startsWith('/sandbox/') || isPage(request.method ?? 'GET', path);
      if (!mine) return false;
      const access = decideAccess(
        {
          method: request.method ?? 'GET',
          url: request.url ?? '/',
          hostHeader: request.headers.host,
          cookieHeader: request.headers.cookie,
        },
        accessRules,
      );
      if (access.kind === 'refuse') {
        if (access.status === 403)
          logger.warn({ host: request.headers.host, path }, 'refused a foreign Host');
        refuse(response, access.status, access.reason, isPage(request.method ?? 'GET', path));
        return true;
      }
      if (access.kind === 'open') {
        response.writeHead(303, {
          location: access.location,
          'set-cookie': access.setCookie,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        response.end();
        return true;
      }
      route(request, response, path).catch((error: unknown) => {
        logger.error({ err: error, path }, 'sandbox request failed');
        if (!response.headersSent) sendJson(response, 500, { ok: false, error: 'sandbox_error' });
        else response.end();
      });
      return true;
    },
    messagesFor(channelId, userId) {
      const channel = workspace.resolveChannel(channelId) ?? workspace.channels.get(dmChannelOf(channelId));
      return channel ? channel.messages.filter((message) => visible(message, userId)) : [];
    },
    close() {
      clearInterval(heartbeat);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1];
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** @slack/web-api sends form-encoded arguments with objects JSON-encoded; JSON bodies are accepted too. */
function parseArgs(raw: string, contentType: string): Json {
  if (contentType.includes('application/json')) return raw ? (JSON.parse(raw) as Json) : {};
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw))
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
