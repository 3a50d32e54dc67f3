import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/scheduler/scheduler.js';
import { createFakeClock, type FakeClock } from '../../../src/shared/clock.js';
import { createSilentLogger } from '../../../src/shared/logger.js';
import { cancelExecution, retryExecution } from '../../../src/store/execution-commands.js';
import { createTask } from '../../../src/store/tasks.js';
import { holdWorkerLiveness, type WorkerLiveness } from '../../../src/store/worker-liveness.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 as T } from '../../support/fixtures.js';
import {
  createScriptedExecutor,
  createTestScheduler,
  executionsOf,
  TEST_SCHEDULER_OPTIONS,
} from '../../support/scheduler.js';
import { waitUntil } from '../../support/wait-until.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await database.pool.query('delete from scheduled_tasks; delete from notification_outbox');
});

async function outbox(kind: string) {
  const result = await database.pool.query('select * from notification_outbox where kind = $1 order by id', [
    kind,
  ]);
  return result.rows;
}

describe('retries', () => {
  it('retries up to max_retries with exponential backoff, each a new row linked to its parent', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft({ cron: '0 3 * * *', params: { behaviour: 'fail', message: 'disk full' } }, T),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    // random() = 0.5 means zero jitter: 30 s, 60 s, 120 s.
    for (const delaySeconds of [30, 60, 120]) {
      const [, latest] = await database.pool
        .query(`select run_after from task_executions where task_id = $1 and status = 'queued'`, [task.id])
        .then((result) => [null, result.rows[0]]);
      expect(latest).toBeDefined();
      expect((latest.run_after as Date).getTime() - clock.nowMs()).toBe(delaySeconds * 1000);
      // Not before its time…
      await scheduler.tick(new Date(latest.run_after.getTime() - 1));
      await scheduler.idle();
      expect(scripted.calls.length).toBe([30, 60, 120].indexOf(delaySeconds) + 1);
      // …and at its time.
      clock.set(latest.run_after);
      await scheduler.tick(clock.now());
      await scheduler.idle();
    }
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => [row.attempt, row.status, row.trigger])).toEqual([
      [1, 'failed', 'schedule'],
      [2, 'failed', 'retry'],
      [3, 'failed', 'retry'],
      [4, 'failed', 'retry'],
    ]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.parent_execution_id).toBe(rows[i - 1]!.id);
    expect(rows.every((row) => row.error === 'disk full')).toBe(true);
    expect(rows.every((row) => (row.scheduled_for as Date).getTime() === task.nextRunAt!.getTime())).toBe(
      true,
    );
    const alerts = await outbox('execution_failed');
    expect(
      alerts.map((alert) => [alert.payload.attempt, alert.payload.maxAttempts, alert.payload.retry === null]),
    ).toEqual([
      [1, 4, false],
      [2, 4, false],
      [3, 4, false],
      [4, 4, true],
    ]);
    // Nothing more to run.
    clock.advance(3600_000);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    expect(scripted.calls).toHaveLength(4);
  });

  it('a success after a failure is recorded and announced as a recovery', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(database.db, makeDraft({ params: { behaviour: 'fail-first' } }, T), {
      actor,
      now: T,
    });
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    clock.advance(30_000);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => row.status)).toEqual(['failed', 'success']);
    const [recovered] = await outbox('execution_succeeded');
    expect(recovered.payload).toMatchObject({ recovered: true, attempt: 2 });
  });

  it('retries a failed execution on request, once however often the button is clicked', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft({ params: { behaviour: 'fail' }, maxRetries: 0 }, T),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const [failed] = await executionsOf(database, task.id);
    const first = await retryExecution(database.pool, {
      executionId: failed!.id,
      actorId: 'U2',
      now: clock.now(),
    });
    const second = await retryExecution(database.pool, {
      executionId: failed!.id,
      actorId: 'U2',
      now: clock.now(),
    });
    expect(first.kind).toBe('created');
    // The second click finds the first one's attempt due now: it is starting, nothing new is queued.
    expect(second).toEqual({ kind: 'starting', id: first.id, startsAt: clock.now() });
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const rows = await executionsOf(database, task.id);
    expect(rows.map((row) => [row.attempt, row.trigger, row.triggered_by])).toEqual([
      [1, 'schedule', null],
      [2, 'retry', 'U2'],
    ]);
    await expect(
      retryExecution(database.pool, {
        // Another id: its last digit changed (to 0, or to 1 when it already was 0).
        executionId: rows[0]!.id.replace(/.$/, (last) => (last === '0' ? '1' : '0')),
        actorId: 'U2',
        now: clock.now(),
      }),
    ).rejects.toMatchObject({ code: 'execution_not_found' });
  });
});

