import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service/start-service.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { ensureDemoSchema } from '../../src/store/demo-schema.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestTaskLogin } from './task-login.js';

/**
 * The whole service in sandbox mode (CHRONOPS_SANDBOX=true) against a fresh test database, and Debian's
 * Chromium driven by playwright-core (docs/ARCHITECTURE.md, "Toolchain notes": never a downloaded browser).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
export const CHROMIUM_MISSING =
  'Browser tests skipped: /usr/bin/chromium is missing. Install it with ' +
  '`apt-get install -y --no-install-recommends chromium` (.ci/run does).';

/**
 * Screenshots land in docs/screenshots only when CHRONOPS_SCREENSHOTS=1 (the README shows them), so a
 * plain test run leaves the tree unchanged; otherwise they are still taken, into a temp folder.
 */
export const SCREENSHOTS_DIR =
  process.env.CHRONOPS_SCREENSHOTS === '1'
    ? join(import.meta.dirname, '../../docs/screenshots')
    : mkdtempSync(join(tmpdir(), 'chronops-screens-'));
export const ADA = 'U0SBADA';
export const OTTO = 'U0SBOTTO';
export const GRACE = 'U0SBGRACE';

/** Waits until (the first match of) `locator` is visible; playwright-core has no `expect`. */
export async function visible(locator: Locator, timeoutMs = 10_000): Promise<void> {
  await withPageDump(locator, () => locator.first().waitFor({ state: 'visible', timeout: timeoutMs }));
}

/** Waits until nothing matches `locator`. */
export async function gone(locator: Locator, timeoutMs = 10_000): Promise<void> {
  await withPageDump(locator, () => locator.first().waitFor({ state: 'detached', timeout: timeoutMs }));
}

/** On a timeout, says what the page showed instead (and what the sandbox reported as problems). */
async function withPageDump(locator: Locator, wait: () => Promise<void>): Promise<void> {
  try {
    await wait();
  } catch (error) {
    const page = locator.page();
    // The rendered text, with its line breaks, is what a reader of the failure needs.
    const text = (selector: string) => {
      const target = page.locator(selector);
      // biome-ignore lint/performance/useDomNodeTextContent: layout text keeps the lines readable
      return target.innerText({ timeout: 1000 }).catch(() => '');
    };
    const [shown, modalText, problems] = await Promise.all([
      text('#main-content'),
      text('#modal-root'),
      text('#problems'),
    ]);
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- the page showed:\n${shown.slice(-3000)}` +
        `${modalText ? `\n--- modal:\n${modalText.slice(0, 2000)}` : ''}${problems ? `\n--- ${problems}` : ''}`,
    );
  }
}

/** A message in the conversation shown, containing `text`. */
export function messageWith(page: Page, text: string): Locator {
  return page.locator('#main-content .message', { hasText: text });
}

export interface SandboxRun {
  readonly db: TestDatabase;
  readonly service: RunningService;
  readonly browser: Browser;
  readonly url: string;
  /** The page URL with this run's secret, as main.ts prints it; opening it sets the sandbox's cookie. */
  readonly pageUrlWithToken: string;
  close(): Promise<void>;
}

export async function startSandboxRun(): Promise<SandboxRun> {
  const db = await createTestDatabase();
  // Demo tables, as on a first `npm start`, so templates have real rows to work on.
  await ensureDemoSchema(db.pool, { now: new Date() });
  // Custom SQL runs on a restricted login, as it would beside a real database.
  const taskLogin = await createTestTaskLogin(db);
  const service = await startService(
    loadConfig({
      DATABASE_URL: db.url,
      TASK_DATABASE_URL: taskLogin.url,
      CHRONOPS_SANDBOX: 'true',
      PORT: '0',
      LOG_LEVEL: 'silent',
      POLL_INTERVAL_MS: '200',
    }),
    createSilentLogger(),
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  if (!service.sandbox) throw new Error('the service did not start its sandbox');
  const { pageUrlWithToken } = service.sandbox;
  return {
    db,
    service,
    browser,
    url: service.httpUrl,
    pageUrlWithToken,
    async close() {
      await browser.close();
      await service.stop();
      await db.drop();
      await taskLogin.drop();
    },
  };
}

export async function openPage(run: SandboxRun, user: string, timezoneId = 'Europe/Paris'): Promise<Page> {
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId });
  // Fail a step well inside the test's 30 s, with Playwright's call log, rather than time the test out.
  context.setDefaultTimeout(8000);
  const page = await context.newPage();
  // As a person would: the printed URL, which sets the cookie and redirects to the page without the token.
  const url = new URL(run.pageUrlWithToken);
  url.searchParams.set('user', user);
  await page.goto(url.href);
  await visible(page.locator('#sidebar .nav-item'));
  return page;
}

export async function goToChannel(page: Page, name: 'general' | 'alerts'): Promise<void> {
  await page.locator('#sidebar .nav-item', { hasText: `# ${name}` }).click();
  await visible(page.locator('#main-header h2', { hasText: `# ${name}` }));
}

export async function openHome(page: Page): Promise<Locator> {
  await page.locator('#sidebar .nav-item', { hasText: 'chronops' }).click();
  await page.locator('[data-tab="home"]').click();
  const home = page.locator('#main-content .home');
  await visible(home);
  return home;
}

/**
 * Re-opens the Home tab (each opening sends app_home_opened and the app republishes it, as in Slack)
 * until `locator` is visible: the App Home is not live-updated by the app when a run finishes.
 */
export async function reopenHomeUntil(page: Page, locator: Locator, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await locator.first().isVisible()) return;
    await page.locator('[data-tab="messages"]').click();
    await page.locator('[data-tab="home"]').click();
    await page.waitForTimeout(400);
  }
  await visible(locator, 1);
}

export async function switchUser(page: Page, user: string): Promise<void> {
  await page.locator('#user-switch').selectOption(user);
}

/** Types a line into the composer and sends it with Enter. */
export async function typeCommand(page: Page, text: string): Promise<void> {
  const input = page.locator('#composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The App Home section of a task (its status line) and the actions block right after it. */
export function taskRow(home: Locator, name: string): { line: Locator; button(label: string): Locator } {
  const line = home.locator('.block.section', { hasText: name });
  return {
    line,
    button: (label) =>
      home.locator(`.block.section:has-text("${name}") + .block.actions button`, { hasText: label }),
  };
}

export function modal(page: Page): Locator {
  return page.locator('#modal-root .modal');
}

export function inputBlock(page: Page, blockId: string): Locator {
  return modal(page).locator(`.block.input[data-block-id="${blockId}"]`);
}

/** A cron expression for today at now + `minutes` in `zone`, so the task's status is "soon". */
export function cronInMinutes(minutes: number, zone = 'Europe/Paris'): string {
  const at = new Date(Date.now() + minutes * 60_000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${Number(parts.minute)} ${Number(parts.hour)} * * *`;
}
