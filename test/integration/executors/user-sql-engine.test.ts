import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutorRegistry } from '../../../src/executors/registry.js';
import { createScheduler } from '../../../src/scheduler/scheduler.js';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createTask } from '../../../src/store/tasks.js';
import { makeDraft } from '../../support/fixtures.js';
import { executionsOf, TEST_SCHEDULER_OPTIONS } from '../../support/scheduler.js';
import { countRows, createExecutorTestBed, type ExecutorTestBed, NOW } from './support.js';

// The trust boundary seen from the engine: an approved custom task whose SQL tries to regain
// chronops's privileges runs through the real scheduler and the real executors, fails, and its
// execution row says why.
let bed: ExecutorTestBed;
beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  await bed.grantTaskLogin();
});
afterAll(async () => {
  await bed.close();
});

async function runOnce(type: 'custom' | 'notification', params: Record<string, unknown>) {
  const clock = createFakeClock(NOW);
  const executors = createExecutorRegistry(bed.deps);
  const scheduler = createScheduler({
    pool: bed.database.pool,
    clock,
    logger: createSilentLogger(),
    executorFor: (taskType) => executors[taskType],
    random: () => 0.5,
    options: { ...TEST_SCHEDULER_OPTIONS },
  });
  const task = await createTask(
    bed.database.db,
    { ...makeDraft({ type, cron: '0 3 * * *', maxRetries: 0 }, NOW), params },
    { actor: { id: 'U1' }, now: NOW },
  );
  clock.set(task.nextRunAt!);
  await scheduler.tick(clock.now());
  await scheduler.idle();
  await scheduler.stop();
  const [execution] = await executionsOf(bed.database, task.id);
  return execution!;
}

describe('user SQL through the engine', () => {
  it.each([
    ['reset role; delete from audit_log', /permission denied for table audit_log/],
    [
      "reset role; update scheduled_tasks set approval_state = 'approved'",
      /permission denied for table scheduled_tasks/,
    ],
    ["select pg_read_binary_file('/etc/hostname')", /permission denied for function pg_read_binary_file/],
    ['set role postgres', /permission denied to set role "postgres"/],
    [
      "reset role; copy (select 1) to program 'true'",
      /permission denied to COPY to or from an external program|must be superuser/,
    ],
    ['commit; delete from audit_log', /COMMIT is not allowed/],
  ])('custom SQL %j fails and the execution records why', async (sql, why) => {
    const before = await countRows(bed.database, ['audit_log']);
    const execution = await runOnce('custom', { kind: 'sql', sql });
    expect(execution.status).toBe('failed');
    expect(String(execution.error)).toMatch(why);
    // The audit log gained only the task's own creation, nothing the SQL did.
    expect((await countRows(bed.database, ['audit_log'])).audit_log).toBe(before.audit_log! + 1);
  });

  it('a custom notification query cannot read chronops’s tables either', async () => {
    const execution = await runOnce('notification', {
      query: 'custom',
      sql: 'select name from scheduled_tasks',
    });
    expect(execution.status).toBe('failed');
    expect(String(execution.error)).toMatch(/permission denied for table scheduled_tasks/);
  });

  it('runs allowed SQL on the demo tables and records its result', async () => {
    const execution = await runOnce('custom', {
      kind: 'sql',
      sql: "select count(*)::int4 as errors from logs where level = 'error'",
    });
    expect(execution.status).toBe('success');
    expect(execution.result).toMatchObject({
      kind: 'sql',
      statements: 1,
      rows: [{ errors: expect.any(Number) }],
    });
  });
});
