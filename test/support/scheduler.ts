import type { TaskType } from '../../src/domain/task-types.js';
import type { ExecutionContext, ExecutionResult, Executor } from '../../src/executors/types.js';
import type { Scheduler, SchedulerDeps, SchedulerOptions } from '../../src/scheduler/contract.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';
import { type Clock, createFakeClock } from '../../src/shared/clock.js';
import { AppError, type AppErrorCode } from '../../src/shared/errors.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createTask } from '../../src/store/tasks.js';
import type { TestDatabase } from './database.js';
import { makeDraft } from './fixtures.js';

/**
 * Engine tests exercise the scheduler, not the task types: this executor does what the task's params
 * say (succeed, fail, hang until released or aborted, ignore the abort signal), and records each call.
 */
export interface ScriptedExecutor {
  executor: Executor;
  calls: ExecutionContext[];
  /** Resolves every hanging execution (they then succeed). */
  releaseAll(): void;
}

export function createScriptedExecutor(): ScriptedExecutor {
  const calls: ExecutionContext[] = [];
  const releases = new Set<() => void>();
  const executor: Executor = async (context) => {
    calls.push(context);
    const behaviour = String(context.task.params.behaviour ?? 'succeed');
    context.log.info(`behaviour ${behaviour}`);
    if (behaviour === 'fail') throw new Error(String(context.task.params.message ?? 'scripted failure'));
    if (behaviour === 'fail-first' && context.execution.attempt === 1) throw new Error('first attempt fails');
    if (behaviour === 'fail-coded')
      throw new AppError(context.task.params.code as AppErrorCode, 'coded failure', undefined, {
        params: { seconds: 42 },
      });
    if (behaviour === 'hang' || behaviour === 'ignore-abort') {
      await new Promise<void>((resolve, reject) => {
        releases.add(resolve);
        if (behaviour === 'hang') {
          context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
        }
      });
    }
    return { summary: 'done', data: { behaviour } } satisfies ExecutionResult;
  };
  return {
    executor,
    calls,
    releaseAll: () => {
      for (const release of releases) release();
      releases.clear();
    },
  };
}

export const TEST_SCHEDULER_OPTIONS: SchedulerOptions = {
  workerId: 'worker-a',
  leaseSeconds: 30,
  heartbeatSeconds: 10,
  pollIntervalMs: 1000,
  claimBatchSize: 100,
  maxConcurrentExecutions: 100,
  shutdownGraceSeconds: 1,
  catchupWindowSeconds: 3600,
  maxCatchupRuns: 10,
  lookaheadMs: 0,
  planAheadMs: 0,
  startLeadMs: 0,
  reapIntervalMs: 0,
  overdueIntervalMs: 0,
};

export function createTestScheduler(
  database: TestDatabase,
  clock: Clock,
  scripted: ScriptedExecutor,
  overrides: Partial<SchedulerOptions> = {},
  random: () => number = () => 0.5,
  liveness?: SchedulerDeps['liveness'],
): Scheduler {
  return createScheduler({
    pool: database.pool,
    clock,
    logger: createSilentLogger(),
    executorFor: (_type: TaskType) => scripted.executor,
    random,
    options: { ...TEST_SCHEDULER_OPTIONS, ...overrides },
    ...(liveness ? { liveness } : {}),
  });
}

/** Rows of task_executions for a task, oldest occurrence first. */
export async function executionsOf(database: TestDatabase, taskId: string) {
  const result = await database.pool.query(
    `select * from task_executions where task_id = $1 order by coalesce(scheduled_for, created_at), attempt, created_at`,
    [taskId],
  );
  return result.rows as Array<
    Record<string, unknown> & { id: string; status: string; scheduled_for: Date | null }
  >;
}

/**
 * An every-minute task (overlap skip) whose first run hangs, started at its instant by a scheduler
 * with these options; `second` is its next occurrence.
 */
export async function startHangingTask(
  database: TestDatabase,
  at: Date,
  overrides: Partial<SchedulerOptions>,
) {
  const clock = createFakeClock(at);
  const scripted = createScriptedExecutor();
  const scheduler = createTestScheduler(database, clock, scripted, overrides);
  const task = await createTask(
    database.db,
    makeDraft({ cron: '* * * * *', overlapPolicy: 'skip', params: { behaviour: 'hang' } }, at),
    { actor: { id: 'U1' }, now: at },
  );
  const first = task.nextRunAt!;
  clock.set(first);
  await scheduler.tick(clock.now());
  if (scripted.calls.length !== 1)
    throw new Error(`expected the first run to start, got ${scripted.calls.length}`);
  return { clock, scripted, scheduler, task, second: new Date(first.getTime() + 60_000) };
}
