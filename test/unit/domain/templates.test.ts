import { describe, expect, it } from 'vitest';
import { prepareTask } from '../../../src/domain/task.js';
import { validateTaskParams } from '../../../src/domain/task-params.js';
import {
  SYSTEM_TASK_KEYS,
  systemTaskDefinitions,
  TASK_TEMPLATES,
  TEMPLATE_IDS,
  taskInputFromTemplate,
} from '../../../src/domain/templates.js';
import { AppError } from '../../../src/shared/errors.js';
import { T0 as NOW } from '../../support/fixtures.js';

const options = { now: NOW, defaultTimezone: 'Europe/Paris' };

describe('templates', () => {
  it.each(TEMPLATE_IDS)('%s makes a complete, valid task', (id) => {
    const input = taskInputFromTemplate(id);
    const draft = prepareTask(input, options);
    const template = TASK_TEMPLATES[id];
    expect(draft).toMatchObject({
      name: template.name.en,
      description: template.description.en,
      type: template.type,
      template: id,
      cron: template.cron,
      timezone: 'Europe/Paris',
      timeoutSeconds: template.timeoutSeconds,
      enabled: true,
    });
    expect(draft.nextRunAt?.getTime()).toBeGreaterThan(NOW.getTime());
    expect(validateTaskParams(draft.type, draft.template, draft.params)).toMatchObject({ ok: true });
    expect(template.description.fr).not.toBe('');
    expect(template.name.fr).not.toBe(template.name.en);
  });

  it('gives the templates distinct names', () => {
    const names = TEMPLATE_IDS.map((id) => TASK_TEMPLATES[id].name.en.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('merges override params into the template params', () => {
    const input = taskInputFromTemplate('cleanup_old_logs', {
      name: 'Purge audit logs',
      params: { olderThanDays: 90 },
      timezone: 'America/New_York',
    });
    expect(input).toMatchObject({
      name: 'Purge audit logs',
      type: 'cleanup',
      timezone: 'America/New_York',
      params: { mode: 'older_than', table: 'logs', timestampColumn: 'created_at', olderThanDays: 90 },
    });
    expect(prepareTask(input, options).timezone).toBe('America/New_York');
  });

  it('names and describes in French on request', () => {
    expect(taskInputFromTemplate('notify_low_quota', {}, 'fr')).toMatchObject({
      name: 'Alerte quota faible',
      description: expect.stringContaining('quota'),
    });
  });

  it('refuses an unknown template, naming the field', () => {
    expect(() => taskInputFromTemplate('rm_rf')).toThrow(AppError);
    expect(() => taskInputFromTemplate('rm_rf')).toThrow(/^template: "rm_rf" is not a template/);
  });

  it('schedules the daily report at 08:00 Paris time', () => {
    const draft = prepareTask(taskInputFromTemplate('generate_daily_report'), options);
    expect(draft.nextRunAt?.toISOString()).toBe('2026-11-29T07:00:00.000Z');
  });
});

describe('system task definitions', () => {
  const definitions = systemTaskDefinitions({ defaultTimezone: 'Europe/Paris' });

  it('defines the five system tasks of docs/ARCHITECTURE.md §6', () => {
    expect(
      definitions.map((definition) => [definition.key, definition.input.type, definition.input.cron]),
    ).toEqual([
      ['system:rate_limit_cleanup', 'cleanup', '0 */6 * * *'],
      ['system:conversation_archive', 'cleanup', '0 4 * * *'],
      ['system:admin_session_cleanup', 'cleanup', '0 3,15 * * *'],
      ['system:daily_report', 'report', '0 8 * * *'],
      ['system:execution_history_retention', 'cleanup', '30 4 * * *'],
    ]);
    expect(definitions.map((definition) => definition.key)).toEqual([...SYSTEM_TASK_KEYS]);
    expect(new Set(definitions.map((definition) => definition.input.name)).size).toBe(5);
  });

  it.each(definitions.map((definition) => [definition.key, definition] as const))(
    '%s is a valid task in the default zone',
    (_key, definition) => {
      const draft = prepareTask(definition.input, options);
      expect(draft.timezone).toBe('Europe/Paris');
      expect(draft.template).toBe(definition.key);
      expect(validateTaskParams(draft.type, draft.template, draft.params)).toMatchObject({ ok: true });
    },
  );

  it('archives conversations older than 30 days and keeps failures longer than successes', () => {
    const byKey = new Map(definitions.map((definition) => [definition.key, definition.input]));
    expect(byKey.get('system:conversation_archive')?.params).toMatchObject({
      mode: 'archive',
      olderThanDays: 30,
    });
    expect(byKey.get('system:execution_history_retention')?.params).toEqual({
      mode: 'execution_history',
      successDays: 30,
      failureDays: 90,
    });
    const custom = systemTaskDefinitions({
      defaultTimezone: 'UTC',
      retentionSuccessDays: 7,
      retentionFailureDays: 60,
    });
    expect(custom.at(-1)?.input).toMatchObject({
      timezone: 'UTC',
      params: { successDays: 7, failureDays: 60 },
    });
  });

  it('runs the admin-session clean-up twice a day', () => {
    const admin = definitions.find((definition) => definition.key === 'system:admin_session_cleanup')!;
    const draft = prepareTask(admin.input, options);
    // 10:00Z is 11:00 in Paris; the next run is 15:00 Paris = 14:00Z.
    expect(draft.nextRunAt?.toISOString()).toBe('2026-11-28T14:00:00.000Z');
  });
});
