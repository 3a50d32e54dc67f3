import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { createOutboxWorker, type OutboxWorker } from '../notify/outbox-worker.js';
import { createOutboxWebClient } from '../notify/web-client.js';
import { createSandbox, type Sandbox } from '../sandbox/sandbox.js';
import type { Logger } from '../shared/logger.js';
import type { SecretSet } from '../shared/redact.js';
import { createSlackApp, type SlackApp } from '../slack/app.js';
import { commandCatalog } from '../slack/command-catalog.js';
import type { DatabaseHandle } from '../store/database.js';
import type { AlertMetrics } from './metrics.js';

/**
 * Sandbox mode (the embedded demo, or CHRONOPS_SANDBOX=true; docs/SANDBOX.md): the fake Slack
 * workspace on this server's `/api/` and `/`, and the unchanged Bolt app pointed at it, verifying the
 * sandbox's signed requests with a secret made up for this run. The sandbox's people get their roles unless SLACK_ADMINS / SLACK_OPERATORS say
 * otherwise, and its #alerts is the alert channel unless ALERT_CHANNEL is set.
 */
export function startSandbox(
  config: Config,
  httpUrl: string,
  deps: Omit<Parameters<typeof createSlackApp>[0], 'config' | 'connection'>,
  alertMetrics: AlertMetrics,
  secrets: SecretSet,
  outboxDatabase: DatabaseHandle,
): { sandbox: Sandbox; slack: SlackApp; alerts: OutboxWorker } {
  const signingSecret = randomBytes(32).toString('hex');
  // Made up for this run, so no other local process can call the fake Web API as the bot.
  const botToken = `xoxb-sandbox-${randomBytes(16).toString('hex')}`;
  secrets.add(botToken, signingSecret);
  const sandbox = createSandbox({
    signingSecret,
    botToken,
    baseUrl: httpUrl,
    listenHost: config.host,
    logger: deps.logger,
    commands: commandCatalog(),
  });
  const idsWithRole = (role: 'admin' | 'operator') =>
    sandbox.users.filter((user) => user.role === role).map((user) => user.id);
  const slackConfig = {
    ...config,
    slack: {
      ...config.slack,
      alertChannel: config.slack.alertChannel ?? sandbox.alertsChannelId,
      admins: config.slack.admins.length > 0 ? config.slack.admins : idsWithRole('admin'),
      operators: config.slack.operators.length > 0 ? config.slack.operators : idsWithRole('operator'),
    },
  };
  const slack = createSlackApp({
    ...deps,
    config: slackConfig,
    connection: { botToken, signingSecret, apiUrl: sandbox.apiUrl, retries: 0 },
  });
  // Alerts (failures with Retry, success notices, overdue…) reach the sandbox's #alerts through the
  // outbox, as they would reach Slack; the client must not retry or wait by itself (see outbox-worker.ts).
  const alerts = createAlertsWorker(
    config,
    { ...deps, pool: outboxDatabase.pool, db: outboxDatabase.db, ...alertMetrics },
    {
      token: botToken,
      apiUrl: sandbox.apiUrl,
      defaultChannel: slackConfig.slack.alertChannel,
    },
  );
  return { sandbox, slack, alerts };
}

/**
 * The outbox worker, with a WebClient that neither retries nor waits on 429 by itself: the worker owns
 * backoff and Retry-After (see src/notify/outbox-worker.ts).
 */
export function createAlertsWorker(
  config: Config,
  deps: Pick<Parameters<typeof createOutboxWorker>[0], 'pool' | 'db' | 'clock' | 'logger'> & AlertMetrics,
  target: { token: string; apiUrl: string | undefined; defaultChannel: string | undefined },
): OutboxWorker {
  return createOutboxWorker({
    ...deps,
    logger: deps.logger.child({ component: 'outbox' }),
    web: createOutboxWebClient({ token: target.token, apiUrl: target.apiUrl }),
    defaultChannel: target.defaultChannel,
    locale: config.locale,
    workerId: config.scheduler.workerId,
    pollIntervalMs: config.scheduler.pollIntervalMs,
    retryForMs: config.slack.alertRetryForMs,
  });
}

/**
 * Stops the Slack app and waits for its listeners in flight, at most `graceMs`: past it, the service
 * closes its pools under them (Slack retries an unacknowledged event; a click after its ack is lost,
 * as on a crash).
 */
export async function stopSlackWithin(slack: SlackApp, graceMs: number, logger: Logger): Promise<void> {
  const pending = slack.inFlightCount();
  if (pending > 0)
    logger.info({ slackRequests: pending }, `shutting down: waiting for ${pending} Slack requests in flight`);
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    slack.stop().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!stopped)
    logger.warn(
      { slackRequests: slack.inFlightCount() },
      'grace period over: Slack requests still in flight are cut off',
    );
}
