import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask } from '../../../src/store/tasks.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  allText,
  modalState,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
  VIEWER,
} from '../../support/slack-harness.js';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ locale: 'fr' });
  await createTask(h.db.db, makeDraft({ name: 'sauvegarde' }), { actor: { id: ADMIN }, now: T0 });
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

describe('LOCALE=fr', () => {
  it('answers in French', async () => {
    const help = await h.send.command('aide', VIEWER);
    const forbidden = await h.send.command('run sauvegarde', VIEWER);
    const run = await h.send.command('run sauvegarde', OPERATOR);
    const missing = await h.send.command('run sauvegard', OPERATOR);
    await h.settle();
    expect(h.textOf(help.responseUrl)).toContain('Je ne connais pas `aide`');
    expect(h.textOf(forbidden.responseUrl)).toContain(
      "Seul un *opérateur* peut faire cela ; rien n'a été modifié.",
    );
    expect(h.textOf(run.responseUrl)).toContain('a lancé *sauvegarde*');
    expect(h.textOf(missing.responseUrl)).toContain('Vouliez-vous dire *sauvegarde* ?');
  });

  it('shows the modal and the cron description in French', async () => {
    await h.send.command('new backup_database', ADMIN);
    await h.settle();
    const view = h.fake.lastView()!;
    expect(allText(view.title)).toBe('Nouvelle tâche');
    const text = allText(view.blocks);
    const nameBlock = view.blocks.find((block) => block.block_id === 'name');
    expect(nameBlock?.element).toMatchObject({ initial_value: 'Sauvegarde de la base' });
    expect(text).toContain('À 02:00');
    expect(text).toContain('5 prochaines exécutions');
    const sent = await h.send.submit(view, ADMIN, modalState(view, { name: 'sauvegarde' }));
    expect(sent.json).toMatchObject({ errors: { name: 'Une tâche porte déjà ce nom.' } });
  });

  it('renders the App Home in French', async () => {
    await h.send.event({ type: 'app_home_opened', user: VIEWER, channel: 'D0V', tab: 'home' });
    await h.settle();
    const text = allText(h.fake.homes.get(VIEWER)?.blocks);
    expect(text).toContain('Tableau de bord chronops');
    expect(text).toContain('Tâches actives');
    expect(text).toContain('Échecs récents');
  });

  it('lists undeliverable alerts and redelivers them in French', async () => {
    const dead = await h.db.pool.query<{ id: number }>(
      `insert into notification_outbox (kind, dedupe_key, channel, payload, status, attempts, last_error, dead_at)
       values ('missed_runs', 'missed_runs:fr', null, '{}', 'dead', 1, 'no_channel: nowhere', now()) returning id`,
    );
    const id = String(dead.rows[0]!.id);
    const list = await h.send.command('alerts', OPERATOR);
    await h.settle();
    const text = h.textOf(list.responseUrl);
    expect(text).toContain('Alertes non livrées (1)');
    expect(text).toContain('*résumé des exécutions manquées*');
    expect(text).toContain("`no_channel`: nulle part où l'envoyer");
    expect(text).toContain('1 tentative');
    expect(JSON.stringify(h.responsesTo(list.responseUrl))).toContain('"Relivrer"');
    const click = await h.send.click({
      userId: OPERATOR,
      actionId: 'alert_redeliver',
      value: id,
      container: { type: 'message', channelId: 'C0GENERAL' },
    });
    await h.settle();
    expect(h.textOf(click.responseUrl)).toContain(
      `<@${OPERATOR}> a relancé la livraison de « résumé des exécutions manquées » : de nouveau en attente`,
    );
  });
});