describe('retry means run now', () => {
  async function failOnce(maxRetries: number) {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft({ cron: '0 3 * * *', params: { behaviour: 'fail' }, maxRetries }, T),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    return { clock, scripted, scheduler, task };
  }

  it('brings the automatic retry waiting for its backoff forward to now: same row, audited, run at once', async () => {
    const { clock, scripted, scheduler, task } = await failOnce(3);
    const [failed, pending] = await executionsOf(database, task.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'scripted failure',
      error_code: 'executor_failed',
    });
    expect(pending).toMatchObject({ status: 'queued', attempt: 2, trigger: 'retry' });
    const dueAt = pending!.run_after as Date;
    expect(dueAt.getTime() - clock.nowMs()).toBe(30_000);
    clock.advance(2000);
    const outcome = await retryExecution(database.pool, {
      executionId: failed!.id,
      actorId: 'U2',
      now: clock.now(),
    });
    expect(outcome).toEqual({
      kind: 'brought_forward',
      id: pending!.id,
      startsAt: clock.now(),
      wasDueAt: dueAt,
    });
    const audit = await database.pool.query(
      `select actor, action, before, after from audit_log where execution_id = $1`,
      [pending!.id],
    );
    expect(audit.rows).toEqual([
      {
        actor: 'U2',
        action: 'execution.retry_brought_forward',
        before: { executionId: failed!.id, runAfter: dueAt.toISOString() },
        after: { runAfter: clock.now().toISOString() },
      },
    ]);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    expect(scripted.calls.map((call) => call.execution.id)).toEqual([failed!.id, pending!.id]);
    const rows = await executionsOf(database, task.id);
    // No second attempt 2: the same row ran, and the chain goes on from it.
    expect(rows.map((row) => [row.attempt, row.status, row.triggered_by])).toEqual([
      [1, 'failed', null],
      [2, 'failed', 'U2'],
      [3, 'queued', 'retry-policy'],
    ]);
  });

  it('finds the pending retry further down the chain when an earlier attempt is retried', async () => {
    const { clock, scheduler, task } = await failOnce(3);
    const [first, second] = await executionsOf(database, task.id);
    clock.set(second!.run_after as Date);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const third = (await executionsOf(database, task.id))[2]!;
    expect(third).toMatchObject({ status: 'queued', attempt: 3, parent_execution_id: second!.id });
    const outcome = await retryExecution(database.pool, {
      executionId: first!.id,
      actorId: 'U3',
      now: clock.now(),
    });
    expect(outcome).toMatchObject({ kind: 'brought_forward', id: third.id });
    expect(await executionsOf(database, task.id)).toHaveLength(3);
  });

  it('says a retry is running rather than queueing another', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft({ cron: '0 3 * * *', params: { behaviour: 'fail-first' }, maxRetries: 0 }, T),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const [failed] = await executionsOf(database, task.id);
    const created = await retryExecution(database.pool, {
      executionId: failed!.id,
      actorId: 'U2',
      now: clock.now(),
    });
    expect(created.kind).toBe('created');
    await database.pool.query(
      `update task_executions set status = 'running', started_at = $2 where id = $1`,
      [created.id, clock.now()],
    );
    const again = await retryExecution(database.pool, {
      executionId: failed!.id,
      actorId: 'U2',
      now: clock.now(),
    });
    expect(again).toEqual({ kind: 'running', id: created.id, startedAt: clock.now() });
    await database.pool.query(`update task_executions set status = 'cancelled' where id = $1`, [created.id]);
    void scheduler;
  });
});

