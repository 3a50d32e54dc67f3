import { prepareTask, type TaskDraft, type TaskInput } from '../../src/domain/task.js';

export const T0 = new Date('2026-11-28T10:00:00.000Z');

let counter = 0;

/** A valid task draft (a cleanup every 5 minutes in Europe/Paris), with overrides. */
export function makeDraft(overrides: Partial<TaskInput> = {}, now: Date = T0): TaskDraft {
  counter += 1;
  return prepareTask(
    {
      name: `task ${counter}`,
      type: 'cleanup',
      cron: '*/5 * * * *',
      timezone: 'Europe/Paris',
      params: { table: 'logs', timestampColumn: 'created_at', olderThanDays: 30 },
      ...overrides,
    },
    { now, defaultTimezone: 'Europe/Paris' },
  );
}
