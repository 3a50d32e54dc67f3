// Starting owned executions at their instant: the overlap decision under the task lock (docs/ARCHITECTURE.md §5.3, §5.6).
import type pg from 'pg';
import type { ExecutionTrigger, OverlapPolicy, SlotReason, TaskType } from '../domain/task-types.js';
import { withTransaction } from './transaction.js';

/** Everything the runner needs to execute one claimed execution. */
export interface StartedExecution {
  id: string;
  taskId: string;
  attempt: number;
  trigger: ExecutionTrigger;
  scheduledFor: Date | null;
  startedAt: Date;
  task: {
    id: string;
    name: string;
    type: TaskType;
    template: string | null;
    params: Record<string, unknown>;
    timeoutSeconds: number;
    overlapPolicy: OverlapPolicy;
    maxRetries: number;
    alertChannel: string | null;
    notifyOnSuccess: boolean;
  };
}

/** The columns of a task row a started execution carries (selected by the start and by the claim). */
export interface StartedTaskRow {
  id: string;
  name: string;
  type: TaskType;
  template: string | null;
  params: Record<string, unknown>;
  timeout_seconds: number;
  overlap_policy: OverlapPolicy;
  max_retries: number;
  alert_channel: string | null;
  notify_on_success: boolean;
}

export function startedTask(row: StartedTaskRow): StartedExecution['task'] {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    template: row.template,
    params: row.params,
    timeoutSeconds: row.timeout_seconds,
    overlapPolicy: row.overlap_policy,
    maxRetries: row.max_retries,
    alertChannel: row.alert_channel,
    notifyOnSuccess: row.notify_on_success,
  };
}

export interface StartDecisionInput {
  executionId: string;
  taskId: string;
  trigger: ExecutionTrigger;
  scheduledFor: Date | null;
  overlapPolicy: OverlapPolicy;
  /** Executions of this task running right now (before this batch). */
  runningCount: number;
}

export type StartDecision = 'start' | 'skip' | 'requeue';

export interface StartOutcome {
  started: StartedExecution[];
  skipped: Array<{ id: string; taskId: string; scheduledFor: Date | null; reason: SlotReason }>;
  requeued: string[];
  /** Early starts whose task was busy: left queued and owned, to be decided again at their instant. */
  deferred: string[];
  /** Owned executions that were no longer ours (reaped, cancelled) when we tried to start them. */
  lost: string[];
}

/**
 * Moves owned queued executions to `running` at their instant (docs/ARCHITECTURE.md §5.3, §5.6). Task rows are
 * locked in id order (so two replicas starting executions of the same tasks cannot deadlock) and the
 * overlap policy is applied against what is running at that moment: `decide` returns start, skip
 * (recorded as skipped: overlap) or requeue (given back, to start when the running one ends).
 *
 * An execution whose instant (run_after) is still ahead of `now` is an early start: the scheduler
 * records it running shortly before its instant and invokes the executor at the instant, so the
 * transaction's time is not added to the lateness. Its started_at is the instant. An early start is
 * only made when its task is idle; otherwise it is deferred (nothing written) and decided at its
 * instant like any other, so the overlap policy always sees what runs at the instant.
 *
 * A batch of early starts only never waits: it skips task rows that are busy or locked (a settle, a
 * claim, another replica's start) and execution rows that are locked, deferring those executions. It
 * then never holds up the settle it would have to wait for anyway (measured under overload: waiting
 * early starts and settles convoyed, and a third of the executions were skipped by the overlap policy).
 *
 * Stays whole: one start transaction; its statements share the locked task rows.
 */
