import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App,
  type Authorize,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  type SocketModeReceiver,
} from '@slack/bolt';
import type pg from 'pg';
import type { Clock } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/database.js';
import { listRecentHomeViewers, rememberHomeViewer } from '../store/home-viewers.js';
import { createAfterAckQueue } from './after-ack.js';
import type { SlackClient, SlackConfig, SlackDeps } from './deps.js';
import { publishHomeView } from './home.js';
import { createHttpAdmission } from './http-admission.js';
import { messagesFor } from './i18n/index.js';
import * as actions from './listeners/actions.js';
import * as commands from './listeners/commands.js';
import * as events from './listeners/events.js';
import * as views from './listeners/views.js';
import { createRoleResolver } from './permissions.js';
import { createSocketConnection, type SlackConnectionState } from './socket-connection.js';
import { interactiveClientOptions } from './web-client-policy.js';

/** The path Slack posts commands, interactions and events to (HTTP mode). */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Default after-ack concurrency (see after-ack.ts and docs/BENCHMARKS.md, `slack`). */
export const AFTER_ACK_CONCURRENCY = 8;

// Who counts as looking at their App Home for republishing after a change, and how many at most.
const HOME_VIEWER_TTL_MS = 24 * 3600 * 1000;
const HOME_REPUBLISH_LIMIT = 50;

export interface SlackAppDeps {
  /** The service Config (structurally: see SlackConfig). */
  config: SlackConfig;
  db: Database;
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** Wakes this replica's scheduler after a run or retry is queued (NOTIFY wakes the others). */
  wakeScheduler?: () => void;
  /**
   * True when a restricted task login is configured, so tasks carrying SQL can be saved and run.
   * Default false: without one, such tasks are refused where the person is (docs/SECURITY.md).
   */
  userSqlAvailable?: boolean;
  /**
   * How many listeners may do their after-ack work at once (after-ack.ts); the others wait their turn.
   * Default AFTER_ACK_CONCURRENCY.
   */
  afterAckConcurrency?: number;
  /**
   * Overrides of config.slack, for the sandbox and tests: a local fake Web API (`apiUrl`), a made-up
   * token and signing secret. `retries: 0` makes Web API failures immediate against a local fake.
   */
  connection?: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    socketMode?: boolean;
    retries?: number;
  };
}

