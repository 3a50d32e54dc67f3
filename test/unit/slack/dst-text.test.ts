import { describe, expect, it } from 'vitest';
import { dstNotices, nextRunsAfter, parseCron } from '../../../src/domain/cron.js';
import { buildCronPreview } from '../../../src/slack/cron-preview.js';
import { messagesFor } from '../../../src/slack/i18n/index.js';

const en = messagesFor('en');
const fr = messagesFor('fr');

/** Every kind of notice dstNotices gives: gap and overlap, fixed-time and interval-style, one and several. */
const CASES: Array<[zone: string, cron: string, after: string, french: string]> = [
  [
    'Europe/Paris',
    '30 2 * * *',
    '2027-03-27T12:00:00Z',
    "02:30 n'existe pas le 2027-03-28 en Europe/Paris (passage à l'heure d'été) ; exécution à 03:00 à la place.",
  ],
  [
    'Europe/Paris',
    '*/15 2 * * *',
    '2027-03-27T12:00:00Z',
    "02:00 à 02:45 n'existent pas le 2027-03-28 en Europe/Paris (passage à l'heure d'été) ; exécution unique à 03:00 à la place.",
  ],
  [
    'Europe/Paris',
    '30 2 * * *',
    '2026-10-24T12:00:00Z',
    "02:30 a lieu deux fois le 2026-10-25 en Europe/Paris (passage à l'heure d'hiver) ; une seule exécution, au premier 02:30 (00:30 UTC).",
  ],
  [
    'Europe/Paris',
    '0 * * * *',
    '2027-03-28T00:30:00Z',
    "02:00 n'existe pas le 2027-03-28 en Europe/Paris (passage à l'heure d'été) ; cette exécution est sautée.",
  ],
  [
    'Europe/Paris',
    '0 * * * *',
    '2026-10-24T23:30:00Z',
    "02:00 à 03:00 a lieu deux fois le 2026-10-25 en Europe/Paris (passage à l'heure d'hiver) ; cette planification s'exécute aux deux passages.",
  ],
];

describe('DST notices in words', () => {
  it.each(CASES)(
    '%s %s after %s: English says the notice, French says it in French',
    (zone, expr, after, french) => {
      const cron = parseCron(expr, zone);
      const [notice] = dstNotices(cron, nextRunsAfter(cron, new Date(after), 3));
      expect(notice).toBeDefined();
      expect(en.dst.notice(notice!)).toBe(notice!.message);
      expect(fr.dst.notice(notice!)).toBe(french);
    },
  );

  it('the French preview says the DST remark in French', () => {
    const text = buildCronPreview(
      {
        cron: '30 2 * * *',
        timezone: 'Europe/Paris',
        taskId: undefined,
        others: [],
        now: new Date('2027-03-26T12:00:00Z'),
      },
      fr,
      'fr',
    );
    expect(text).toContain(":clock2: Changement d'heure : 02:30 n'existe pas le 2027-03-28 en Europe/Paris");
    expect(text).not.toContain('does not exist');
  });
});
