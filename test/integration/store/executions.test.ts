import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExecutionHistory, listRecentFailures } from '../../../src/store/executions.js';
import { getDashboardStats, listTaskStatusInputs } from '../../../src/store/stats.js';
import { createTask, pauseTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, insertExecution, makeDraft, T0 } from '../../support/fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('execution history', () => {
  it('pages newest first with a keyset cursor, without gaps or repeats', async () => {
    const task = await createTask(database.db, makeDraft(), { actor, now: T0 });
    // 25 executions, some sharing a created_at to exercise the id tie-break.
    for (let i = 0; i < 25; i++) {
      await insertExecution(database.pool, {
        taskId: task.id,
        status: 'success',
        finishedAt: null,
        createdAt: new Date(T0.getTime() - Math.floor(i / 2) * 1000),
      });
    }
    const seen: string[] = [];
    let cursor: Awaited<ReturnType<typeof listExecutionHistory>>['next'];
    let pages = 0;
    do {
      const page = await listExecutionHistory(database.db, task.id, { limit: 10, after: cursor });
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = await database.pool.query(
      'select id from task_executions where task_id = $1 order by created_at desc, id desc',
      [task.id],
    );
    expect(seen).toEqual(all.rows.map((row) => row.id));
  });
});

describe('dashboard stats', () => {
  it('counts active tasks, running executions and 24 h outcomes at the window edges', async () => {
    const fresh = await createTestDatabase();
    try {
      const now = new Date('2026-11-28T12:00:00.000Z');
      const a = await createTask(fresh.db, makeDraft({ name: 'a' }), { actor, now });
      const b = await createTask(fresh.db, makeDraft({ name: 'b' }), { actor, now });
      await createTask(fresh.db, makeDraft({ name: 'pending custom', type: 'custom' }), {
        actor,
        now,
        approvalState: 'pending',
      });
      await pauseTask(fresh.db, b.id, { actor, now });
      const at = (msAgo: number) => new Date(now.getTime() - msAgo);
      const day = 24 * 3600 * 1000;
      const insert = (status: string, finishedAt: Date | null) =>
        fresh.pool.query(
          `insert into task_executions (task_id, trigger, status, finished_at) values ($1, 'manual', $2, $3)`,
          [a.id, status, finishedAt],
        );
      await insert('success', at(0));
      await insert('success', at(day)); // exactly 24 h ago: inside
      await insert('success', at(day + 1)); // just outside
      await insert('failed', at(1000));
      await insert('timed_out', at(2000));
      await insert('failed', at(day + 60_000));
      await insert('running', null);
      await insert('cancelled', at(10));
      await insert('skipped', at(20));
      await insert('success', at(-1)); // finished after `now` (another replica's clock): outside
      await insert('queued', null);
      // Recorded running ahead of its instant (started at the claim): not running yet.
      await fresh.pool.query(
        `insert into task_executions (task_id, trigger, status, started_at) values ($1, 'schedule', 'running', $2)`,
        [a.id, at(-500)],
      );
      expect(await getDashboardStats(fresh.db, now)).toEqual({
        activeTasks: 1,
        running: 1,
        successes24h: 2,
        failures24h: 2,
      });
      const inputs = await listTaskStatusInputs(fresh.db);
      expect(inputs.map((row) => [row.name, row.enabled, row.approvalState])).toEqual([
        ['a', true, 'approved'],
        ['b', false, 'approved'],
        ['pending custom', true, 'pending'],
      ]);
      expect(inputs[0]?.nextRunAt).toBeInstanceOf(Date);
      const failures = await listRecentFailures(fresh.db, 5);
      expect(failures.map((row) => row.status).sort()).toEqual(['failed', 'failed', 'timed_out']);
    } finally {
      await fresh.drop();
    }
  });
});

describe('occurrence uniqueness', () => {
  it('rejects a second execution row for the same scheduled occurrence', async () => {
    const task = await createTask(database.db, makeDraft(), { actor, now: T0 });
    const slot = '2026-11-28T10:05:00Z';
    await database.pool.query(
      `insert into task_executions (task_id, trigger, status, scheduled_for) values ($1, 'schedule', 'queued', $2)`,
      [task.id, slot],
    );
    await expect(
      database.pool.query(
        `insert into task_executions (task_id, trigger, status, scheduled_for) values ($1, 'catchup', 'queued', $2)`,
        [task.id, slot],
      ),
    ).rejects.toMatchObject({ code: '23505', constraint: 'task_executions_occurrence_key' });
    // A retry of that occurrence is a new row with the same scheduled_for: allowed.
    await database.pool.query(
      `insert into task_executions (task_id, trigger, status, scheduled_for, attempt) values ($1, 'retry', 'queued', $2, 2)`,
      [task.id, slot],
    );
  });
});
