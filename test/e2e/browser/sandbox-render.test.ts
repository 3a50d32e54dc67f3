import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../../src/sandbox/bot-client.js';
import { createSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { commandCatalog } from '../../../src/slack/command-catalog.js';
import {
  ADA,
  CHROMIUM_MISSING,
  CHROMIUM_PATH,
  HAS_CHROMIUM,
  messageWith,
  visible,
} from '../../support/sandbox-browser.js';

if (!HAS_CHROMIUM) console.warn(CHROMIUM_MISSING);

const SECRET = 'render-test-secret';
const TOKEN = 'xoxb-render-test';
/** 2026-03-29 01:30 UTC: 21:30 the day before in New York (EDT), 03:30 in Paris (CEST, after the change). */
const INSTANT = Date.UTC(2026, 2, 29, 1, 30) / 1000;

interface Received {
  contentType: string;
  fields: URLSearchParams;
  payload: Record<string, unknown> | undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * The sandbox alone on a plain server, with a stand-in app that checks every signature as Bolt does:
 * what the page renders for Block Kit the bot does not happen to send today, and what it sends back.
 */
describe.skipIf(!HAS_CHROMIUM)('sandbox page in Chromium: Block Kit, mrkdwn and what it sends', () => {
  let server: Server;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  const received: Received[] = [];
  let badSignatures = 0;

  const api = async (method: string, args: Record<string, unknown>) => {
    const response = await fetch(`${sandbox.apiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(args),
    });
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    let url = '';
    server = createServer((request, response) => {
      if (request.url === '/slack/events') {
        void readBody(request).then((body) => {
          const timestamp = Number(request.headers['x-slack-request-timestamp']);
          if (request.headers['x-slack-signature'] !== signSlackRequest(SECRET, timestamp, body))
            badSignatures += 1;
          const fields = new URLSearchParams(body);
          const payload = fields.get('payload');
          received.push({
            contentType: String(request.headers['content-type']),
            fields,
            payload: payload ? (JSON.parse(payload) as Record<string, unknown>) : undefined,
          });
          response.writeHead(200);
          response.end();
        });
        return;
      }
      if (!sandbox.handleRequest(request, response)) {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sandbox = createSandbox({
      signingSecret: SECRET,
      botToken: TOKEN,
      baseUrl: url,
      logger: createSilentLogger(),
      commands: commandCatalog(),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ timezoneId: 'America/New_York', viewport: { width: 1280, height: 900 } });
    await page.goto(`${sandbox.pageUrlWithToken}&user=${ADA}`);
    await visible(page.locator('#sidebar .nav-item'));
  });
  afterAll(async () => {
    await browser?.close();
    sandbox?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('renders every supported block, element and mrkdwn form, live, and unknown blocks as placeholders', async () => {
    const posted = await api('chat.postMessage', {
      channel: 'C0GENERAL',
      text: 'gallery',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Gallery :rocket:' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `*bold* _italic_ ~strike~ \`code\` <https://example.com|a link> <@${ADA}> <#C0ALERTS> :white_check_mark: &lt;!channel&gt; <!date^${INSTANT}^{date_num} {time}|fallback>\n> quoted line\n\`\`\`select 1;\`\`\``,
          },
          accessory: {
            type: 'overflow',
            action_id: 'more',
            options: [
              { text: { type: 'plain_text', text: 'First' }, value: 'one' },
              { text: { type: 'plain_text', text: 'Second' }, value: 'two' },
            ],
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Field A*\n1' },
            { type: 'mrkdwn', text: '*Field B*\n2' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'context text' }] },
        { type: 'divider' },
        { type: 'image', image_url: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=', alt_text: 'a pixel' },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_list',
              style: 'bullet',
              elements: [
                {
                  type: 'rich_text_section',
                  elements: [{ type: 'text', text: 'rich item', style: { bold: true } }],
                },
              ],
            },
          ],
        },
        {
          type: 'actions',
          block_id: 'gallery_actions',
          elements: [
            {
              type: 'button',
              action_id: 'go',
              text: { type: 'plain_text', text: 'Go' },
              style: 'primary',
              value: 'v1',
            },
            {
              type: 'button',
              action_id: 'drop',
              text: { type: 'plain_text', text: 'Drop' },
              style: 'danger',
              value: 'v2',
              confirm: {
                title: { type: 'plain_text', text: 'Really drop?' },
                text: { type: 'mrkdwn', text: 'This *cannot* be undone.' },
                confirm: { type: 'plain_text', text: 'Drop it' },
                deny: { type: 'plain_text', text: 'Keep' },
              },
            },
            {
              type: 'static_select',
              action_id: 'pick',
              placeholder: { type: 'plain_text', text: 'Pick' },
              options: [{ text: { type: 'plain_text', text: 'Red' }, value: 'red' }],
            },
            { type: 'datepicker', action_id: 'day', initial_date: '2026-03-29' },
            { type: 'users_select', action_id: 'who' },
          ],
        },
        { type: 'video', title: { type: 'plain_text', text: 'clip' } },
      ],
    });
    expect(posted.ok).toBe(true);
    const message = messageWith(page, 'Gallery');
    await visible(message);
    await expect.poll(() => message.locator('h3').textContent()).toBe('Gallery 🚀');
    const text = message.locator('.section-text').first();
    expect(await text.locator('strong').first().textContent()).toBe('bold');
    expect(await text.locator('em').first().textContent()).toBe('italic');
    expect(await text.locator('del').textContent()).toBe('strike');
    expect(await text.locator('code').textContent()).toBe('code');
    expect(await text.locator('a[href="https://example.com"]').textContent()).toBe('a link');
    expect(await text.locator('.mention').first().textContent()).toBe('@Ada (admin)');
    expect(await text.locator('.mention.channel').textContent()).toBe('#alerts');
    expect(await text.textContent()).toContain('<!channel>');
    expect(await text.textContent()).toContain('✅');
    // The date token in the viewer's zone (this browser is in New York).
    expect(await text.locator('time.slack-date').textContent()).toBe('2026-03-28 21:30');
    expect(await text.locator('blockquote').textContent()).toBe('quoted line');
    expect(await text.locator('pre.code-block').textContent()).toBe('select 1;');
    expect(await message.locator('.field').count()).toBe(2);
    expect(await message.locator('.block.context').textContent()).toContain('context text');
    expect(await message.locator('.block.image img').getAttribute('alt')).toBe('a pixel');
    expect(await message.locator('.rich-text li strong').textContent()).toBe('rich item');
    expect(await message.locator('.btn-primary', { hasText: 'Go' }).count()).toBe(1);
    expect(await message.locator('.btn-danger', { hasText: 'Drop' }).count()).toBe(1);
    expect(await message.locator('input[type="date"]').inputValue()).toBe('2026-03-29');
    expect(await message.locator('.placeholder').textContent()).toContain('video');
  });

  it('sends signed block_actions with a response_url, after the confirm dialog, and applies replace_original', async () => {
    const message = messageWith(page, 'Gallery');
    await message.locator('button', { hasText: 'Drop' }).click();
    await visible(page.locator('#confirm-root', { hasText: 'Really drop?' }));
    await page.locator('[data-confirm="yes"]').click();
    await expect.poll(() => received.length).toBe(1);
    const click = received[0]!.payload!;
    expect(received[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(click.type).toBe('block_actions');
    expect(click.trigger_id).toEqual(expect.any(String));
    expect((click.actions as Array<Record<string, unknown>>)[0]).toMatchObject({
      action_id: 'drop',
      block_id: 'gallery_actions',
      value: 'v2',
      type: 'button',
    });

    await message.locator('button.overflow').click();
    await page.locator('.menu-item', { hasText: 'Second' }).click();
    await expect.poll(() => received.length).toBe(2);
    expect((received[1]!.payload!.actions as Array<Record<string, unknown>>)[0]).toMatchObject({
      type: 'overflow',
      selected_option: { value: 'two' },
    });

    const answer = await fetch(String(click.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Dropped by the app' }),
    });
    expect(answer.status).toBe(200);
    await visible(messageWith(page, 'Dropped by the app'));
    expect(await messageWith(page, 'Gallery').count()).toBe(0);
    expect(badSignatures).toBe(0);
  });

  it('sends /tasks as a signed form with trigger_id and response_url, suggesting subcommands as you type', async () => {
    const input = page.locator('#composer-input');
    await input.fill('/tasks ru');
    await visible(page.locator('#suggestions .suggestion', { hasText: '/tasks run <task>' }));
    await input.press('Tab');
    expect(await input.inputValue()).toBe('/tasks run ');
    await input.fill('/tasks list');
    await input.press('Enter');
    await expect.poll(() => received.length).toBe(3);
    const command = received[2]!;
    expect(command.fields.get('command')).toBe('/tasks');
    expect(command.fields.get('text')).toBe('list');
    expect(command.fields.get('user_id')).toBe(ADA);
    expect(command.fields.get('trigger_id')).toBeTruthy();
    // An ephemeral answer through the response_url is shown to this user only.
    await fetch(String(command.fields.get('response_url')), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'only for Ada', response_type: 'ephemeral' }),
    });
    await visible(messageWith(page, 'only for Ada').filter({ hasText: 'Only visible to you' }));
    expect(sandbox.messagesFor('C0GENERAL', 'U0SBOTTO').some((m) => m.text === 'only for Ada')).toBe(false);
    expect(badSignatures).toBe(0);
  });

  it('refuses what Slack refuses, and says so on the page', async () => {
    const tooLong = await api('chat.postMessage', {
      channel: 'C0GENERAL',
      text: 'x',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'mrkdwn', text: '*no*' } }],
        },
      ],
    });
    expect(tooLong).toMatchObject({ ok: false, error: 'invalid_blocks' });
    const modalTitle = await api('views.publish', {
      user_id: ADA,
      view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] },
    });
    expect(modalTitle).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(
      await api('views.open', {
        trigger_id: 'made-up',
        view: { type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [] },
      }),
    ).toMatchObject({
      ok: false,
      error: 'invalid_trigger_id',
    });
    const unauthenticated = await fetch(`${sandbox.apiUrl}auth.test`, { method: 'POST' });
    expect(await unauthenticated.json()).toMatchObject({ ok: false, error: 'not_authed' });
    await visible(page.locator('#problems', { hasText: 'invalid_blocks' }));
  });

  it('links only http(s) and mailto URLs: javascript:, data:, vbscript: and slack:// stay text', async () => {
    // The link button's target is on this machine: the browser opens it (nothing here goes elsewhere).
    const docsUrl = `${new URL(sandbox.apiUrl).origin}/sandbox/assets/style.css`;
    const hostile = [
      '<javascript:alert(document.cookie)|plain js>',
      '<JavaScript:alert(1)|mixed case js>',
      '<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==|data link>',
      '<vbscript:msgbox(1)|vb link>',
      '<slack://channel?team=T0&id=C0|slack link>',
      `<!date^${INSTANT}^{date_num}^javascript:alert(2)|dated>`,
    ].join(' ');
    const posted = await api('chat.postMessage', {
      channel: 'C0GENERAL',
      text: 'links',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `Links: ${hostile} <https://example.com/fine|fine link> <mailto:ops@example.com|mail>`,
          },
        },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'link', url: 'javascript:alert(3)', text: 'rich js' },
                { type: 'text', text: ' ' },
                { type: 'link', url: 'https://example.com/rich', text: 'rich fine' },
              ],
            },
          ],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'docs',
              text: { type: 'plain_text', text: 'Docs' },
              url: docsUrl,
            },
          ],
        },
      ],
    });
    expect(posted.ok).toBe(true);
    const message = messageWith(page, 'Links:');
    await visible(message);
    const targets = await message.evaluate((node) =>
      [...node.querySelectorAll('[href], [data-url], [src]')].map(
        (element) =>
          element.getAttribute('href') ?? element.getAttribute('data-url') ?? element.getAttribute('src'),
      ),
    );
    expect(targets.sort()).toEqual([
      docsUrl,
      'https://example.com/fine',
      'https://example.com/rich',
      'mailto:ops@example.com',
    ]);
    const text = await message.textContent();
    for (const label of ['plain js', 'mixed case js', 'data link', 'vb link', 'slack link', 'rich js'])
      expect(text).toContain(label);
    // The dated link keeps its date, as text.
    expect(await message.locator('time.slack-date').count()).toBe(1);
    expect(await message.locator('a time.slack-date').count()).toBe(0);

    // A link button opens its http(s) URL in a new tab.
    const [popup] = await Promise.all([
      page.waitForEvent('popup', { timeout: 5000 }),
      message.locator('button', { hasText: 'Docs' }).click(),
    ]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(docsUrl);
    await popup.close();

    // The fake Web API refuses a link button that is not an http(s) URL, as Slack refuses URLs it cannot use.
    for (const url of ['javascript:alert(1)', 'data:text/html,hi', 'example.com/no-scheme', 'https://']) {
      const refused = await api('chat.postMessage', {
        channel: 'C0GENERAL',
        text: 'x',
        blocks: [
          {
            type: 'actions',
            elements: [{ type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' }, url }],
          },
        ],
      });
      expect(refused, url).toMatchObject({ ok: false, error: 'invalid_blocks' });
    }
  });
});
