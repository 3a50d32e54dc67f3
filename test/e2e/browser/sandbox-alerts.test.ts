import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  ADA,
  CHROMIUM_MISSING,
  cronInMinutes,
  gone,
  goToChannel,
  HAS_CHROMIUM,
  inputBlock,
  messageWith,
  modal,
  openHome,
  openPage,
  type SandboxRun,
  SCREENSHOTS_DIR,
  startSandboxRun,
  taskRow,
  typeCommand,
  visible,
} from '../../support/sandbox-browser.js';

if (!HAS_CHROMIUM) console.warn(CHROMIUM_MISSING);

/** Alerts come from the outbox worker (src/notify/outbox-worker.ts), which main.ts starts in sandbox mode. */
const ALERT_TIMEOUT_MS = 20_000;
const NO_ALERT =
  'no alert reached #alerts: in sandbox mode main.ts must start the outbox worker against the sandbox Web API';

async function waitForAlert(page: Page, text: string): Promise<void> {
  try {
    await visible(messageWith(page, text), ALERT_TIMEOUT_MS);
  } catch (error) {
    throw new Error(`${NO_ALERT} (waited for "${text}")\n${error instanceof Error ? error.message : ''}`);
  }
}

/** `/tasks new cleanup_old_logs`, adjusted, saved; returns once the modal is closed. */
async function createCleanupTask(
  page: Page,
  options: { name: string; table?: string; notifyOnSuccess?: boolean; retries?: string },
): Promise<void> {
  await goToChannel(page, 'general');
  await typeCommand(page, '/tasks new cleanup_old_logs');
  await visible(modal(page));
  await inputBlock(page, 'name').locator('input').fill(options.name);
  if (options.table) await inputBlock(page, 'param_cleanup_table').locator('input').fill(options.table);
  if (options.retries)
    await inputBlock(page, 'retries').locator('select').selectOption({ label: options.retries });
  if (options.notifyOnSuccess) await inputBlock(page, 'notify').getByText('Also notify on success').click();
  const cron = cronInMinutes(40);
  await modal(page).locator('.block.input[data-block-id^="cron_"] input').fill(cron);
  // Wait for the live preview of this cron (views.update) so it cannot race the submission.
  const [minute, hour] = cron.split(' ');
  const hhmm = `${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')}`;
  await visible(modal(page).locator('.block[data-block-id="cron_preview"]', { hasText: hhmm }));
  await modal(page).locator('[data-modal="submit"]').click();
  await gone(modal(page));
}

describe.skipIf(!HAS_CHROMIUM)('sandbox in Chromium: alerts', () => {
  let run: SandboxRun;
  beforeAll(async () => {
    run = await startSandboxRun();
  });
  afterAll(async () => {
    await run?.close();
  });

  it('shows the success notice of a task run from the App Home', async () => {
    const page = await openPage(run, ADA);
    await createCleanupTask(page, { name: 'E2E notified clean-up', notifyOnSuccess: true });
    const home = await openHome(page);
    await taskRow(home, 'E2E notified clean-up').button('Run now').click();
    await goToChannel(page, 'alerts');
    await waitForAlert(page, 'E2E notified clean-up succeeded');
    await page.context().close();
  });

  it('posts a failure alert whose Retry button retries the run, and resolves it in place', async () => {
    const page = await openPage(run, ADA);
    await createCleanupTask(page, { name: 'E2E failing clean-up', table: 'e2e_late_table', retries: '0' });
    const home = await openHome(page);
    await taskRow(home, 'E2E failing clean-up').button('Run now').click();
    await goToChannel(page, 'alerts');
    const alert = messageWith(page, 'E2E failing clean-up failed');
    await waitForAlert(page, 'E2E failing clean-up failed');
    await alert.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'alert.png') });

    // Fix the cause, then retry from the alert.
    await run.db.pool.query(
      'create table e2e_late_table (id serial primary key, created_at timestamptz not null default now())',
    );
    await alert.first().locator('button', { hasText: 'Retry' }).click();
    await visible(messageWith(page, 'retried E2E failing clean-up'));
    await waitForAlert(page, 'Resolved');
    await page.context().close();
  });
});