describe('timeouts and cancellation', () => {
  it('ends an execution timed_out when its executor ignores the abort signal', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft({ params: { behaviour: 'ignore-abort' }, timeoutSeconds: 1, maxRetries: 0 }, T),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    expect(scripted.calls).toHaveLength(1);
    const signal = scripted.calls[0]!.signal;
    // Advance the injected clock past the deadline: the next tick enforces it.
    clock.advance(1500);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    expect(signal.aborted).toBe(true);
    const [execution] = await executionsOf(database, task.id);
    expect(execution).toMatchObject({
      status: 'timed_out',
      error: 'Timed out after 1 s; the executor was aborted.',
      error_code: 'timed_out',
    });
    expect(execution!.duration_ms).toBe(1500);
    const stored = await database.pool.query(
      'select is_running, last_status from scheduled_tasks where id = $1',
      [task.id],
    );
    expect(stored.rows[0]).toEqual({ is_running: false, last_status: 'timed_out' });
    scripted.releaseAll();
  });

  it('cancels a running execution on request and a queued one at once', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted, { heartbeatSeconds: 1 });
    const task = await createTask(
      database.db,
      makeDraft({ params: { behaviour: 'hang' }, cron: '0 3 * * *' }, T),
      {
        actor,
        now: T,
      },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    const [running] = await executionsOf(database, task.id);
    expect(
      await cancelExecution(database.pool, { executionId: running!.id, actorId: 'U9', now: clock.now() }),
    ).toBe('cancel_requested');
    clock.advance(1000);
    await scheduler.tick(clock.now()); // the heartbeat sees the request
    await scheduler.idle();
    const [cancelled] = await executionsOf(database, task.id);
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled_by_user',
      error_code: 'cancelled',
      cancel_requested_by: 'U9',
    });
    expect(
      await cancelExecution(database.pool, { executionId: running!.id, actorId: 'U9', now: clock.now() }),
    ).toBe('already_finished');

    const queued = await database.pool.query(`select execute_task_now($1, 'U9') as id`, [task.id]);
    expect(
      await cancelExecution(database.pool, {
        executionId: queued.rows[0].id,
        actorId: 'U9',
        now: clock.now(),
      }),
    ).toBe('cancelled');
    const audit = await database.pool.query(`select action from audit_log where task_id = $1 order by id`, [
      task.id,
    ]);
    expect(audit.rows.map((row) => row.action)).toEqual([
      'task.created',
      'execution.cancelled',
      'execution.cancelled',
    ]);
  });
});

