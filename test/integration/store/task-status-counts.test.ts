import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveTaskStatus, SOON_WINDOW_MS, type TaskStatus } from '../../../src/domain/task-status.js';
import { countTasksByStatus, listTaskStatusInputs } from '../../../src/store/stats.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 } from '../../support/fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const now = T0;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const GRACE_S = 300;

/** Each row one rule of deriveTaskStatus, on both sides of its boundary. */
const CASES: Array<{ name: string; set: Record<string, unknown>; expected: TaskStatus }> = [
  { name: 'paused', set: { enabled: false, next_run_at: at(60_000) }, expected: 'disabled' },
  {
    name: 'pending approval',
    set: { approval_state: 'pending', next_run_at: at(60_000) },
    expected: 'disabled',
  },
  {
    name: 'running',
    set: { is_running: true, last_run_at: at(-1000), next_run_at: at(-3_600_000) },
    expected: 'running',
  },
  { name: 'running, no last run', set: { is_running: true, last_run_at: null }, expected: 'running' },
  {
    name: 'claimed ahead of its instant',
    set: { is_running: true, last_run_at: at(1000), next_run_at: at(2 * SOON_WINDOW_MS) },
    expected: 'scheduled',
  },
  { name: 'no next run', set: { next_run_at: null }, expected: 'scheduled' },
  { name: 'late past the grace', set: { next_run_at: at(-GRACE_S * 1000 - 1) }, expected: 'overdue' },
  { name: 'late, at the grace', set: { next_run_at: at(-GRACE_S * 1000) }, expected: 'soon' },
  { name: 'just under an hour', set: { next_run_at: at(SOON_WINDOW_MS - 1) }, expected: 'soon' },
  { name: 'an hour away', set: { next_run_at: at(SOON_WINDOW_MS) }, expected: 'scheduled' },
  { name: 'tomorrow', set: { next_run_at: at(86_400_000) }, expected: 'scheduled' },
];

describe('countTasksByStatus', () => {
  it('counts in SQL exactly what deriveTaskStatus says of each task, boundaries included', async () => {
    for (const testCase of CASES) {
      const task = await createTask(database.db, makeDraft({ name: testCase.name }), { actor, now });
      const columns = { overdue_grace_seconds: GRACE_S, ...testCase.set };
      const names = Object.keys(columns);
      await database.pool.query(
        `update scheduled_tasks set ${names.map((column, i) => `${column} = $${i + 2}`).join(', ')} where id = $1`,
        [task.id, ...Object.values(columns)],
      );
    }
    const inputs = await listTaskStatusInputs(database.db);
    const derived: Record<TaskStatus, number> = {
      scheduled: 0,
      soon: 0,
      running: 0,
      overdue: 0,
      disabled: 0,
    };
    for (const input of inputs) {
      const status = deriveTaskStatus(input, now);
      expect(status, input.name).toBe(CASES.find((c) => c.name === input.name)?.expected);
      derived[status] += 1;
    }
    expect(await countTasksByStatus(database.db, now)).toEqual(derived);
    expect(derived).toEqual({ scheduled: 4, soon: 2, running: 2, overdue: 1, disabled: 2 });
  });
});