export async function startExecutions(
  pool: pg.Pool,
  options: {
    executions: ReadonlyArray<{ id: string; taskId: string; runAfter: Date }>;
    now: Date;
    workerId: string;
    leaseUntil: Date;
    decide: (inputs: StartDecisionInput[]) => StartDecision[];
  },
): Promise<StartOutcome> {
  if (options.executions.length === 0)
    return { started: [], skipped: [], requeued: [], deferred: [], lost: [] };
  const allEarly = options.executions.every(
    (execution) => execution.runAfter.getTime() > options.now.getTime(),
  );
  // Stays whole: one transaction; its statements share the locked task rows.
  return withTransaction(pool, async (client) => {
    // Two single-table statements, each reaching its rows by primary key. (One join let the planner
    // start from a mis-estimated side: measured 750 ms per start, nested over every task, with the
    // queue index full of entries of rows long started.) Task rows first, in id order, so replicas
    // starting executions of the same tasks cannot deadlock; is_running is read under that lock, so a
    // settle that committed meanwhile is seen.
    const tasks = await client.query<StartedTaskRow & { is_running: boolean }>(
      `select id, overlap_policy, is_running, name, type, template, params, timeout_seconds, max_retries,
              alert_channel, notify_on_success
         from scheduled_tasks
        where id = any($1::uuid[]) and approval_state = 'approved'
          ${allEarly ? "and (not is_running or overlap_policy = 'allow')" : ''}
        order by id
        for no key update ${allEarly ? 'skip locked' : ''}`,
      [[...new Set(options.executions.map((execution) => execution.taskId))]],
    );
    const taskById = new Map(tasks.rows.map((task) => [task.id, task]));
    // Executions of a task that is gone or no longer approved are not started (reported lost).
    // The status is checked here, not in SQL: a status condition lets the planner pick the partial
    // queue index, whose entries for started rows it must wade through until vacuum.
    const executions = await client.query<{
      id: string;
      task_id: string;
      status: string;
      trigger: ExecutionTrigger;
      scheduled_for: Date | null;
      attempt: number;
      run_after: Date;
      created_at: Date;
    }>(
      `select id, task_id, status, trigger, scheduled_for, attempt, run_after, created_at
         from task_executions
        where id = any($1::uuid[]) and worker_id = $2
        order by id
        for update ${allEarly ? 'skip locked' : ''}`,
      [
        options.executions
          .filter((execution) => taskById.has(execution.taskId))
          .map((execution) => execution.id),
        options.workerId,
      ],
    );
    // Each queued execution beside its task (a pair, not a spread of the two rows: copying 19 fields
    // per execution was 12 % of a replica's busy time in the sustained benchmark).
    const rows: Array<{ execution: (typeof executions.rows)[number]; task: (typeof tasks.rows)[number] }> =
      [];
    for (const execution of executions.rows) {
      const task = taskById.get(execution.task_id);
      if (task && execution.status === 'queued') rows.push({ execution, task });
    }
    // The overlap decision reads executions in the order they are due.
    rows.sort(
      (a, b) =>
        a.execution.run_after.getTime() - b.execution.run_after.getTime() ||
        compareNullsLast(a.execution.scheduled_for, b.execution.scheduled_for) ||
        a.execution.created_at.getTime() - b.execution.created_at.getTime(),
    );
    const present = new Set(rows.map((row) => row.execution.id));
    const missing = options.executions.map((execution) => execution.id).filter((id) => !present.has(id));
    // Early, a missing row may only be busy: decide it at its instant, where a lost one shows as lost.
    const lost = allEarly ? [] : missing;
    const decisions = options.decide(
      rows.map(({ execution, task }) => ({
        executionId: execution.id,
        taskId: execution.task_id,
        trigger: execution.trigger,
        scheduledFor: execution.scheduled_for,
        overlapPolicy: task.overlap_policy,
        runningCount: task.is_running ? 1 : 0,
      })),
    );
    const startIds: string[] = [];
    const skipIds: string[] = [];
    const requeueIds: string[] = [];
    const outcome: StartOutcome = {
      started: [],
      skipped: [],
      requeued: [],
      deferred: allEarly ? missing : [],
      lost,
    };
    rows.forEach(({ execution, task }, index) => {
      const decision = decisions[index];
      const early = execution.run_after.getTime() > options.now.getTime();
      if (early && decision !== 'start') {
        outcome.deferred.push(execution.id);
      } else if (decision === 'start') {
        startIds.push(execution.id);
        outcome.started.push({
          id: execution.id,
          taskId: execution.task_id,
          attempt: execution.attempt,
          trigger: execution.trigger,
          scheduledFor: execution.scheduled_for,
          startedAt: early ? execution.run_after : options.now,
          task: startedTask(task),
        });
      } else if (decision === 'skip') {
        skipIds.push(execution.id);
        outcome.skipped.push({
          id: execution.id,
          taskId: execution.task_id,
          scheduledFor: execution.scheduled_for,
          reason: 'overlap_skipped',
        });
      } else {
        requeueIds.push(execution.id);
        outcome.requeued.push(execution.id);
      }
    });
    const now = options.now.toISOString();
    if (startIds.length > 0) {
      await client.query(
        `with started as (
           update task_executions
              -- An early start records its instant (see above); any other starts now.
              set status = 'running', started_at = greatest($2::timestamptz, run_after), heartbeat_at = $2,
                  lease_until = $3
            where id = any($1::uuid[])
           returning task_id, started_at)
         update scheduled_tasks t set is_running = true, last_run_at = s.started_at
           from (select task_id, max(started_at) as started_at from started group by task_id) as s
          where t.id = s.task_id`,
        [startIds, now, options.leaseUntil.toISOString()],
      );
    }
    if (skipIds.length > 0) {
      await client.query(
        `update task_executions
            set status = 'skipped', reason = 'overlap_skipped', finished_at = $2, worker_id = null, lease_until = null
          where id = any($1::uuid[])`,
        [skipIds, now],
      );
    }
    if (requeueIds.length > 0) {
      await client.query(
        `update task_executions set worker_id = null, lease_until = null where id = any($1::uuid[])`,
        [requeueIds],
      );
    }
    return outcome;
  });
}

function compareNullsLast(a: Date | null, b: Date | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a.getTime() - b.getTime();
}
