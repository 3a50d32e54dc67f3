import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { type Clock, createSystemClock } from '../../src/shared/clock.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { type FakeSlack, type StoredView, startFakeSlack } from './fake-slack.js';
import { createSlackSender, type SlackSender } from './slack-signing.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const ADMIN = 'U0ADMIN';
export const ADMIN2 = 'U0ADMIN2';
/** A third admin: the two-person rule needs one when two admins have both written a task's code. */
export const ADMIN3 = 'U0ADMIN3';
export const OPERATOR = 'U0OPER';
/** A member of the operators' user group S0OPS (resolved through usergroups.users.list). */
export const GROUP_OPERATOR = 'U0GROUPOP';
export const VIEWER = 'U0VIEWER';

export interface SlackHarness {
  readonly db: TestDatabase;
  readonly fake: FakeSlack;
  readonly slack: SlackApp;
  readonly send: SlackSender;
  readonly wakes: { count: number };
  /** Waits until the bot has finished everything the last requests started. */
  settle(): Promise<void>;
  /** What the bot posted to a response_url (in order). */
  responsesTo(responseUrl: string | undefined): Array<Record<string, unknown>>;
  /** All texts (text + block texts) of what was posted to a response_url, joined. */
  textOf(responseUrl: string | undefined): string;
  close(): Promise<void>;
}

/**
 * The real Bolt app over HTTP, mounted with handleRequest on a plain node server (as main.ts will),
 * against a real migrated database and the fake Slack Web API.
 */
export async function startSlackHarness(
  options: {
    locale?: 'en' | 'fr';
    afterAckConcurrency?: number;
    /** Another replica: this harness's app uses that one's database and fake Slack (and leaves them open). */
    replicaOf?: SlackHarness;
    /** Whether a restricted task login is configured (default true); false refuses tasks carrying SQL. */
    userSqlAvailable?: boolean;
    /** The app's clock (default: the system's); a fake one makes "now" and the next runs deterministic. */
    clock?: Clock;
  } = {},
): Promise<SlackHarness> {
  const db = options.replicaOf?.db ?? (await createTestDatabase());
  const fake = options.replicaOf?.fake ?? (await startFakeSlack());
  fake.userGroups.set('S0OPS', [GROUP_OPERATOR]);
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_ADMINS: `${ADMIN},${ADMIN2},${ADMIN3}`,
    SLACK_OPERATORS: `${OPERATOR},S0OPS`,
    ALERT_CHANNEL: 'C0ALERTS',
    LOCALE: options.locale ?? 'en',
  });
  const wakes = { count: 0 };
  const slack = createSlackApp({
    config,
    db: db.db,
    pool: db.pool,
    clock: options.clock ?? createSystemClock(),
    logger: createSilentLogger(),
    wakeScheduler: () => {
      wakes.count += 1;
    },
    connection: { retries: 0 },
    userSqlAvailable: options.userSqlAvailable ?? true,
    ...(options.afterAckConcurrency ? { afterAckConcurrency: options.afterAckConcurrency } : {}),
  });
  const server: Server = createServer((request, response) => {
    if (!slack.handleRequest(request, response)) {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const send = createSlackSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    fake,
  });
  const responsesTo = (url: string | undefined) =>
    fake.responses
      .filter((response) => url?.endsWith(`/response/${response.id}`))
      .map((response) => response.body);
  return {
    db,
    fake,
    slack,
    send,
    wakes,
    settle: () => slack.idle(),
    responsesTo,
    textOf: (url) => responsesTo(url).map(allText).join('\n'),
    async close() {
      await slack.idle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.replicaOf) return;
      await fake.close();
      await db.drop();
    },
  };
}

/** Every string under a `text` key of a message or view, depth-first, joined by newlines. */
export function allText(value: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, inner] of Object.entries(node)) {
        if (key === 'text' && typeof inner === 'string') out.push(inner);
        else walk(inner);
      }
    }
  };
  walk(value);
  return out.join('\n');
}

type Element = Record<string, unknown> & { type: string; action_id: string };

/**
 * The state Slack would send with a view_submission for `view`: every input's initial value, except
 * the blocks in `overrides` (keyed by block_id, or `cron` for the cron block whatever its revision).
 * Override values: a string for text/number inputs and selects, string[] for multi-selects and
 * checkboxes (selected option values), null to clear.
 */
export function modalState(
  view: StoredView,
  overrides: Record<string, string | string[] | null> = {},
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    if (block.type !== 'input') continue;
    const blockId = String(block.block_id);
    const element = block.element as Element;
    const key = blockId.startsWith('cron_') && 'cron' in overrides ? 'cron' : blockId;
    const override = key in overrides ? overrides[key] : undefined;
    const has = key in overrides;
    let state: Record<string, unknown>;
    switch (element.type) {
      case 'plain_text_input':
      case 'number_input':
        state = {
          type: element.type,
          value: has ? override : ((element.initial_value as string | undefined) ?? null),
        };
        break;
      case 'static_select':
        state = {
          type: element.type,
          selected_option: has
            ? override === null
              ? null
              : { value: override }
            : (element.initial_option ?? null),
        };
        break;
      case 'multi_static_select':
      case 'checkboxes':
        state = {
          type: element.type,
          selected_options: has
            ? ((override as string[] | null) ?? []).map((value) => ({ value }))
            : ((element.initial_options as unknown[]) ?? []),
        };
        break;
      case 'conversations_select':
        state = {
          type: element.type,
          selected_conversation: has ? override : (element.initial_conversation ?? null),
        };
        break;
      default:
        throw new Error(`modalState: unsupported element ${element.type}`);
    }
    values[blockId] = { [element.action_id]: state };
  }
  return values;
}

/** The first button (or accessory) with this action id (and value, when given) in some blocks. */
export function findButton(
  blocks: unknown,
  actionId: string,
  value?: string,
): { blockId: string; element: Record<string, unknown> } | undefined {
  for (const block of (blocks as Array<Record<string, unknown>>) ?? []) {
    const elements = [
      ...((block.elements as unknown[]) ?? []),
      ...(block.accessory ? [block.accessory] : []),
    ] as Array<Record<string, unknown>>;
    for (const element of elements) {
      if (element.action_id === actionId && (value === undefined || element.value === value)) {
        return { blockId: String(block.block_id ?? ''), element };
      }
    }
  }
  return undefined;
}
