import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createTask, findTaskByName } from '../../../src/store/tasks.js';
import type { StoredView } from '../../support/fake-slack.js';
import { makeDraft } from '../../support/fixtures.js';
import {
  ADMIN,
  allText,
  modalState,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

// The Saturday before Europe's spring-forward night (2026-03-29: 02:00 → 03:00 in Paris) and before
// its fall-back night (2026-10-25: 03:00 → 02:00), at noon UTC.
const BEFORE_SPRING = '2026-03-28T12:00:00.000Z';
const BEFORE_AUTUMN = '2026-10-24T12:00:00.000Z';

const clock = createFakeClock(BEFORE_SPRING);
const frClock = createFakeClock(BEFORE_SPRING);
let h: SlackHarness;
let fr: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ clock });
  fr = await startSlackHarness({ clock: frClock, locale: 'fr' });
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  expect(fr.fake.rejected).toEqual([]);
  await h.close();
  await fr.close();
});

async function openModal(harness: SlackHarness, text: string): Promise<StoredView> {
  const before = harness.fake.callsTo('views.open').length;
  await harness.send.command(text, ADMIN);
  await harness.settle();
  expect(harness.fake.callsTo('views.open')).toHaveLength(before + 1);
  return harness.fake.lastView()!;
}

/** Submits the modal and returns the text of the confirmation posted to the channel. */
async function save(harness: SlackHarness, view: StoredView, overrides: Record<string, string>) {
  const posts = harness.fake.callsTo('chat.postMessage').length;
  const sent = await harness.send.submit(view, ADMIN, modalState(view, overrides));
  expect(sent.json).toBeUndefined();
  await harness.settle();
  const calls = harness.fake.callsTo('chat.postMessage');
  expect(calls).toHaveLength(posts + 1);
  return String(calls.at(-1)?.args.text);
}

describe('the DST remark on the save confirmation', () => {
  it('warns on create when the next run falls in the spring-forward gap', async () => {
    clock.set(BEFORE_SPRING);
    const view = await openModal(h, 'new backup_database');
    const text = await save(h, view, { name: 'gap backup', cron: '30 2 * * *', timezone: 'Europe/Paris' });
    expect(text).toContain('created *gap backup*');
    expect(text).toContain(
      ':clock2: Daylight saving, next run Sun 2026-03-29 03:00 (Europe/Paris): 02:30 does not exist on 2026-03-29 in Europe/Paris (clocks go forward); runs at 03:00 instead.',
    );
  });

  it('warns on edit when the next run falls in the fall-back overlap', async () => {
    clock.set(BEFORE_AUTUMN);
    const task = await createTask(h.db.db, makeDraft({ name: 'overlap report', cron: '0 4 * * *' }), {
      actor: { id: ADMIN },
      now: clock.now(),
    });
    const view = await openModal(h, `edit ${task.name}`);
    const text = await save(h, view, { cron: '30 2 * * *' });
    expect(text).toContain('edited *overlap report*');
    expect(text).toContain(
      'next run Sun 2026-10-25 02:30 (Europe/Paris): 02:30 occurs twice on 2026-10-25 in Europe/Paris (clocks go back); runs once, at the first 02:30 (00:30 UTC).',
    );
  });

  it('says nothing about DST when the next run is an ordinary one', async () => {
    clock.set(BEFORE_SPRING);
    const view = await openModal(h, 'new backup_database');
    const text = await save(h, view, { name: 'plain backup', cron: '30 1 * * *' });
    expect(text).toContain('created *plain backup*');
    expect(text).not.toContain('Daylight saving');
    // The gap is two nights ahead of a run that is not affected: still no remark on the next run.
    clock.set('2026-03-27T12:00:00.000Z');
    const later = await openModal(h, 'new backup_database');
    expect(await save(h, later, { name: 'friday backup', cron: '30 2 * * *' })).not.toContain(
      'Daylight saving',
    );
  });

  it('says it in French with LOCALE=fr', async () => {
    frClock.set(BEFORE_SPRING);
    const view = await openModal(fr, 'new backup_database');
    const text = await save(fr, view, { name: 'sauvegarde de nuit', cron: '30 2 * * *' });
    expect(text).toContain('a créé *sauvegarde de nuit*');
    expect(text).toContain(
      "Changement d'heure, prochaine exécution dim. 2026-03-29 03:00 (Europe/Paris) : 02:30 n'existe pas le 2026-03-29 en Europe/Paris (passage à l'heure d'été) ; exécution à 03:00 à la place.",
    );
    expect(await findTaskByName(fr.db.db, 'sauvegarde de nuit')).toBeDefined();
  });
});

describe('the time-zone field refreshes the preview', () => {
  it('dispatches its changes, and the preview shows the runs and DST remarks of the new zone', async () => {
    clock.set('2026-03-07T12:00:00.000Z');
    const view = await openModal(h, 'new backup_database');
    const zoneBlock = view.blocks.find((block) => block.block_id === 'timezone');
    expect(zoneBlock?.dispatch_action).toBe(true);
    const updates = h.fake.callsTo('views.update').length;
    await h.send.click({
      userId: ADMIN,
      actionId: 'timezone_input',
      value: 'America/New_York',
      blockId: 'timezone',
      container: { type: 'modal', view },
      values: modalState(view, { cron: '30 2 * * *', timezone: 'America/New_York' }),
    });
    await h.settle();
    expect(h.fake.callsTo('views.update')).toHaveLength(updates + 1);
    const updated = h.fake.callsTo('views.update').at(-1)!.args.view as StoredView;
    const preview = allText(updated.blocks.find((block) => block.block_id === 'cron_preview'));
    expect(preview).toContain('Next 5 runs (America/New_York · UTC)');
    // New York springs forward on 2026-03-08; Paris not before the 29th.
    expect(preview).toContain('02:30 does not exist on 2026-03-08 in America/New_York');
  });
});