export interface SlackApp {
  readonly app: App;
  /** The HTTP receiver (undefined in Socket Mode). */
  readonly receiver: HTTPReceiver | undefined;
  /** The Socket Mode receiver (undefined over HTTP): a WebSocket client only, no HTTP listener. */
  readonly socketReceiver: SocketModeReceiver | undefined;
  /**
   * Node request handler for mounting Bolt on an existing HTTP server (next to /healthz): handles
   * `POST /slack/events` and returns true, or returns false without touching the request.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Starts Bolt's own HTTP server on `port` (HTTP mode) or the Socket Mode connection. */
  start(port?: number): Promise<void>;
  /**
   * Socket Mode: opens the connection without waiting for it, and tries again (2 s, doubling up to
   * 60 s) after each failed try until stop(), so an unreachable Slack never holds up the rest of the
   * service (docs/SLACK.md, "Slack unreachable at start"). Nothing to do over HTTP.
   */
  connectInBackground(): void;
  /** Socket Mode's connection (undefined over HTTP: Slack comes to us). */
  connectionState(): SlackConnectionState | undefined;
  stop(): Promise<void>;
  /** Re-renders one user's App Home (first page). */
  republishHome(userId: string): Promise<void>;
  /** Resolves when every listener and the background work it started have finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Listener work still running (shutdown logs what it waits for). */
  inFlightCount(): number;
}

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (parts: unknown[]) =>
    parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  return {
    debug: (...parts) => child.debug(join(parts)),
    info: (...parts) => child.info(join(parts)),
    warn: (...parts) => child.warn(join(parts)),
    error: (...parts) => child.error(join(parts)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

/**
 * The Bolt app of docs/ARCHITECTURE.md §2: `/tasks`, buttons, modals and the App Home, over HTTP (signing secret,
 * `/slack/events`) or Socket Mode (app token). Every Web API call goes to `apiUrl` when set (GovSlack,
 * a proxy, the sandbox's fake Slack, tests).
 *
 * Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
 */
export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { config, logger } = deps;
  const connection = deps.connection ?? {};
  const botToken = connection.botToken ?? config.slack.botToken;
  const signingSecret = connection.signingSecret ?? config.slack.signingSecret;
  const appToken = connection.appToken ?? config.slack.appToken;
  const apiUrl = connection.apiUrl ?? config.slack.apiUrl;
  const socketMode = connection.socketMode ?? config.slack.mode === 'socket';
  if (!botToken)
    throw new Error('createSlackApp: a bot token is required (SLACK_BOT_TOKEN, or connection.botToken).');
  if (socketMode && !appToken) throw new Error('createSlackApp: Socket Mode needs SLACK_APP_TOKEN.');
  if (!socketMode && !signingSecret) throw new Error('createSlackApp: HTTP mode needs SLACK_SIGNING_SECRET.');

  // Fail fast: these clients answer people (web-client-policy.ts).
  const clientOptions = interactiveClientOptions({ apiUrl, retries: connection.retries });
  const receiver = socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: signingSecret!,
        endpoints: SLACK_EVENTS_PATH,
        logger: boltLogger(logger),
        processBeforeResponse: false,
      });
  const socket = socketMode
    ? createSocketConnection({
        appToken: appToken!,
        apiUrl,
        retries: connection.retries,
        logger: boltLogger(logger),
        log: logger,
      })
    : undefined;
  const socketReceiver = socket?.receiver;

  // auth.test once, lazily, and again only after a failure: Bolt's own token verification would call
  // it in the constructor (an unhandled rejection when Slack is unreachable at start) or on every request.
  let identity: Promise<{ botId: string; botUserId: string }> | undefined;
  const authorize: Authorize<boolean> = async () => {
    identity ??= app.client.auth
      .test({ token: botToken })
      .then((result) => ({ botId: String(result.bot_id ?? ''), botUserId: String(result.user_id ?? '') }))
      .catch((error: unknown) => {
        identity = undefined;
        throw error;
      });
    return { botToken, ...(await identity) };
  };

  const app = new App({
    authorize,
    logger: boltLogger(logger),
    clientOptions,
    // No conversation store: nothing reads context.conversation, and Bolt's default in-memory one
    // builds an Error ("Conversation not found") on every request before its listener can ack.
    convoStore: false,
    receiver: (receiver ?? socketReceiver)!,
  });

  // The listeners' clients carry the token from authorize(); background work uses this one.
  const tokenClient: SlackClient = {
    views: {
      open: (args) => app.client.views.open({ token: botToken, ...args } as never),
      update: (args) => app.client.views.update({ token: botToken, ...args } as never),
      push: (args) => app.client.views.push({ token: botToken, ...args } as never),
      publish: (args) => app.client.views.publish({ token: botToken, ...args } as never),
    },
    chat: { postMessage: (args) => app.client.chat.postMessage({ token: botToken, ...args } as never) },
  };

  const inflight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.catch((error: unknown) =>
      logger.error({ err: toError(error) }, 'Slack background work failed'),
    );
    inflight.add(settled);
    void settled.finally(() => inflight.delete(settled));
  };

  const afterAck = createAfterAckQueue(deps.afterAckConcurrency ?? AFTER_ACK_CONCURRENCY);
  const m = messagesFor(config.locale);
  const base = {
    config,
    db: deps.db,
    pool: deps.pool,
    clock: deps.clock,
    logger,
    m,
    locale: config.locale,
    wakeScheduler: deps.wakeScheduler,
    userSqlAvailable: deps.userSqlAvailable ?? false,
    track,
    afterAck: afterAck.run,
    roles: createRoleResolver({
      admins: config.slack.admins,
      operators: config.slack.operators,
      lookupGroup: async (usergroup) =>
        (await app.client.usergroups.users.list({ token: botToken, usergroup })).users ?? [],
      nowMs: () => deps.clock.nowMs(),
      logger,
    }),
  };
  const publishHome = async (client: SlackClient, userId: string, offset = 0) => {
    await rememberHomeViewer(deps.db, { userId, offset }, deps.clock.now());
    await publishHomeView(base, client, userId, offset);
  };
  const slackDeps: SlackDeps = {
    ...base,
    publishHome,
    republishHomes: async () => {
      // Viewers of any replica (stored), seen in the last day; the others see the change when they open
      // the tab again. At most HOME_REPUBLISH_LIMIT: each one is a views.publish (Tier 4, 100+/min).
      const viewers = await listRecentHomeViewers(deps.db, {
        since: new Date(deps.clock.nowMs() - HOME_VIEWER_TTL_MS),
        limit: HOME_REPUBLISH_LIMIT,
      });
      for (const { userId, offset } of viewers) {
        try {
          await afterAck.run(() => publishHomeView(base, tokenClient, userId, offset));
        } catch (error) {
          logger.warn({ err: toError(error), userId }, 'could not republish an App Home');
        }
      }
    },
  };

  // Socket Mode: Slack re-sends an envelope the app did not acknowledge in time (retry_attempt). The
  // first delivery reached this connection, so the retry is acknowledged and dropped. Over HTTP the
  // replay guard decides, by reason and by what this replica saw (replay-guard.ts).
  app.use(async (args) => {
    const retryNum = args.context.retryNum;
    if (!receiver && retryNum !== undefined && retryNum > 0) {
      logger.info(
        { retryNum, retryReason: args.context.retryReason },
        'ignoring a retried Socket Mode delivery',
      );
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    const work = args.next();
    track(work);
    await work;
  });

  commands.register(app, slackDeps);
  actions.register(app, slackDeps);
  views.register(app, slackDeps);
  events.register(app, slackDeps);
  app.error(async (error) => {
    logger.error({ err: toError(error) }, 'unhandled Slack listener error');
  });

  const admitRequest = receiver
    ? createHttpAdmission({ receiver, signingSecret: signingSecret!, logger })
    : undefined;

  let started = false;
  return {
    app,
    receiver,
    socketReceiver,
    handleRequest(request, response) {
      if (!receiver) return false;
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path !== SLACK_EVENTS_PATH || request.method !== 'POST') return false;
      admitRequest!(request, response).catch((error: unknown) => {
        logger.error({ err: toError(error) }, 'could not read a Slack request');
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
      return true;
    },
    async start(port) {
      await (receiver ? app.start(port ?? 3000) : app.start());
      started = true;
    },
    connectInBackground() {
      if (!socket || started) return;
      started = true;
      socket.connectInBackground(app);
    },
    connectionState: () => socket?.state(),
    async stop() {
      socket?.halt();
      if (started) await app.stop();
      started = false;
      await this.idle();
    },
    republishHome: (userId) => publishHomeView(base, tokenClient, userId, 0),
    async idle() {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    inFlightCount: () => inflight.size,
  };
}
