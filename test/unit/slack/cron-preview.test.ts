import { describe, expect, it } from 'vitest';
import { buildCronPreview } from '../../../src/slack/cron-preview.js';
import { messagesFor } from '../../../src/slack/i18n/index.js';

const en = messagesFor('en');
const fr = messagesFor('fr');

describe('cron preview', () => {
  it('lists the next 5 runs in the task zone and UTC with a DST gap warning', () => {
    const text = buildCronPreview(
      {
        cron: '30 2 * * *',
        timezone: 'Europe/Paris',
        taskId: undefined,
        others: [],
        now: new Date('2027-03-26T12:00:00Z'),
      },
      en,
      'en',
    );
    expect(text).toContain('_At 02:30_');
    expect(text).toContain('• Sat 2027-03-27 02:30 · 01:30 UTC');
    // 02:30 does not exist on 28 March 2027 in Paris: runs once at 03:00 (01:00 UTC).
    expect(text).toContain('• Sun 2027-03-28 03:00 · 01:00 UTC');
    expect(text).toContain(':clock2: DST: 02:30 does not exist on 2027-03-28 in Europe/Paris');
  });

  it('warns about the October overlap', () => {
    const text = buildCronPreview(
      {
        cron: '30 2 * * *',
        timezone: 'Europe/Paris',
        taskId: undefined,
        others: [],
        now: new Date('2026-10-24T12:00:00Z'),
      },
      en,
      'en',
    );
    expect(text).toContain('occurs twice');
  });

  it('advises a free minute when other tasks start in the same minute, ignoring the task itself', () => {
    const others = [
      { id: 'a', name: 'a', cron: '0 3 * * *', timezone: 'Europe/Paris', enabled: true },
      { id: 'b', name: 'b', cron: '1 3 * * *', timezone: 'Europe/Paris', enabled: true },
      { id: 'self', name: 'self', cron: '0 3 * * *', timezone: 'Europe/Paris', enabled: true },
      { id: 'off', name: 'off', cron: '0 3 * * *', timezone: 'Europe/Paris', enabled: false },
    ];
    const text = buildCronPreview(
      {
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
        taskId: 'self',
        others,
        now: new Date('2026-11-28T10:00:00Z'),
      },
      en,
      'en',
    );
    expect(text).toContain(':traffic_light: 1 other task also starts at 02:00 UTC. Consider `2 3 * * *`');
  });

  it('explains an invalid expression instead of failing, escaped', () => {
    expect(
      buildCronPreview(
        { cron: '<!here> * * * *', timezone: 'UTC', taskId: undefined, others: [], now: new Date(0) },
        en,
        'en',
      ),
    ).toMatch(/^:warning: .*&lt;!HERE&gt;/);
    expect(
      buildCronPreview(
        { cron: ' ', timezone: 'UTC', taskId: undefined, others: [], now: new Date(0) },
        en,
        'en',
      ),
    ).toBe(en.modal.previewEmpty);
  });

  it('describes the schedule in French', () => {
    const text = buildCronPreview(
      {
        cron: '0 4 1 * *',
        timezone: 'Europe/Paris',
        taskId: undefined,
        others: [],
        now: new Date('2026-11-28T10:00:00Z'),
      },
      fr,
      'fr',
    );
    expect(text).toContain('5 prochaines exécutions (Europe/Paris · UTC)');
    expect(text).toMatch(/_À 04:00, le 1 du mois_|_À 04:00/);
  });
});
