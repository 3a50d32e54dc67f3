import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADA,
  CHROMIUM_MISSING,
  cronInMinutes,
  GRACE,
  gone,
  goToChannel,
  HAS_CHROMIUM,
  inputBlock,
  messageWith,
  modal,
  OTTO,
  openHome,
  openPage,
  reopenHomeUntil,
  type SandboxRun,
  SCREENSHOTS_DIR,
  startSandboxRun,
  switchUser,
  taskRow,
  typeCommand,
  visible,
} from '../../support/sandbox-browser.js';

if (!HAS_CHROMIUM) console.warn(CHROMIUM_MISSING);

// The issue-7 journey in real Chromium against `startService` in sandbox mode: nothing here talks to
// the bot directly; every step is a click or a keystroke on the sandbox page.
describe.skipIf(!HAS_CHROMIUM)('sandbox in Chromium: tasks, App Home, approval', () => {
  let run: SandboxRun;
  beforeAll(async () => {
    run = await startSandboxRun();
  });
  afterAll(async () => {
    await run?.close();
  });

  it('creates a task from a template through the modal, showing the cron field error first', async () => {
    const page = await openPage(run, ADA);
    await typeCommand(page, '/tasks new cleanup_old_logs');
    await visible(modal(page).locator('#modal-title', { hasText: 'New task' }));
    await inputBlock(page, 'name').locator('input').fill('E2E logs clean-up');
    const cron = modal(page).locator('.block.input[data-block-id^="cron_"] input');
    await cron.fill('every day at noon');
    // The cron input dispatches as you type; the app answers with views.update (its live preview).
    // Submitting only once the preview shows the problem keeps that update from racing the submission.
    const preview = modal(page).locator('.block[data-block-id="cron_preview"]');
    await visible(preview.filter({ hasText: 'Invalid cron' }));
    await inputBlock(page, 'notify').getByText('Also notify on success').click();
    await modal(page).locator('[data-modal="submit"]').click();
    const cronError = modal(page).locator('.block.input[data-block-id^="cron_"] .field-error');
    await visible(cronError);
    expect((await cronError.textContent())?.trim()).not.toBe('');
    await cronError.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'modal.png') });

    await cron.fill(cronInMinutes(30));
    await visible(preview.filter({ hasText: 'Next 5 runs' }));
    await modal(page).locator('[data-modal="submit"]').click();
    await gone(modal(page));
    await visible(messageWith(page, 'created E2E logs clean-up'));

    const home = await openHome(page);
    const row = taskRow(home, 'E2E logs clean-up');
    await visible(row.line.filter({ hasText: '— soon' }));
    // The system tasks are there too.
    expect(await home.locator('.block.section', { hasText: 'scheduled' }).count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'app-home.png'), fullPage: true });

    await row.button('Run now').click();
    await reopenHomeUntil(page, row.line.filter({ hasText: /last: .*succe/i }));
    await page.context().close();
  });

  it('needs a second admin to approve a custom task; the operator cannot', async () => {
    const page = await openPage(run, ADA);
    await typeCommand(page, '/tasks new');
    await visible(modal(page));
    await inputBlock(page, 'type').locator('select').selectOption({ label: 'Custom (SQL or script)' });
    // The type is a dispatch_action select: the app re-renders the modal with the custom fields.
    const sql = inputBlock(page, 'param_custom_sql').locator('textarea');
    await visible(sql);
    await inputBlock(page, 'name').locator('input').fill('E2E custom count');
    await inputBlock(page, 'param_custom_kind').locator('select').selectOption({ label: 'sql' });
    await sql.fill('select count(*) from users');
    await modal(page).locator('.block.input[data-block-id^="cron_"] input').fill('0 5 * * *');
    await visible(modal(page).locator('.block[data-block-id="cron_preview"]', { hasText: '05:00' }));
    await modal(page).locator('[data-modal="submit"]').click();
    await gone(modal(page));

    let home = await openHome(page);
    await visible(taskRow(home, 'E2E custom count').line.filter({ hasText: 'awaiting approval' }));

    // The row offers the code for review; Approve is in the review modal, bound to the version shown.
    await switchUser(page, OTTO);
    home = await openHome(page);
    await taskRow(home, 'E2E custom count').button('Review code').click();
    await visible(modal(page).filter({ hasText: 'select count(*) from users' }));
    await modal(page).getByRole('button', { name: 'Approve' }).click();
    await modal(page).locator('.close-x[data-modal="close"]').click();
    await gone(modal(page));
    await page.locator('[data-tab="messages"]').click();
    await visible(messageWith(page, 'Only an admin can do this'));

    await switchUser(page, GRACE);
    home = await openHome(page);
    await taskRow(home, 'E2E custom count').button('Review code').click();
    await modal(page).getByRole('button', { name: 'Approve' }).click();
    await modal(page).locator('.close-x[data-modal="close"]').click();
    await gone(modal(page));
    await gone(taskRow(home, 'E2E custom count').line.filter({ hasText: 'awaiting approval' }));
    await goToChannel(page, 'alerts');
    await visible(messageWith(page, 'approved E2E custom count'));
    expect(await page.locator('#problems').isHidden()).toBe(true);
    await page.context().close();
  });
});
