import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_TASK_KEYS } from '../../../src/domain/templates.js';
import { createDatabase } from '../../../src/store/database.js';
import { ensureSystemTasks } from '../../../src/store/system-tasks.js';
import { createTask, deleteTask, findTaskByName, listTasks, updateTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft, T0 } from '../../support/fixtures.js';

const options = { defaultTimezone: 'Europe/Paris', now: T0 };
let databases: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}
afterEach(async () => {
  for (const database of databases) await database.drop();
  databases = [];
});

async function systemTasksByKey(database: TestDatabase): Promise<Record<string, number>> {
  const { rows } = await database.pool.query<{ template: string; count: number }>(
    'select template, count(*)::int4 as count from scheduled_tasks where is_system group by template order by template',
  );
  return Object.fromEntries(rows.map((row) => [row.template, row.count]));
}

describe('ensureSystemTasks', () => {
  it('creates exactly one of each system task when three replicas start at once', async () => {
    const database = await freshDatabase();
    // Three pools = three replicas' connections; all call at the same instant.
    const replicas = [
      createDatabase(database.url),
      createDatabase(database.url),
      createDatabase(database.url),
    ];
    try {
      const results = await Promise.all(replicas.map((replica) => ensureSystemTasks(replica.db, options)));
      expect(results.flatMap((result) => result.created).sort()).toEqual([
        'Admin-session clean-up',
        'Conversation archiving',
        'Daily report',
        'Execution-history retention',
        'Rate-limit clean-up',
      ]);
      expect(results.filter((result) => result.created.length === 5)).toHaveLength(1);
      expect(results.filter((result) => result.existing.length === 5)).toHaveLength(2);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
    expect(await systemTasksByKey(database)).toEqual(
      Object.fromEntries([...SYSTEM_TASK_KEYS].sort().map((key) => [key, 1])),
    );
    expect(await listTasks(database.db)).toHaveLength(5);
  });

  it('stores them as approved, enabled system tasks in the default zone with their next run', async () => {
    const database = await freshDatabase();
    await ensureSystemTasks(database.db, options);
    const report = await findTaskByName(database.db, 'Daily report');
    expect(report).toMatchObject({
      type: 'report',
      template: 'system:daily_report',
      cron: '0 8 * * *',
      timezone: 'Europe/Paris',
      isSystem: true,
      enabled: true,
      approvalState: 'approved',
      createdBy: 'system',
      params: { queries: expect.any(Array), csv: false },
    });
    // T0 = 2026-11-28T10:00Z; 08:00 in Paris (UTC+1) the next day.
    expect(report?.nextRunAt?.toISOString()).toBe('2026-11-29T07:00:00.000Z');
    const retention = await findTaskByName(database.db, 'Execution-history retention');
    expect(retention?.params).toEqual({
      mode: 'execution_history',
      successDays: 30,
      failureDays: 90,
      batchSize: 5000,
    });
  });

  it('is idempotent, also after a system task was renamed, and system tasks cannot be deleted', async () => {
    const database = await freshDatabase();
    await ensureSystemTasks(database.db, options);
    const archive = (await findTaskByName(database.db, 'Conversation archiving'))!;
    const renamed = makeDraft({
      name: 'Archive old chats',
      type: 'cleanup',
      template: archive.template,
      cron: archive.cron,
      params: archive.params,
    });
    await updateTask(database.db, archive.id, renamed, {
      actor: { id: 'UADMIN' },
      now: T0,
      expectedVersion: archive.version,
    });
    const again = await ensureSystemTasks(database.db, options);
    expect(again).toEqual({ created: [], existing: [...SYSTEM_TASK_KEYS] });
    expect(await listTasks(database.db)).toHaveLength(5);
    await expect(
      deleteTask(database.db, archive.id, { actor: { id: 'UADMIN' }, now: T0 }),
    ).rejects.toMatchObject({
      code: 'system_task',
    });
  });

  it('does not fail when a user task already holds a default name', async () => {
    const database = await freshDatabase();
    await createTask(database.db, makeDraft({ name: 'Daily report', type: 'report', params: {} }), {
      actor: { id: 'UALICE' },
      now: T0,
    });
    const result = await ensureSystemTasks(database.db, options);
    expect(result.created).toContain('Daily report (system)');
    expect((await findTaskByName(database.db, 'Daily report'))?.isSystem).toBe(false);
    expect((await findTaskByName(database.db, 'Daily report (system)'))?.isSystem).toBe(true);
  });

  it('names the system tasks in French in a French installation, and never renames existing ones', async () => {
    const database = await freshDatabase();
    const french = await ensureSystemTasks(database.db, { ...options, locale: 'fr' });
    expect(french.created.sort()).toEqual([
      'Archivage des conversations',
      'Nettoyage des limites de débit',
      'Nettoyage des sessions admin',
      'Rapport quotidien',
      "Rétention de l'historique des exécutions",
    ]);
    const report = await findTaskByName(database.db, 'Rapport quotidien');
    expect(report?.description).toMatch(/^Tâche système : /);
    // Switching back to English creates nothing and renames nothing: the key, not the name, says which.
    const again = await ensureSystemTasks(database.db, { ...options, locale: 'en' });
    expect(again.created).toEqual([]);
    expect(await findTaskByName(database.db, 'Daily report')).toBeUndefined();
    expect(
      (await listTasks(database.db))
        .filter((task) => task.isSystem)
        .map((task) => task.name)
        .sort(),
    ).toEqual(french.created.sort());
  });
});
