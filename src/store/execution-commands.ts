import type pg from 'pg';
import { AppError } from '../shared/errors.js';
import { recordAuditWithClient } from './audit.js';
import { withTransaction } from './transaction.js';

/**
 * People's actions on executions (Slack buttons, CLI): retry a failed one, cancel a queued or running
 * one. Both are idempotent, so a double click or Slack's retried delivery does nothing twice.
 */

export interface RetryRequest {
  executionId: string;
  actorId: string;
  now: Date;
}

/** What a retry request did, and when the attempt starts. */
export type RetryOutcome =
  /** A new attempt was queued to start now. */
  | { kind: 'created'; id: string; startsAt: Date }
  /** The automatic retry waiting for its backoff was brought forward to now (same row). */
  | { kind: 'brought_forward'; id: string; startsAt: Date; wasDueAt: Date }
  /** A retry of this execution is already due and claimed by a replica: it is starting. */
  | { kind: 'starting'; id: string; startsAt: Date }
  /** A retry of this execution is already running. */
  | { kind: 'running'; id: string; startedAt: Date };

/**
 * A person's Retry of a finished execution that did not succeed. "Retry" means run now:
 * - when a retry of it (automatic, or an earlier click) is still waiting for its backoff, that same row
 *   is brought forward to now and audited as this person's action;
 * - when one is already due or running, it is returned as it is;
 * - otherwise a new attempt (attempt + 1, linked to its parent) is queued to start now.
 * Idempotent: a double click or Slack's retried delivery does nothing twice (the parent row is locked).
 */
export async function retryExecution(pool: pg.Pool, request: RetryRequest): Promise<RetryOutcome> {
  return withTransaction(pool, async (client) => {
    const parent = await client.query<{
      id: string;
      task_id: string;
      status: string;
      attempt: number;
      scheduled_for: Date | null;
      approval_state: string;
      name: string;
    }>(
      `select e.id, e.task_id, e.status, e.attempt, e.scheduled_for, t.approval_state, t.name
         from task_executions e join scheduled_tasks t on t.id = e.task_id
        where e.id = $1 for update of e`,
      [request.executionId],
    );
    const row = parent.rows[0];
    if (!row)
      throw new AppError('execution_not_found', `No execution with id ${request.executionId}.`, 'execution');
    if (!['failed', 'timed_out', 'cancelled'].includes(row.status)) {
      throw new AppError(
        'not_retryable',
        `This execution is ${row.status.replace('_', ' ')}; only failed, timed-out or cancelled executions can be retried.`,
        'execution',
      );
    }
    if (row.approval_state !== 'approved') {
      throw new AppError('forbidden', `"${row.name}" is not approved and cannot run.`, 'execution');
    }
    const pending = await pendingRetryOf(client, row.task_id, row.id);
    if (pending?.status === 'running')
      return { kind: 'running', id: pending.id, startedAt: pending.started_at! };
    if (pending && (pending.worker_id !== null || pending.run_after.getTime() <= request.now.getTime())) {
      // Claimed by a replica (due within its look-ahead) or already due: it is starting.
      return { kind: 'starting', id: pending.id, startsAt: pending.run_after };
    }
    if (pending) {
      await client.query(`update task_executions set run_after = $2, triggered_by = $3 where id = $1`, [
        pending.id,
        request.now.toISOString(),
        request.actorId,
      ]);
      await recordAuditWithClient(client, {
        actor: request.actorId,
        action: 'execution.retry_brought_forward',
        taskId: row.task_id,
        taskName: row.name,
        executionId: pending.id,
        before: { executionId: row.id, runAfter: pending.run_after.toISOString() },
        after: { runAfter: request.now.toISOString() },
        at: request.now,
      });
      await client.query(`select pg_notify('chronops_wakeup', $1)`, [pending.id]);
      return { kind: 'brought_forward', id: pending.id, startsAt: request.now, wasDueAt: pending.run_after };
    }
    const inserted = await client.query<{ id: string }>(
      `insert into task_executions (task_id, trigger, scheduled_for, status, attempt, parent_execution_id, run_after, triggered_by, created_at)
       values ($1, 'retry', $2, 'queued', $3, $4, $5, $6, $5) returning id`,
      [row.task_id, row.scheduled_for, row.attempt + 1, row.id, request.now.toISOString(), request.actorId],
    );
    const id = inserted.rows[0]!.id;
    await recordAuditWithClient(client, {
      actor: request.actorId,
      action: 'execution.retried',
      taskId: row.task_id,
      taskName: row.name,
      executionId: id,
      before: { executionId: row.id, status: row.status },
      at: request.now,
    });
    await client.query(`select pg_notify('chronops_wakeup', $1)`, [id]);
    return { kind: 'created', id, startsAt: request.now };
  });
}