describe('crash recovery', () => {
  it('marks a dead worker’s running execution failed within the lease and retries it elsewhere', async () => {
    const clock = createFakeClock(T);
    const dead = createScriptedExecutor();
    const alive = createScriptedExecutor();
    const replicaA = createTestScheduler(database, clock, dead, { workerId: 'replica-a', leaseSeconds: 30 });
    const replicaB = createTestScheduler(database, clock, alive, { workerId: 'replica-b', leaseSeconds: 30 });
    const task = await createTask(
      database.db,
      makeDraft({ params: { behaviour: 'hang' }, cron: '0 3 * * *' }, T),
      {
        actor,
        now: T,
      },
    );
    clock.set(task.nextRunAt!);
    await replicaA.tick(clock.now());
    expect(dead.calls).toHaveLength(1);
    // Replica A now stops heartbeating (as if killed). Before the lease lapses B leaves it alone…
    clock.advance(29_000);
    await replicaB.tick(clock.now());
    expect((await executionsOf(database, task.id))[0]!.status).toBe('running');
    // …after, B recovers it (and its retry, due at once, runs with the task's current params).
    await database.pool.query(`update scheduled_tasks set params = '{"behaviour":"succeed"}' where id = $1`, [
      task.id,
    ]);
    clock.advance(2_000);
    const report = await replicaB.tick(clock.now());
    expect(report.reaped).toBe(1);
    const [lost, retry] = await executionsOf(database, task.id);
    expect(lost).toMatchObject({
      status: 'failed',
      reason: 'worker_lost',
      error_code: 'worker_lost',
      worker_id: 'replica-a',
    });
    expect(lost!.error).toMatch(/^Worker lost: replica-a stopped renewing its lease/);
    expect(retry).toMatchObject({ attempt: 2, trigger: 'retry', parent_execution_id: lost!.id });
    // Losing its worker is not the task's fault: the retry is due at once, not after the backoff.
    expect((retry!.run_after as Date).getTime()).toBe(clock.nowMs());
    expect(await outbox('worker_lost')).toHaveLength(1);
    // The retry runs on B; A's late result (if it ever came) would be refused by the ownership check.
    await replicaB.idle();
    const stuck = await database.pool.query('select is_running from scheduled_tasks where id = $1', [
      task.id,
    ]);
    expect(stuck.rows[0].is_running).toBe(false);
    const final = await executionsOf(database, task.id);
    expect(final.map((row) => [row.status, row.worker_id])).toEqual([
      ['failed', 'replica-a'],
      ['success', 'replica-b'],
    ]);
    dead.releaseAll();
    await replicaA.idle();
    // A's executor finishing late changes nothing.
    expect((await executionsOf(database, task.id)).map((row) => row.status)).toEqual(['failed', 'success']);
  });

  describe('a worker that exited (its liveness lock is gone)', () => {
    const livenesses: WorkerLiveness[] = [];
    afterEach(async () => {
      await Promise.all(livenesses.splice(0).map((liveness) => liveness.stop()));
    });
    async function heldLiveness(workerId: string, clock: FakeClock): Promise<WorkerLiveness> {
      const liveness = holdWorkerLiveness({
        url: database.url,
        workerId,
        logger: createSilentLogger(),
        nowMs: () => clock.nowMs(),
      });
      livenesses.push(liveness);
      await waitUntil(async () => liveness.heldSinceMs() !== null, 10_000, `${workerId} holds its lock`);
      return liveness;
    }
    async function hangingRunOn(workerId: string, clock: FakeClock) {
      const scripted = createScriptedExecutor();
      const liveness = await heldLiveness(workerId, clock);
      const scheduler = createTestScheduler(
        database,
        clock,
        scripted,
        { workerId, leaseSeconds: 60, heartbeatSeconds: 2 },
        () => 0.5,
        liveness,
      );
      const task = await createTask(
        database.db,
        makeDraft({ params: { behaviour: 'hang' }, cron: '0 3 * * *' }, clock.now()),
        { actor, now: clock.now() },
      );
      clock.set(task.nextRunAt!);
      await scheduler.tick(clock.now());
      expect(scripted.calls).toHaveLength(1);
      return { scheduler, scripted, liveness, task };
    }

    it('has its runs recovered a few seconds after its last heartbeat, long before the lease lapses', async () => {
      const clock = createFakeClock(T);
      const survivorExecutor = createScriptedExecutor();
      const survivor = createTestScheduler(
        database,
        clock,
        survivorExecutor,
        { workerId: 'replica-b', leaseSeconds: 60, heartbeatSeconds: 2 },
        () => 0.5,
        await heldLiveness('replica-b', clock),
      );
      const a = await hangingRunOn('replica-a', clock);
      // Alive (its lock held), silent for longer than the orphan cutoff: left alone.
      clock.advance(4_000);
      expect((await survivor.tick(clock.now())).reaped).toBe(0);
      // The process exits: PostgreSQL ends its session and the lock with it.
      await a.liveness.stop();
      const report = await survivor.tick(clock.now());
      expect(report.reaped).toBe(1);
      const [lost, retry] = await executionsOf(database, a.task.id);
      expect(lost).toMatchObject({ status: 'failed', reason: 'worker_lost', worker_id: 'replica-a' });
      expect(lost!.error).toMatch(/^Worker lost: replica-a exited \(its liveness lock was released\)/);
      expect((lost!.lease_until as Date | null) ?? null).toBeNull();
      expect(retry).toMatchObject({ trigger: 'retry', attempt: 2 });
      expect((retry!.run_after as Date).getTime()).toBe(clock.nowMs());
      a.scripted.releaseAll();
      survivorExecutor.releaseAll();
      await Promise.all([a.scheduler.idle(), survivor.idle()]);
    });

    it('keeps the runs of a live worker whose heartbeat is fresh, even while its liveness session is down', async () => {
      const clock = createFakeClock(T);
      const survivor = createTestScheduler(
        database,
        clock,
        createScriptedExecutor(),
        { workerId: 'replica-d', leaseSeconds: 60, heartbeatSeconds: 2 },
        () => 0.5,
        await heldLiveness('replica-d', clock),
      );
      const c = await hangingRunOn('replica-c', clock);
      // Its liveness connection is cut (an administrator, a network blip), the process lives on.
      await database.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'replica-c:liveness' and datname = current_database()`,
      );
      await waitUntil(
        async () => c.liveness.heldSinceMs() === null,
        10_000,
        'replica-c sees its session lost',
      );
      for (let second = 0; second < 10; second++) {
        clock.advance(1_000);
        await c.scheduler.tick(clock.now()); // heartbeats every 2 s
        expect((await survivor.tick(clock.now())).reaped).toBe(0);
      }
      expect((await executionsOf(database, c.task.id)).map((row) => row.status)).toEqual(['running']);
      // The session is taken again by itself.
      await waitUntil(
        async () => c.liveness.heldSinceMs() !== null,
        10_000,
        'replica-c holds its lock again',
      );
      c.scripted.releaseAll();
      await c.scheduler.idle();
    });

    it('is not judged by a replica whose own lock was taken moments ago (after a database restart)', async () => {
      const clock = createFakeClock(T);
      const a = await hangingRunOn('replica-e', clock);
      const freshExecutor = createScriptedExecutor();
      const fresh = createTestScheduler(
        database,
        clock,
        freshExecutor,
        { workerId: 'replica-f', leaseSeconds: 60, heartbeatSeconds: 2 },
        () => 0.5,
        await heldLiveness('replica-f', clock),
      );
      await a.liveness.stop();
      clock.advance(3_500);
      // replica-f has held its lock for 3.5 s of its 4 s warm-up: it leaves the run to its lease.
      expect((await fresh.tick(clock.now())).reaped).toBe(0);
      clock.advance(1_000);
      expect((await fresh.tick(clock.now())).reaped).toBe(1);
      a.scripted.releaseAll();
      freshExecutor.releaseAll();
      await Promise.all([a.scheduler.idle(), fresh.idle()]);
    });
  });

  it('waits two heartbeats after its own database trouble before judging other replicas’ leases', async () => {
    const clock = createFakeClock(T);
    const a = createScriptedExecutor();
    const replicaA = createTestScheduler(database, clock, a, {
      workerId: 'replica-g',
      leaseSeconds: 12,
      heartbeatSeconds: 3,
    });
    // Replica B reaches the database through a pool that an outage can cut (fault injection in front of
    // the real pool: every query and checkout fails while `down`).
    let down = false;
    const outage = () => Promise.reject(new Error('connect ECONNREFUSED (injected outage)'));
    const flakyPool = new Proxy(database.pool, {
      get(target, property, receiver) {
        if (property === 'query' || property === 'connect') {
          return (...args: unknown[]) =>
            down
              ? outage()
              : (Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown).apply(target, args);
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const replicaB = createScheduler({
      pool: flakyPool,
      clock,
      logger: createSilentLogger(),
      executorFor: () => createScriptedExecutor().executor,
      random: () => 0.5,
      options: { ...TEST_SCHEDULER_OPTIONS, workerId: 'replica-h', leaseSeconds: 12, heartbeatSeconds: 3 },
    });
    const task = await createTask(
      database.db,
      makeDraft({ params: { behaviour: 'hang' }, cron: '0 3 * * *' }, T),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await replicaA.tick(clock.now());
    // An outage longer than the lease: A cannot renew, B cannot reap.
    down = true;
    clock.advance(13_000);
    await replicaB.tick(clock.now());
    down = false;
    // The database is back. B gets there first and finds A's lease lapsed, but waits…
    clock.advance(500);
    expect((await replicaB.tick(clock.now())).reaped).toBe(0);
    // …and A, alive all along, renews its lease in that time.
    clock.advance(1_000);
    await replicaA.tick(clock.now());
    clock.advance(6_000);
    expect((await replicaB.tick(clock.now())).reaped).toBe(0);
    expect((await executionsOf(database, task.id)).map((row) => row.status)).toEqual(['running']);
    a.releaseAll();
    await replicaA.idle();
  });
});

describe('the cause of a failure is stored as a code', () => {
  it('records the AppError code an executor threw, for SQL readers and alerts', async () => {
    const clock = createFakeClock(T);
    const scripted = createScriptedExecutor();
    const scheduler = createTestScheduler(database, clock, scripted);
    const task = await createTask(
      database.db,
      makeDraft(
        {
          cron: '0 3 * * *',
          params: { behaviour: 'fail-coded', code: 'task_sql_unavailable' },
          maxRetries: 0,
        },
        T,
      ),
      { actor, now: T },
    );
    clock.set(task.nextRunAt!);
    await scheduler.tick(clock.now());
    await scheduler.idle();
    const [failed] = await executionsOf(database, task.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'coded failure',
      error_code: 'task_sql_unavailable',
    });
    const alert = await database.pool.query(
      `select payload from notification_outbox where kind = 'execution_failed' and payload->>'executionId' = $1`,
      [failed!.id],
    );
    expect(alert.rows[0]?.payload).toMatchObject({ errorCode: 'task_sql_unavailable' });
    const byCause = await database.pool.query(
      `select count(*)::int as n from task_executions where error_code = 'task_sql_unavailable'`,
    );
    expect(byCause.rows[0].n).toBe(1);
  });
});
