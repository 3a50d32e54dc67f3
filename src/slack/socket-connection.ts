import { type App, type Logger as BoltLogger, SocketModeReceiver } from '@slack/bolt';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/**
 * Socket Mode's connection, for /healthz: `connecting` from the first try (apps.connections.open, then
 * the WebSocket) until Slack's hello, and again while reconnecting; `disconnected` after a failed try
 * or a dropped connection (until the next try), and once stopped.
 */
export type SlackConnectionState = 'connecting' | 'connected' | 'disconnected';

/** One apps.connections.open call gives up after this long (the WebClient's default is never). */
const SOCKET_OPEN_TIMEOUT_MS = 10_000;
/**
 * Retries of apps.connections.open inside one connection try, for network errors and HTTP errors
 * (Slack's refusals, such as invalid_auth, end the try at once). The Socket Mode client's own default,
 * 100 retries each 1.3 times longer, would wait most of an hour between two tries late in an outage;
 * here every 30 s at most, for as long as it lasts. Retrying forever also matters when a live connection
 * drops: the client's own reconnect does not catch a failed try (an unhandled rejection). Unref'd, so
 * a try still retrying after stop() never keeps the process alive.
 */
const SOCKET_OPEN_RETRIES = {
  forever: true,
  retries: 5,
  factor: 2,
  minTimeout: 1000,
  maxTimeout: 30_000,
  unref: true,
};
/** Between two failed connection tries: doubling from 2 s up to this. */
const SOCKET_RETRY_MAX_MS = 60_000;

export interface SocketConnection {
  readonly receiver: SocketModeReceiver;
  state(): SlackConnectionState;
  /** Opens the connection in the background, trying again after each failure until halted. */
  connectInBackground(app: App): void;
  /** No further tries (the service is stopping); a try under way closes what it opens. */
  halt(): void;
}

/**
 * Socket Mode's connection to Slack, watched for /healthz and tried again for as long as Slack cannot
 * be reached (docs/SLACK.md, "Slack unreachable at start").
 *
 * Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
 */
export function createSocketConnection(deps: {
  appToken: string;
  apiUrl: string | undefined;
  retries: number | undefined;
  logger: BoltLogger;
  log: Logger;
}): SocketConnection {
  // Made here rather than by App({ socketMode: true }), to bound apps.connections.open and to watch the
  // connection. Neither OAuth options nor custom routes are given, so Bolt opens no HTTP server of its
  // own (it would listen on every interface): only the service's own server listens.
  const receiver = new SocketModeReceiver({
    appToken: deps.appToken,
    logger: deps.logger,
    installerOptions: {
      clientOptions: {
        ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl } : {}),
        timeout: SOCKET_OPEN_TIMEOUT_MS,
        retryConfig: deps.retries !== undefined ? { retries: deps.retries } : SOCKET_OPEN_RETRIES,
      },
    },
  });
  if ((receiver as unknown as { httpServer?: unknown }).httpServer !== undefined)
    throw new Error('createSlackApp: Bolt’s Socket Mode receiver would open an HTTP server of its own.');
  let stopping = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failedTries = 0;
  let socketState: SlackConnectionState = 'disconnected';
  receiver.client
    .on('connecting', () => {
      socketState = 'connecting';
    })
    .on('reconnecting', () => {
      socketState = 'connecting';
    })
    .on('connected', () => {
      if (socketState !== 'connected') deps.log.info('connected to Slack (Socket Mode)');
      socketState = 'connected';
    })
    .on('disconnected', () => {
      socketState = 'disconnected';
    })
    // The WebSocket closed (Slack dropped it, or it never opened): until the client's reconnect begins.
    .on('close', () => {
      if (socketState === 'connected' && !stopping)
        deps.log.warn('the Socket Mode connection to Slack closed; reconnecting');
      socketState = 'disconnected';
    });

  const tryToConnect = (app: App) => {
    retryTimer = undefined;
    socketState = 'connecting';
    app.start().then(
      () => {
        failedTries = 0;
        // stop() came while this try was under way: close what it opened.
        if (stopping)
          app
            .stop()
            .catch((error: unknown) => deps.log.warn({ err: toError(error) }, 'could not close Socket Mode'));
      },
      (error: unknown) => {
        socketState = 'disconnected';
        if (stopping) return;
        failedTries += 1;
        const retryInMs = Math.min(SOCKET_RETRY_MAX_MS, 1000 * 2 ** failedTries);
        deps.log.error(
          { err: toError(error), retryInMs, failedTries },
          `could not connect to Slack (Socket Mode): ${toError(error).message}; trying again in ${Math.round(retryInMs / 1000)} s (check SLACK_APP_TOKEN and SLACK_API_URL)`,
        );
        retryTimer = setTimeout(() => tryToConnect(app), retryInMs);
      },
    );
  };
  return {
    receiver,
    state: () => socketState,
    connectInBackground(app) {
      stopping = false;
      tryToConnect(app);
    },
    halt() {
      stopping = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
    },
  };
}
