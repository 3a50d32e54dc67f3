import { describe, expect, it } from 'vitest';
import { describeCron } from '../../../src/domain/cron-description.js';

describe('describeCron', () => {
  it.each([
    ['30 2 * * 1-5', 'en', 'At 02:30, Monday through Friday'],
    ['30 2 * * 1-5', 'fr', 'À 02:30, de lundi à vendredi'],
    ['0 18 * * *', 'en', 'At 18:00'],
    ['@daily', 'en', 'At 00:00'],
    ['@daily', 'fr', 'À 00:00'],
    ['  @WEEKLY ', 'fr', 'À 00:00, uniquement le dimanche'],
    ['@hourly', 'en', 'Every hour'],
    ['*/15 * * * * *', 'fr', 'Toutes les 15 secondes'],
    ['0 0 * * 5L', 'en', 'At 00:00, on the last Friday of the month'],
    ['0 12 * * 1#2', 'fr', 'À 12:00, le second lundi du mois'],
    ['0 0 L * *', 'en', 'At 00:00, on the last day of the month'],
  ] as const)('%j in %s → %j', (expression, locale, expected) => {
    expect(describeCron(expression, locale)).toBe(expected);
  });

  it.each([
    ['garbage', 'garbage'],
    ['* * * *', '* * * *'],
    ['* * * * * * *', '* * * * * * *'],
    ['* 25 * * *', '* 25 * * *'],
    ['@reboot', '@reboot'],
    ['', ''],
    ['  0  25 * * * ', '0 25 * * *'],
  ])('falls back to the expression for %j', (expression, expected) => {
    expect(describeCron(expression, 'en')).toBe(expected);
    expect(describeCron(expression, 'fr')).toBe(expected);
  });
});