interface PendingRetry {
  id: string;
  status: 'queued' | 'running';
  run_after: Date;
  worker_id: string | null;
  started_at: Date | null;
}

/**
 * The queued or running retry that descends from `executionId` (its automatic retry, or the retry of
 * that retry…), locked. Candidates come from the small partial indexes of queued and running rows; the
 * ancestry is walked up by primary key (chains are at most a few attempts long).
 */
async function pendingRetryOf(
  client: pg.PoolClient,
  taskId: string,
  executionId: string,
): Promise<PendingRetry | undefined> {
  const { rows } = await client.query<PendingRetry>(
    `with recursive candidates as (
       select id from task_executions where status = 'queued' and task_id = $1 and trigger = 'retry'
       union all
       select id from task_executions where status = 'running' and task_id = $1 and trigger = 'retry'
     ), up(start_id, parent_id, depth) as (
       select e.id, e.parent_execution_id, 1 from task_executions e where e.id in (select id from candidates)
       union all
       select up.start_id, e.parent_execution_id, up.depth + 1
         from up join task_executions e on e.id = up.parent_id
        where up.parent_id is not null and up.parent_id <> $2 and up.depth < 20
     )
     select e.id, e.status, e.run_after, e.worker_id, e.started_at
       from task_executions e
      where e.id in (select start_id from up where parent_id = $2)
      order by e.status = 'running' desc, e.run_after
      limit 1
      for update`,
    [taskId, executionId],
  );
  return rows[0];
}

export type CancelOutcome = 'cancelled' | 'cancel_requested' | 'already_finished';

/**
 * Cancels an execution: a queued one is cancelled at once; a running one is flagged and its runner
 * aborts it at its next heartbeat (or at once, woken by NOTIFY chronops_cancel) — the guide's "stuck
 * running task" fixed without SQL.
 */
export async function cancelExecution(
  pool: pg.Pool,
  request: { executionId: string; actorId: string; now: Date },
): Promise<CancelOutcome> {
  return withTransaction(pool, async (client) => {
    const found = await client.query<{ id: string; task_id: string; status: string; name: string }>(
      `select e.id, e.task_id, e.status, t.name from task_executions e join scheduled_tasks t on t.id = e.task_id
        where e.id = $1 for update of e`,
      [request.executionId],
    );
    const row = found.rows[0];
    if (!row)
      throw new AppError('execution_not_found', `No execution with id ${request.executionId}.`, 'execution');
    let outcome: CancelOutcome;
    if (row.status === 'queued') {
      await client.query(
        `update task_executions set status = 'cancelled', reason = 'cancelled_by_user', error_code = 'cancelled', finished_at = $2,
                cancel_requested_at = $2, cancel_requested_by = $3, worker_id = null, lease_until = null
          where id = $1`,
        [row.id, request.now.toISOString(), request.actorId],
      );
      outcome = 'cancelled';
    } else if (row.status === 'running') {
      await client.query(
        `update task_executions set cancel_requested_at = coalesce(cancel_requested_at, $2),
                cancel_requested_by = coalesce(cancel_requested_by, $3)
          where id = $1`,
        [row.id, request.now.toISOString(), request.actorId],
      );
      await client.query(`select pg_notify('chronops_cancel', $1)`, [row.id]);
      outcome = 'cancel_requested';
    } else {
      return 'already_finished';
    }
    await recordAuditWithClient(client, {
      actor: request.actorId,
      action: 'execution.cancelled',
      taskId: row.task_id,
      taskName: row.name,
      executionId: row.id,
      before: { status: row.status },
      at: request.now,
    });
    return outcome;
  });
}

/**
 * True when someone asked, through {@link cancelExecution}, to cancel this running execution. NOTIFY
 * chronops_cancel is only a hint that such a request was committed: any session on the database can
 * send one, unaudited, so a runner aborts only when this says the request is really there.
 */
export async function isCancelRequested(pool: pg.Pool, executionId: string): Promise<boolean> {
  const { rows } = await pool.query<{ requested: boolean }>(
    `select cancel_requested_at is not null as requested from task_executions
      where id = $1 and status = 'running'`,
    [executionId],
  );
  return rows[0]?.requested === true;
}
