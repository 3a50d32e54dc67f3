import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createSystemClock } from '../../../src/shared/clock.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/slack/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { allText, VIEWER } from '../../support/slack-harness.js';
import { type SocketModeServer, startSocketModeServer } from '../../support/socket-mode-server.js';
import { waitUntil } from '../../support/wait-until.js';

// Socket Mode (SLACK_APP_TOKEN): the real Bolt app opens its connection through apps.connections.open on
// the fake Web API, which hands it a local WebSocket server speaking Slack's Socket Mode envelopes:
// `hello`, then envelopes the app must acknowledge with their envelope_id.

let db: TestDatabase;
let fake: FakeSlack;
let socketMode: SocketModeServer;
let slack: SlackApp;
/** Listening TCP servers of this process, before and after the app connected. */
const tcpServers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
let serversBefore = 0;
let serversAfter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeSlack();
  socketMode = await startSocketModeServer();
  fake.socketModeUrl = socketMode.url;
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_APP_TOKEN: 'xapp-1-A0CHRONOPS-1-test',
    SLACK_API_URL: fake.apiUrl,
    ALERT_CHANNEL: 'C0ALERTS',
  });
  expect(config.slack.mode).toBe('socket');
  slack = createSlackApp({
    config,
    db: db.db,
    pool: db.pool,
    clock: createSystemClock(),
    logger: createSilentLogger(),
    connection: { retries: 0 },
  });
  serversBefore = tcpServers();
  await slack.start();
  await waitUntil(async () => socketMode.sockets.length === 1, 5000, 'the app connects to the socket');
  serversAfter = tcpServers();
});

afterAll(async () => {
  await slack.stop();
  await slack.idle();
  await socketMode.close();
  await fake.close();
  await db.drop();
  expect(fake.rejected).toEqual([]);
});

/** Sends one envelope and resolves with the app's ack and how long it took. */
async function sendEnvelope(
  envelopeId: string,
  type: string,
  payload: Record<string, unknown>,
): Promise<{ ack: Record<string, unknown>; ackMs: number }> {
  const sentAt = performance.now();
  socketMode.sockets[0]!.send(
    JSON.stringify({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
    }),
  );
  await waitUntil(
    async () => socketMode.received.some((message) => message.envelope_id === envelopeId),
    5000,
    `the ack of ${envelopeId}`,
  );
  return {
    ack: socketMode.received.find((message) => message.envelope_id === envelopeId)!,
    ackMs: performance.now() - sentAt,
  };
}

describe('Socket Mode', () => {
  it('opens its connection through the configured Web API URL', () => {
    expect(fake.callsTo('apps.connections.open')).toHaveLength(1);
  });

  it('opens no HTTP server of its own (Bolt would listen on every interface for OAuth or custom routes)', () => {
    expect(serversBefore).toBeGreaterThan(0);
    expect(serversAfter).toBe(serversBefore);
    expect(slack.receiver).toBeUndefined();
    expect((slack.socketReceiver as unknown as { httpServer?: unknown }).httpServer).toBeUndefined();
    expect(slack.connectionState()).toBe('connected');
  });

  it('acknowledges a slash command envelope and answers it on its response_url', async () => {
    const responseUrl = fake.newResponseUrl();
    const { ackMs } = await sendEnvelope('env-command-1', 'slash_commands', {
      token: 'deprecated-verification-token',
      team_id: 'T0FAKE',
      team_domain: 'fake',
      channel_id: 'C0GENERAL',
      channel_name: 'general',
      user_id: VIEWER,
      user_name: 'viewer',
      command: '/tasks',
      text: 'help',
      api_app_id: 'A0CHRONOPS',
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: fake.newTriggerId(),
    });
    // Slack wants the ack within 3 s.
    expect(ackMs).toBeLessThan(3000);
    const response = await fake.waitForResponse(responseUrl, 5000);
    expect(response?.body.response_type).toBe('ephemeral');
    expect(allText(response?.body)).toContain('/tasks run <task>');
  });

  it('acknowledges an app_home_opened event and publishes the dashboard', async () => {
    const { ackMs } = await sendEnvelope('env-event-1', 'events_api', {
      token: 'deprecated-verification-token',
      team_id: 'T0FAKE',
      api_app_id: 'A0CHRONOPS',
      type: 'event_callback',
      event_id: 'Ev0SOCKET1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: VIEWER, channel: 'D0VIEWER', tab: 'home' },
    });
    expect(ackMs).toBeLessThan(3000);
    await waitUntil(
      async () => fake.callsTo('views.publish').length === 1,
      5000,
      'the App Home is published',
    );
    const [publish] = fake.callsTo('views.publish');
    expect(publish!.args.user_id).toBe(VIEWER);
    expect(publish!.response.ok).toBe(true);
  });
});
