import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft } from '../../support/fixtures.js';
import { createScriptedExecutor, createTestScheduler } from '../../support/scheduler.js';

let database: TestDatabase;
let pools: TestDatabase[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const pool of pools) await pool.close();
  await database.drop();
});

describe('exactly once across replicas', () => {
  it('three schedulers ticking concurrently execute every occurrence exactly once', async () => {
    const tasks = [];
    for (let i = 0; i < 60; i++) {
      tasks.push(
        await createTask(database.db, makeDraft({ name: `every minute ${i}`, cron: '* * * * *' }, T), {
          actor: { id: 'U1' },
          now: T,
        }),
      );
    }
    // Each replica has its own connection pool, as separate processes would.
    pools = [0, 1, 2].map(() => ({ ...database, ...createPoolLike(database.url) }));
    const scripted = [createScriptedExecutor(), createScriptedExecutor(), createScriptedExecutor()];
    const clock = createFakeClock(T);
    const schedulers = [0, 1, 2].map((i) =>
      createTestScheduler(pools[i]!, clock, scripted[i]!, { workerId: `replica-${i}`, claimBatchSize: 7 }),
    );
    const minutes = 5;
    for (let minute = 1; minute <= minutes; minute++) {
      clock.set(T.getTime() + minute * 60_000 + 3);
      await Promise.all(schedulers.map((scheduler) => scheduler.tick(clock.now())));
      await Promise.all(schedulers.map((scheduler) => scheduler.idle()));
    }
    const counts = await database.pool.query(
      `select task_id, scheduled_for, count(*)::int as n from task_executions group by 1, 2 having count(*) > 1`,
    );
    expect(counts.rows).toEqual([]);
    const total = await database.pool.query(
      `select count(*)::int as n, count(distinct worker_id)::int as workers from task_executions where status = 'success'`,
    );
    expect(total.rows[0].n).toBe(tasks.length * minutes);
    // The work was actually shared (SKIP LOCKED), not done by one replica while the others waited.
    expect(total.rows[0].workers).toBeGreaterThan(1);
    expect(scripted.reduce((sum, s) => sum + s.calls.length, 0)).toBe(tasks.length * minutes);
  });
});

import { createDatabase } from '../../../src/store/database.js';
import { T0 as T } from '../../support/fixtures.js';

function createPoolLike(url: string) {
  return createDatabase(url, { max: 4 });
}
